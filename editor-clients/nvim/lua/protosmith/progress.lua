--- Work-done progress from the protosmith server, through the LspProgress autocmd.
---
--- The server's generate and review runs send $/progress begin/report/end. This module keeps
--- the state of each run (for status() in a statusline) and echoes or notifies it. It only reads
--- the event, so fidget.nvim or any other LspProgress consumer sees the same progress.
local M = {}

local NAME = "protosmith"
local HISTORY = 200

--- Active runs by progress token: { title, message, percentage }.
M.active = {}
--- Recent progress values, oldest first: { token, kind, title, message, percentage }.
M.history = {}

local mode = "echo"
local group = nil

local function line(run)
  local percent = run.percentage and (" %d%%"):format(run.percentage) or ""
  local message = (run.message and run.message ~= "") and (": " .. run.message) or ""
  return ("%s%s%s"):format(run.title or NAME, percent, message)
end

local function show(text, done)
  if mode == "notify" then
    vim.notify(text, vim.log.levels.INFO, { title = NAME })
  elseif mode == "echo" then
    vim.api.nvim_echo({ { text, done and "MoreMsg" or "Normal" } }, false, {})
  end
end

--- Feed one $/progress value (public so other code and tests can drive it).
---@param token string|integer
---@param value table lsp.WorkDoneProgressBegin|Report|End
function M.handle(token, value)
  local key = tostring(token)
  table.insert(M.history, {
    token = key,
    kind = value.kind,
    title = value.title,
    message = value.message,
    percentage = value.percentage,
  })
  if #M.history > HISTORY then
    table.remove(M.history, 1)
  end
  if value.kind == "begin" then
    M.active[key] = { title = value.title, message = value.message, percentage = value.percentage }
    show(line(M.active[key]), false)
  elseif value.kind == "report" then
    local run = M.active[key]
    if run then
      run.message = value.message or run.message
      run.percentage = value.percentage or run.percentage
      show(line(run), false)
    end
  elseif value.kind == "end" then
    local run = M.active[key] or { title = NAME }
    M.active[key] = nil
    run.message = value.message or "done"
    run.percentage = nil
    show(line(run), true)
  end
end

--- One line for a statusline: the newest active run (and how many more), or "".
---@return string
function M.status()
  local newest, count = nil, 0
  for _, run in pairs(M.active) do
    count = count + 1
    newest = run
  end
  if not newest then
    return ""
  end
  return line(newest) .. (count > 1 and (" (+%d)"):format(count - 1) or "")
end

--- Install the LspProgress autocmd; `how` is "echo", "notify" or false (state only).
---@param how string|false
function M.setup(how)
  mode = how
  group = vim.api.nvim_create_augroup("protosmith.progress", { clear = true })
  vim.api.nvim_create_autocmd("LspProgress", {
    group = group,
    pattern = { "begin", "report", "end" },
    desc = "protosmith: track and show run progress",
    callback = function(event)
      local client = vim.lsp.get_client_by_id(event.data.client_id)
      if not client or client.name ~= NAME then
        return
      end
      local params = event.data.params or {}
      if type(params.value) == "table" and params.value.kind then
        M.handle(params.token, params.value)
      end
    end,
  })
end

return M
