--- protosmith for Neovim 0.11+: configures and enables the protosmith language server.
---
--- require("protosmith").setup({
---   cmd = nil,                          -- default: $VIRTUAL_ENV/bin/protosmith, else protosmith on PATH
---   filetypes = { "python", ... },      -- buffers the server attaches to
---   root_markers = { "protosmith.toml" },
---   workspace_required = true,          -- only start inside a folder with a root marker
---   settings = { backend = "openai", model = "gpt-4.1", review = { llm = false } },
---   progress = "echo",                  -- "echo" | "notify" | false
---   enable = true,                      -- call vim.lsp.enable("protosmith")
--- })
---
--- See :help protosmith.
local M = {}

M.name = "protosmith"

--- The options setup() accepts, with their defaults.
M.defaults = {
  cmd = nil,
  filetypes = {
    "python",
    "javascript",
    "javascriptreact",
    "typescript",
    "typescriptreact",
    "go",
    "rust",
    "java",
    "cs",
    "c",
    "cpp",
    "toml",
  },
  root_markers = { "protosmith.toml" },
  workspace_required = true,
  settings = {},
  progress = "echo",
  enable = true,
}

local MESSAGE_LEVELS = {
  [1] = vim.log.levels.ERROR,
  [2] = vim.log.levels.WARN,
  [3] = vim.log.levels.INFO,
  [4] = vim.log.levels.DEBUG,
}

--- Handlers for the protosmith client. The server's messages already start with
--- "protosmith: ", so they are shown as they are, at the level the server chose, instead of
--- behind Neovim's "LSP[protosmith]: " prefix.
M.handlers = {
  ["window/showMessage"] = function(_, params)
    if params and params.message then
      vim.notify(params.message, MESSAGE_LEVELS[params.type] or vim.log.levels.INFO, { title = M.name })
    end
    return vim.NIL
  end,
}

--- The options in force (defaults until setup() is called).
M.options = vim.deepcopy(M.defaults)
M.configured = false

local INSTALL_HINT = "pip install protosmith (or pipx install protosmith), "
  .. "or pass cmd = { '/path/to/protosmith', 'serve' } to require('protosmith').setup()"

--- The server command: the `cmd` option, the active virtualenv's protosmith, or protosmith on PATH.
--- Returns nil and a message saying what to install when none is found.
---@return string[]|nil, string|nil
function M.server_cmd()
  if M.options.cmd then
    return M.options.cmd, nil
  end
  local venv = vim.env.VIRTUAL_ENV
  if venv and venv ~= "" then
    local script = vim.fs.joinpath(venv, "bin", "protosmith")
    if vim.fn.executable(script) == 1 then
      return { script, "serve" }, nil
    end
  end
  if vim.fn.executable("protosmith") == 1 then
    return { vim.fn.exepath("protosmith"), "serve" }, nil
  end
  return nil, "protosmith language server not found. Install it: " .. INSTALL_HINT
end

local function validate(opts)
  vim.validate("cmd", opts.cmd, "table", true)
  vim.validate("filetypes", opts.filetypes, "table")
  vim.validate("root_markers", opts.root_markers, "table")
  vim.validate("workspace_required", opts.workspace_required, "boolean")
  vim.validate("settings", opts.settings, "table")
  vim.validate("enable", opts.enable, "boolean")
  vim.validate("progress", opts.progress, function(value)
    return value == false or value == "echo" or value == "notify"
  end, false, '"echo", "notify" or false')
end

--- Configure the server with vim.lsp.config and enable it; safe to call again.
---@param opts table|nil see M.defaults
function M.setup(opts)
  local merged = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  if opts and opts.filetypes then
    merged.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    merged.root_markers = opts.root_markers
  end
  validate(merged)
  M.options = merged
  M.configured = true
  require("protosmith.progress").setup(merged.progress)

  local cmd, problem = M.server_cmd()
  if not cmd then
    vim.notify("protosmith: " .. problem, vim.log.levels.WARN)
    return
  end
  -- The code action "Refine selection with instruction…" runs this; it asks for the text.
  vim.lsp.commands["protosmith.refine"] = function(command, ctx)
    require("protosmith.commands").refine_command(command, ctx)
  end
  vim.lsp.config(M.name, {
    cmd = cmd,
    handlers = M.handlers,
    filetypes = merged.filetypes,
    root_markers = merged.root_markers,
    workspace_required = merged.workspace_required,
    -- Answered from here when the server asks workspace/configuration for "protosmith".
    settings = { protosmith = merged.settings },
    init_options = merged.settings,
  })
  if merged.enable then
    vim.lsp.enable(M.name)
  end
end

--- Make sure setup() ran (with defaults when the user never called it).
function M.ensure_setup()
  if not M.configured then
    M.setup({})
  end
end

--- One line for a statusline: the runs in progress, or "".
---@return string
function M.status()
  return require("protosmith.progress").status()
end

return M
