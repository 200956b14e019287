--- :checkhealth protosmith: Neovim version, the server executable, and what
--- `protosmith doctor --json` says about the backend, the model and the device.
local M = {}

local DOCTOR_TIMEOUT_MS = 60000
--- Settings passed to `protosmith doctor` as environment, so it reports the configured backend.
local SETTING_ENV = {
  backend = "PROTOSMITH_BACKEND",
  model = "PROTOSMITH_MODEL",
  baseUrl = "PROTOSMITH_BASE_URL",
  apiKeyEnv = "PROTOSMITH_API_KEY_ENV",
}

--- The doctor command for a server command: `... serve` becomes `... doctor --json`.
function M.doctor_cmd(server_cmd)
  local cmd = vim.deepcopy(server_cmd)
  if cmd[#cmd] == "serve" then
    table.remove(cmd)
  end
  vim.list_extend(cmd, { "doctor", "--json" })
  return cmd
end

local function doctor_env(settings)
  local env = {}
  for key, name in pairs(SETTING_ENV) do
    if type(settings[key]) == "string" and settings[key] ~= "" then
      env[name] = settings[key]
    end
  end
  return env
end

local function report_doctor(report)
  local health = vim.health
  health.info(("protosmith %s on Python %s (%s)"):format(report.protosmith, report.python, report.python_executable))
  local backend = ("backend %s: %s"):format(report.backend, report.backend_detail or "")
  if report.backend_ready then
    health.ok(backend)
  else
    health.error(backend, { "Run `protosmith doctor` in a terminal for details." })
  end
  local model = report.model or {}
  if model.name and model.name ~= "" then
    local where = (model.path and model.path ~= vim.NIL) and (" (" .. model.path .. ")") or ""
    health.ok("model " .. model.name .. where)
  elseif report.backend_ready then
    health.info("model: chosen by the endpoint")
  else
    health.warn("no model configured")
  end
  local device = report.device or {}
  health.info(("device %s %s%s"):format(device.kind or "?", device.name or "", device.gpu_offload and " (GPU offload)" or ""))
  for _, problem in ipairs(report.settings_problems or {}) do
    health.warn(problem)
  end
  for _, fix in ipairs(report.missing or {}) do
    health.warn(fix.what .. " is missing", { fix.fix })
  end
end

function M.check()
  local health = vim.health
  health.start("protosmith")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.error("Neovim 0.11 or newer is needed (vim.lsp.config, vim.lsp.enable)")
    return
  end
  local plugin = require("protosmith")
  if plugin.configured then
    health.ok("setup() was called")
  else
    health.info("setup() was not called: :Protosmith uses the defaults")
  end
  local cmd, problem = plugin.server_cmd()
  if not cmd then
    health.error(problem)
    return
  end
  if vim.fn.executable(cmd[1]) == 1 then
    health.ok("server executable: " .. table.concat(cmd, " "))
  else
    health.error("server executable not found: " .. cmd[1], { "pip install protosmith, or fix the `cmd` option" })
    return
  end

  local doctor = M.doctor_cmd(cmd)
  local ok, process = pcall(vim.system, doctor, { text = true, env = doctor_env(plugin.options.settings) })
  if not ok then
    health.error("could not run " .. table.concat(doctor, " ") .. ": " .. tostring(process))
    return
  end
  local result = process:wait(DOCTOR_TIMEOUT_MS)
  local decoded, report = pcall(vim.json.decode, result.stdout or "", { luanil = { object = true, array = true } })
  if not decoded or type(report) ~= "table" then
    health.error(
      ("`%s` failed (exit %s)"):format(table.concat(doctor, " "), tostring(result.code)),
      { vim.trim(result.stderr or "") }
    )
    return
  end
  report_doctor(report)

  local clients = vim.lsp.get_clients({ name = plugin.name })
  if #clients > 0 then
    for _, client in ipairs(clients) do
      health.ok(("language server running (client %d, root %s)"):format(client.id, client.root_dir or "none"))
    end
  else
    health.info("language server not running in this session (it starts in a folder with protosmith.toml)")
  end
end

return M
