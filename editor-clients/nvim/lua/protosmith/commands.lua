--- :Protosmith generate|review|refine|cancel|run|log|restart
---
--- Each subcommand gathers what the server command needs (spec, file, range, instruction) and
--- sends workspace/executeCommand; results are reported with vim.notify.
local M = {}

local NAME = "protosmith"
local SPEC = "protosmith.toml"
local START_TIMEOUT_MS = 15000

--- The id of the last run this session started.
M.last_run_id = nil

local function notify(message, level)
  vim.notify("protosmith: " .. message, level or vim.log.levels.INFO, { title = NAME })
end

local function protosmith()
  local plugin = require("protosmith")
  plugin.ensure_setup()
  return plugin
end

--- Call `callback(client)` once the server runs for `bufnr`, starting one when needed.
local function with_client(bufnr, callback)
  local clients = vim.lsp.get_clients({ name = NAME, bufnr = bufnr })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = NAME })
  end
  local client = clients[1]
  if client and client.initialized then
    return callback(client)
  end
  local plugin = protosmith()
  local cmd, problem = plugin.server_cmd()
  if not cmd then
    return notify(problem, vim.log.levels.ERROR)
  end
  if not client then
    local name = vim.api.nvim_buf_get_name(bufnr)
    local start = name ~= "" and vim.fs.dirname(name) or vim.fn.getcwd()
    local root = vim.fs.root(start, plugin.options.root_markers) or vim.fn.getcwd()
    local config = vim.tbl_extend("force", vim.deepcopy(vim.lsp.config[NAME] or {}), {
      name = NAME,
      cmd = cmd,
      root_dir = root,
      settings = { protosmith = plugin.options.settings },
    })
    local id = vim.lsp.start(config, { bufnr = bufnr })
    client = id and vim.lsp.get_client_by_id(id)
    if not client then
      return notify("the language server did not start; see :Protosmith log", vim.log.levels.ERROR)
    end
  end
  local waited = 0
  local function poll()
    if client.initialized then
      return callback(client)
    end
    if client:is_stopped() or waited >= START_TIMEOUT_MS then
      return notify("the language server did not start; see :Protosmith log", vim.log.levels.ERROR)
    end
    waited = waited + 50
    vim.defer_fn(poll, 50)
  end
  poll()
end

--- JSON-RPC codes the server answers on purpose (bad arguments, cannot be done now): the
--- message says what to do, so they are warnings, not errors.
local EXPECTED = { [-32602] = true, [-32803] = true, [-32800] = true }

--- Send `command` to a running client; `on_result(result)` runs on success.
local function request(client, bufnr, command, args, on_result)
  local params = { command = command, arguments = { args } }
  client:request("workspace/executeCommand", params, function(err, result)
    if err then
      local level = EXPECTED[err.code] and vim.log.levels.WARN or vim.log.levels.ERROR
      return notify(("%s failed: %s"):format(command, err.message or vim.inspect(err)), level)
    end
    if on_result then
      on_result(result)
    end
  end, bufnr)
end

--- Send one protosmith server command; `on_result(result)` runs on success.
local function execute(bufnr, command, args, on_result)
  with_client(bufnr, function(client)
    request(client, bufnr, command, args, on_result)
  end)
end

local function root_of(bufnr)
  local client = vim.lsp.get_clients({ name = NAME, bufnr = bufnr })[1] or vim.lsp.get_clients({ name = NAME })[1]
  if client and client.root_dir then
    return client.root_dir
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= "" and vim.fs.dirname(name) or vim.fn.getcwd()
  return vim.fs.root(start, protosmith().options.root_markers) or vim.fn.getcwd()
end

local function save_if_modified(bufnr)
  if vim.bo[bufnr].modified and vim.api.nvim_buf_get_name(bufnr) ~= "" then
    vim.api.nvim_buf_call(bufnr, function()
      vim.cmd("silent write")
    end)
  end
end

