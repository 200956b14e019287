-- Headless Neovim driver for tests/test_nvim_plugin.py.
--
-- Environment: PROTOSMITH_NVIM_SCENARIO (review | generate | health), PROTOSMITH_NVIM_ROOT
-- (the copied workspace), PROTOSMITH_NVIM_CMD (JSON list: the server command),
-- PROTOSMITH_NVIM_RESULT (where to write the JSON result). The driver uses the plugin the way a
-- user does (:Protosmith, vim.lsp.buf.code_action, :checkhealth) and records what it saw.
local env = vim.env
local root = env.PROTOSMITH_NVIM_ROOT
local scenario = env.PROTOSMITH_NVIM_SCENARIO
local result_path = assert(env.PROTOSMITH_NVIM_RESULT, "PROTOSMITH_NVIM_RESULT")
local TIMEOUT = tonumber(env.PROTOSMITH_NVIM_TIMEOUT_MS or "60000")
local cmd

local result = { scenario = scenario, notifications = {}, steps = {} }

-- Record notifications (the plugin reports outcomes with vim.notify).
vim.notify = function(message, level)
  table.insert(result.notifications, { message = message, level = level or vim.log.levels.INFO })
end
-- The server may announce a run with "Open README?" (window/showMessageRequest, which Neovim
-- shows with vim.ui.select): record the message the user reads, and answer "no".
vim.ui.select = function(_, opts, on_choice)
  local prompt = (opts and opts.prompt or ""):gsub(": $", "")
  table.insert(result.notifications, { message = prompt, level = vim.log.levels.INFO, select = true })
  on_choice(nil)
end

local started = vim.uv.hrtime()
result.seconds = {}

local function step(name)
  table.insert(result.steps, name)
  result.seconds[name] = (vim.uv.hrtime() - started) / 1e9
end

local function wait_for(what, condition, timeout)
  if not vim.wait(timeout or TIMEOUT, condition, 50) then
    error("timed out waiting for " .. what)
  end
end

local function notified(pattern)
  for _, note in ipairs(result.notifications) do
    if note.message:find(pattern) then
      return note.message
    end
  end
  return nil
end

local function protosmith_client(buf)
  return vim.lsp.get_clients({ name = "protosmith", bufnr = buf })[1]
end

local function open(relative)
  vim.cmd.edit(vim.fn.fnameescape(vim.fs.joinpath(root, relative)))
  local buf = vim.api.nvim_get_current_buf()
  wait_for("the protosmith client to attach", function()
    local client = protosmith_client(buf)
    return client ~= nil and client.initialized
  end)
  return buf
end

local scenarios = {}

function scenarios.review()
  require("protosmith").setup({ cmd = cmd, progress = "notify" })
  result.completion = vim.fn.getcompletion("Protosmith ", "cmdline")
  result.review_completion = vim.fn.getcompletion("Protosmith review w", "cmdline")
  local buf = open("settings_loader.py")
  step("attached")
  vim.cmd("Protosmith review")
  wait_for("the review result", function()
    return notified("finding") ~= nil
  end)
  result.review_message = notified("finding")
  wait_for("protosmith diagnostics", function()
    return #vim.diagnostic.get(buf) > 0
  end)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { source = d.source, code = d.code, lnum = d.lnum, message = d.message })
  end
  step("diagnostics")

  local target
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == "protosmith" and d.lnum == 9 then
      target = d
    end
  end
  assert(target, "no protosmith diagnostic on the yaml.load line")
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local titles = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      table.insert(titles, action.title)
      return action.kind == "quickfix" and action.title:find("safe_load") ~= nil
    end,
  })
  wait_for("the quick fix to change the buffer", function()
    return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n"):find("yaml.safe_load", 1, true) ~= nil
  end)
  result.code_action_titles = titles
  vim.cmd("silent write")
  step("quickfix")

  -- A fixed file reviews clean for that rule: the stale diagnostic must go.
  result.notifications = {}
  vim.cmd("Protosmith review")
  wait_for("the second review", function()
    return notified("finding") ~= nil
  end)
  result.diagnostics_after = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics_after, { source = d.source, code = d.code, lnum = d.lnum, message = d.message })
  end
  step("rereview")
end

function scenarios.generate()
  require("protosmith").setup({ cmd = cmd, progress = "echo" })
  open("protosmith.toml")
  step("attached")
  local progress = require("protosmith.progress")
  vim.cmd("Protosmith generate")
  wait_for("the run summary", function()
    return notified("^protosmith: run ") ~= nil
  end)
  result.summary_message = notified("^protosmith: run ")
  result.progress = progress.history
  result.status_after = require("protosmith").status()
  step("generated")

  -- Refine a visual selection; the instruction comes from vim.ui.input.
  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, opts.prompt)
    on_confirm("return an empty mapping for an empty file")
  end
  local buf = open("settings_loader.py")
  vim.api.nvim_win_set_cursor(0, { 9, 4 })
  vim.cmd("normal! v")
  vim.api.nvim_win_set_cursor(0, { 10, 30 })
  vim.cmd("normal! \27")
  local client = protosmith_client(buf)
  result.refine_range = require("protosmith.commands").command_range(
    { range = 2, line1 = 9, line2 = 10 },
    buf,
    client.offset_encoding
  )
  result.notifications = {}
  vim.cmd("'<,'>Protosmith refine")
  wait_for("the refine outcome", function()
    return notified("refinement") ~= nil or notified("refine failed") ~= nil
  end)
  result.refine_prompts = prompts
  result.refine_message = notified("refinement") or notified("refine failed")
  result.refined_first_line = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
  step("refined")

  result.notifications = {}
  vim.cmd("Protosmith cancel")
  wait_for("the cancel answer", function()
    return notified("no run in progress") ~= nil or notified("cancelled") ~= nil
  end)
  step("cancelled")
end

local VIEWS = table.concat({
  "from flask import Flask, request",
  "",
  "app = Flask(__name__)",
  "",
  "",
  '@app.route("/search")',
  "def search():",
  '    term = request.args.get("q", "")',
  '    return f"<h1>Résultats pour « {term} »</h1>"',
  "",
  "",
  '@app.route("/hello")',
  "def hello():",
  '    greeting = "你好, 世界 😀"',
  "    return greeting + undefined_name",
  "",
}, "\n")

--- Ranges on non-ASCII lines (Neovim negotiates utf-8), the ignore comment at the end of the
--- line, the refine code action asking for its instruction, and expected errors.
function scenarios.positions()
  require("protosmith").setup({ cmd = cmd, progress = false })
  local file = assert(io.open(vim.fs.joinpath(root, "views.py"), "w"))
  file:write(VIEWS)
  file:close()
  local buf = open("views.py")
  result.offset_encoding = protosmith_client(buf).offset_encoding
  step("attached")
  local function by_code(code)
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == code and d.source == "protosmith" then
        return d
      end
    end
  end
  wait_for("PS307 and PS202", function()
    return by_code("PS307") ~= nil and by_code("PS202") ~= nil
  end)
  result.selected = {}
  for _, code in ipairs({ "PS307", "PS202" }) do
    local d = by_code(code)
    local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1]
    result.selected[code] = line:sub(d.col + 1, d.end_col)
  end
  step("diagnostics")

  local xss = by_code("PS307")
  vim.api.nvim_win_set_cursor(0, { xss.lnum + 1, xss.col })
  result.titles = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      table.insert(result.titles, action.title)
      return action.title == "Ignore this finding (PS307)"
    end,
  })
  wait_for("the ignore comment", function()
    local line = vim.api.nvim_buf_get_lines(buf, xss.lnum, xss.lnum + 1, false)[1]
    return line:find("protosmith: ignore", 1, true) ~= nil
  end)
  result.ignored_line = vim.api.nvim_buf_get_lines(buf, xss.lnum, xss.lnum + 1, false)[1]
  vim.cmd("silent write")
  wait_for("PS307 to be suppressed", function()
    return by_code("PS307") == nil
  end)
  step("ignored")

  -- "Refine selection with instruction…": the plugin asks, then the server renames.
  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, opts.prompt)
    on_confirm("rename search to find_results")
  end
  vim.lsp.buf.code_action({
    apply = true,
    range = { start = { 7, 0 }, ["end"] = { 9, 10 } },
    filter = function(action)
      return action.title == "Refine selection with instruction…"
    end,
  })
  wait_for("the refined buffer", function()
    return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n"):find("def find_results", 1, true) ~= nil
  end, 120000)
  wait_for("the refine message", function()
    return notified("refinement") ~= nil
  end)
  result.refine_prompts = prompts
  result.refine_message = notified("refinement")
  step("refined")

  -- Expected errors are answered with a message, never a traceback.
  result.notifications = {}
  vim.cmd("Protosmith run no-such-run")
  wait_for("the showRun answer", function()
    return notified("showRun failed") ~= nil
  end)
  for _, note in ipairs(result.notifications) do
    if note.message:find("showRun failed", 1, true) then
      result.expected_error = note
    end
  end
  step("errors")
end

function scenarios.health()
  require("protosmith").setup({ cmd = cmd })
  vim.cmd("checkhealth protosmith")
  result.health = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  step("health")
end

-- Every failure, setup included, ends in the result file and a non-zero exit, never a hang.
local ok, err = xpcall(function()
  assert(root and scenario, "PROTOSMITH_NVIM_ROOT and PROTOSMITH_NVIM_SCENARIO are required")
  cmd = vim.json.decode((assert(env.PROTOSMITH_NVIM_CMD, "PROTOSMITH_NVIM_CMD")))
  assert(scenarios[scenario], "unknown scenario " .. scenario)()
end, debug.traceback)
if not ok then
  result.error = tostring(err)
end
local file = assert(io.open(result_path, "w"))
file:write(vim.json.encode(result))
file:close()
for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop()
end
vim.wait(3000, function()
  return #vim.lsp.get_clients() == 0
end, 50)
vim.cmd(ok and "qa!" or "cquit! 1")