function M.generate(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local spec = opts.fargs[2]
  if spec then
    spec = vim.fn.fnamemodify(spec, ":p")
  elseif vim.fs.basename(vim.api.nvim_buf_get_name(bufnr)) == SPEC then
    spec = vim.api.nvim_buf_get_name(bufnr)
  else
    spec = vim.fs.joinpath(root_of(bufnr), SPEC)
  end
  if vim.fn.filereadable(spec) == 0 then
    return notify(("no %s at %s; draft one with `protosmith init`"):format(SPEC, spec), vim.log.levels.ERROR)
  end
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf) == spec then
      save_if_modified(buf)
    end
  end
  notify("generating from " .. vim.fn.fnamemodify(spec, ":~:."))
  -- The server announces how the run ended (window/showMessage, once); keep only its id here.
  execute(bufnr, "protosmith.generate", { spec = vim.uri_from_fname(spec) }, function(summary)
    if summary and summary.run_id and summary.run_id ~= "" then
      M.last_run_id = summary.run_id
    end
  end)
end

function M.review(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local target = opts.fargs[2]
  local path
  if target == "workspace" then
    path = root_of(bufnr)
  elseif target then
    path = vim.fn.fnamemodify(target, ":p")
  else
    path = vim.api.nvim_buf_get_name(bufnr)
  end
  if path == "" then
    return notify("this buffer has no file; use :Protosmith review workspace", vim.log.levels.WARN)
  end
  path = path:gsub("/$", "")
  local args = { uri = vim.uri_from_fname(path) }
  if opts.bang then
    args.llm = true
  end
  execute(bufnr, "protosmith.review", args, function(result)
    local count = result and result.findings or 0
    notify(("%d finding%s in %s"):format(count, count == 1 and "" or "s", vim.fn.fnamemodify(path, ":~:.")))
  end)
end

--- The LSP range of the command's range: the charwise visual selection when it matches the
--- command's lines, else whole lines. Nil when the command had no range.
function M.command_range(opts, bufnr, encoding)
  if opts.range == 0 then
    return nil
  end
  local util = vim.lsp.util
  local first, last = opts.line1, opts.line2
  local start_col, end_byte = 0, nil
  local mark_start = vim.api.nvim_buf_get_mark(bufnr, "<")
  local mark_end = vim.api.nvim_buf_get_mark(bufnr, ">")
  local last_line = vim.api.nvim_buf_get_lines(bufnr, last - 1, last, false)[1] or ""
  if vim.fn.visualmode() == "v" and mark_start[1] == first and mark_end[1] == last then
    start_col = mark_start[2]
    local inclusive = math.min(mark_end[2], math.max(#last_line - 1, 0))
    end_byte = math.min(inclusive + 1 + vim.str_utf_end(last_line, inclusive + 1), #last_line)
  else
    end_byte = #last_line
  end
  return {
    start = { line = first - 1, character = util.character_offset(bufnr, first - 1, start_col, encoding) },
    ["end"] = { line = last - 1, character = util.character_offset(bufnr, last - 1, end_byte, encoding) },
  }
end

--- Send a refine request; when no edit is validated the server says why (one message).
local function send_refine(client, bufnr, args)
  save_if_modified(bufnr)
  request(client, bufnr, "protosmith.refine", args, function(result)
    if result and result.applied then
      notify("refinement applied (u undoes it)")
    end
  end)
end

--- Ask for the instruction (vim.ui.input) unless `args` has one, then refine.
local function ask_and_refine(client, bufnr, args)
  if type(args.instruction) == "string" and vim.trim(args.instruction) ~= "" then
    return send_refine(client, bufnr, args)
  end
  vim.ui.input({ prompt = "protosmith refine: " }, function(instruction)
    if not instruction or vim.trim(instruction) == "" then
      return
    end
    send_refine(client, bufnr, vim.tbl_extend("force", args, { instruction = vim.trim(instruction) }))
  end)
end

function M.refine(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then
    return notify("refine needs a file buffer", vim.log.levels.WARN)
  end
  local words = vim.list_slice(opts.fargs, 2)
  with_client(bufnr, function(client)
    local args = { uri = vim.uri_from_fname(path), range = M.command_range(opts, bufnr, client.offset_encoding) }
    if #words > 0 then
      args.instruction = table.concat(words, " ")
    end
    ask_and_refine(client, bufnr, args)
  end)
end

--- Client-side handler of the server's `protosmith.refine` command (vim.lsp.commands), run
--- by the "Refine selection with instruction…" code action: it carries the uri and range, and
--- the instruction comes from the user.
function M.refine_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return notify("the language server is not running", vim.log.levels.ERROR)
  end
  local args = vim.deepcopy((command.arguments or {})[1] or {})
  if type(args) ~= "table" or type(args.uri) ~= "string" then
    return notify("protosmith.refine needs a file", vim.log.levels.WARN)
  end
  local bufnr = ctx.bufnr or vim.uri_to_bufnr(args.uri)
  ask_and_refine(client, bufnr, args)
end

function M.cancel(opts)
  -- vim.empty_dict(): an empty Lua table would be sent as a JSON array.
  local args = opts.fargs[2] and { run_id = opts.fargs[2] } or vim.empty_dict()
  execute(vim.api.nvim_get_current_buf(), "protosmith.cancel", args, function(result)
    local cancelled = result and result.cancelled or {}
    notify(#cancelled > 0 and ("cancelled " .. table.concat(cancelled, ", ")) or "no run in progress")
  end)
end

function M.run(opts)
  local run_id = opts.fargs[2] or M.last_run_id
  execute(vim.api.nvim_get_current_buf(), "protosmith.showRun", run_id and { run_id = run_id } or vim.empty_dict(), function(result)
    -- One read-only buffer per run: showing a run again refreshes it (a second buffer of the
    -- same name would fail with E95).
    local name = "protosmith://run/" .. tostring(result and result.run_id or "latest")
    local buf = -1
    for _, existing in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(existing) == name then
        buf = existing
      end
    end
    if buf == -1 then
      buf = vim.api.nvim_create_buf(false, true)
      vim.api.nvim_buf_set_name(buf, name)
    end
    vim.bo[buf].modifiable = true
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(vim.inspect(result), "\n"))
    vim.bo[buf].modifiable = false
    vim.bo[buf].modified = false
    vim.bo[buf].filetype = "lua"
    local win = vim.fn.bufwinid(buf)
    if win ~= -1 then
      return vim.api.nvim_set_current_win(win)
    end
    vim.cmd("split")
    vim.api.nvim_win_set_buf(0, buf)
  end)
end

function M.log()
  vim.cmd("tabnew " .. vim.fn.fnameescape(vim.lsp.get_log_path()))
end

function M.restart()
  local clients = vim.lsp.get_clients({ name = NAME })
  for _, client in ipairs(clients) do
    client:stop()
  end
  local buffers = {}
  for _, client in ipairs(clients) do
    for buf in pairs(client.attached_buffers) do
      buffers[buf] = true
    end
  end
  -- Re-attach once the old processes have gone: FileType runs vim.lsp.enable's start logic.
  vim.defer_fn(function()
    for buf in pairs(buffers) do
      if vim.api.nvim_buf_is_valid(buf) then
        vim.api.nvim_exec_autocmds("FileType", { buffer = buf, modeline = false })
      end
    end
  end, 500)
  notify("restarting the language server")
end

M.subcommands = {
  generate = M.generate,
  review = M.review,
  refine = M.refine,
  cancel = M.cancel,
  run = M.run,
  log = M.log,
  restart = M.restart,
}

--- The :Protosmith handler.
function M.dispatch(opts)
  local name = opts.fargs[1]
  local handler = name and M.subcommands[name]
  if not handler then
    local names = vim.tbl_keys(M.subcommands)
    table.sort(names)
    return notify("usage: :Protosmith " .. table.concat(names, "|"), vim.log.levels.ERROR)
  end
  handler(opts)
end

--- Completion for :Protosmith.
function M.complete(arglead, cmdline)
  local words = vim.split(cmdline:gsub("^%S+", ""), "%s+", { trimempty = true })
  local completing_first = #words == 0 or (#words == 1 and arglead ~= "")
  if completing_first then
    local names = vim.tbl_keys(M.subcommands)
    table.sort(names)
    return vim.tbl_filter(function(name)
      return vim.startswith(name, arglead)
    end, names)
  end
  local sub = words[1]
  if sub == "review" then
    local choices = vim.list_extend({ "workspace" }, vim.fn.getcompletion(arglead, "file"))
    return vim.tbl_filter(function(item)
      return vim.startswith(item, arglead)
    end, choices)
  elseif sub == "generate" then
    return vim.fn.getcompletion(arglead, "file")
  elseif sub == "cancel" or sub == "run" then
    return M.last_run_id and { M.last_run_id } or {}
  end
  return {}
end

return M
