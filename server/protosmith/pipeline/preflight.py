"""Checks that run before the first LLM call, so a run never spends minutes to hit a wall.

The output and state folders must be writable folders (not files); a remote endpoint must
answer, accept the key and serve the configured model; the key variable must be set where one
is needed. Each failure is one line that names the fix: the CLI prints it as is, the language
server shows it, and the details (tracebacks) go to the log only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from pydantic import BaseModel

from protosmith.settings import Settings

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 10.0
"""Longest wait for ``GET /models``; a healthy endpoint answers it in milliseconds."""
_DEFAULT_URL = "https://api.openai.com/v1"


class PreflightProblem(BaseModel):
    """One reason the run cannot start, and what fixes it."""

    check: str
    """``output``, ``state``, ``api_key`` or ``endpoint``."""
    message: str
    fix: str

    def line(self) -> str:
        """The one line a user sees: what is wrong, then the fix."""
        return f"{self.message}: {self.fix}"


def _first_file(folder: Path, boundary: Path) -> Path | None:
    """``folder`` or the nearest existing parent below ``boundary`` that is not a folder."""
    current = folder
    while True:
        if current.exists() and not current.is_dir():
            return current
        if current == boundary or current.parent == current:
            return None
        current = current.parent


def check_folder(
    folder: Path, boundary: Path, *, what: str, setting: str
) -> PreflightProblem | None:
    """``folder`` exists (created if needed), is a folder, and a file can be written in it."""
    blocker = _first_file(folder, boundary)
    if blocker is not None:
        return PreflightProblem(
            check=what,
            message=f"the {what} folder {folder} cannot be created: {blocker} is a file",
            fix=f"move that file away, or {setting}",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".protosmith-preflight-"):
            pass
    except OSError as error:
        log.debug("preflight: %s folder %s is not writable", what, folder, exc_info=True)
        reason = error.strerror or type(error).__name__
        return PreflightProblem(
            check=what,
            message=f"cannot write to the {what} folder {folder} ({reason})",
            fix=f"give your user write permission there, or {setting}",
        )
    return None


def check_filesystem(workspace: Path, output: str) -> list[PreflightProblem]:
    """The workspace's state folder and the output folder are writable folders."""
    problems = []
    state = check_folder(
        workspace / ".protosmith",
        workspace,
        what="state",
        setting="run protosmith from a folder you can write to",
    )
    if state is not None:
        problems.append(state)
    out = check_folder(
        workspace / output,
        workspace,
        what="output",
        setting="set [project] output in protosmith.toml to another folder",
    )
    if out is not None:
        problems.append(out)
    return problems


def check_target_file(target: Path) -> PreflightProblem | None:
    """``target`` (a file to write, e.g. ``init``'s spec) can be created; no folder is made.

    Its nearest existing ancestor must be a folder a file can be written in (a temporary file
    is written and removed), and it must not be a folder itself.
    """
    if target.is_dir():
        return PreflightProblem(
            check="output",
            message=f"{target} is a folder",
            fix="pass -o with a file name, e.g. -o protosmith.toml",
        )
    current = target.parent
    while not current.exists() and current.parent != current:
        current = current.parent
    if not current.is_dir():
        return PreflightProblem(
            check="output",
            message=f"cannot create {target}: {current} is a file",
            fix="move that file away, or pass -o with another path",
        )
    try:  # a real write: permissions, a read-only mount, root's exceptions all answer truly
        with tempfile.NamedTemporaryFile(dir=current, prefix=".protosmith-preflight-"):
            pass
    except OSError as error:
        log.debug("preflight: %s is not writable", current, exc_info=True)
        return PreflightProblem(
            check="output",
            message=f"cannot write to {current} ({error.strerror or type(error).__name__})",
            fix="give your user write permission there, or pass -o with another path",
        )
    return None


async def check_init(settings: Settings, target: Path) -> tuple[list[PreflightProblem], Settings]:
    """What ``protosmith init`` checks before its LLM call: the target path, then the backend."""
    blocked = check_target_file(target)
    if blocked is not None:
        return [blocked], settings
    return await check_backend(settings)


def _is_local(url: str) -> bool:
    from urllib.parse import urlparse

    host = (urlparse(url).hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1", "0.0.0.0") or host.endswith(".localhost")


def _served_models(body: str) -> list[str] | None:
    """Model ids of an OpenAI ``/models`` reply, or None when the reply is not that shape."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        return None
    items = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return None
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


def probe_endpoint(settings: Settings) -> tuple[PreflightProblem | None, list[str]]:
    """One ``GET {base_url}/models``: reachable, key accepted, model served (blocking).

    Returns the problem (None when the endpoint is usable) and the models it lists.
    """
    url = (settings.base_url or _DEFAULT_URL).rstrip("/")
    key_name = settings.api_key_env
    key = os.environ.get(key_name, "")
    if not url.startswith(("http://", "https://")):
        return _problem(
            check="endpoint",
            message=f"base URL {url!r} is not an http(s) URL",
            fix="pass --base-url http://HOST:PORT/v1 (or set PROTOSMITH_BASE_URL)",
        )
    if not key and not _is_local(url):
        return _problem(
            check="api_key",
            message=f"no API key for {url}: the environment variable {key_name} is not set",
            fix=f"export {key_name}=... (or name another variable with [llm] api_key_env)",
        )
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = urllib.request.Request(f"{url}/models", headers=headers)  # nosec B310
    timeout = min(PROBE_TIMEOUT_S, settings.timeout_s)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
            body = response.read(4 << 20).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            return _problem(
                check="api_key",
                message=f"{url} refused the API key in {key_name} (HTTP {error.code})",
                fix=f"set {key_name} to a valid key for this endpoint",
            )
        candidate = f"{url}/v1"
        if error.code == 404 and not url.endswith("/v1") and _lists_models(candidate, headers):
            return _problem(
                check="endpoint",
                message=f"{url} has no OpenAI API (GET /models answered HTTP 404)",
                fix=f"the endpoint answers at {candidate}: pass --base-url {candidate} "
                "(or set PROTOSMITH_BASE_URL)",
            )
        return _problem(
            check="endpoint",
            message=f"{url}/models answered HTTP {error.code}",
            fix="check --base-url (an OpenAI-compatible base URL usually ends in /v1)",
        )
    except (urllib.error.URLError, OSError, ValueError) as error:
        log.debug("preflight: %s/models failed", url, exc_info=True)
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, TimeoutError):
            return _problem(
                check="endpoint",
                message=f"{url} did not answer GET /models within {timeout:g} s",
                fix=_slow_endpoint_fix(timeout),
            )
        return _problem(
            check="endpoint",
            message=f"cannot connect to {url} ({reason})",
            fix="start the server (or fix --base-url / PROTOSMITH_BASE_URL), then run again",
        )
    served = _served_models(body)
    if served is None:
        return _problem(
            check="endpoint",
            message=f"{url}/models did not answer in the OpenAI format",
            fix="check --base-url: it must point at an OpenAI-compatible API (usually .../v1)",
        )
    model = settings.model
    listed = ", ".join(served[:8]) + (", ..." if len(served) > 8 else "")
    if not model and not _is_official(url) and len(served) != 1:
        problem = PreflightProblem(
            check="endpoint",
            message=f"no model set, and {url} serves "
            + (f"several: {listed}" if served else "no listed model"),
            fix="pass --model NAME (or set PROTOSMITH_MODEL, or [llm] model in the spec)",
        )
        return problem, served
    if model and served and model not in served:
        problem = PreflightProblem(
            check="endpoint",
            message=f"{url} does not serve the model {model!r} (it serves: {listed})",
            fix="pass --model with one of those names (or set PROTOSMITH_MODEL)",
        )
        return problem, served
    return None, served


def _lists_models(url: str, headers: dict[str, str]) -> bool:
    """Whether ``GET {url}/models`` answers in the OpenAI format (a quick second look)."""
    request = urllib.request.Request(f"{url}/models", headers=headers)  # nosec B310
    try:
        with urllib.request.urlopen(request, timeout=3.0) as response:  # nosec B310
            return _served_models(response.read(4 << 20).decode("utf-8", "replace")) is not None
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _slow_endpoint_fix(waited: float) -> str:
    """A healthy endpoint lists its models in milliseconds: a longer wait is the server's."""
    if waited < PROBE_TIMEOUT_S:
        return "check that the server is up, or raise the timeout (--timeout / PROTOSMITH_TIMEOUT)"
    return "check that the server is up and not stuck on another request, then run again"


def _problem(**fields: str) -> tuple[PreflightProblem, list[str]]:
    return PreflightProblem(**fields), []


def _is_official(url: str) -> bool:
    return urllib.parse.urlsplit(url).hostname == "api.openai.com"


async def check_backend(settings: Settings) -> tuple[list[PreflightProblem], Settings]:
    """Backend checks that need no model loaded: only remote endpoints are probed.

    With no model set, an endpoint that serves exactly one model (vLLM, llama-server, a relay)
    is used with that model, as a user who gave only the endpoint expects.
    """
    if settings.backend != "openai":
        return [], settings
    problem, served = await asyncio.to_thread(probe_endpoint, settings)
    if problem is not None:
        return [problem], settings
    if not settings.model and len(served) == 1:
        log.warning("no model set: using %s, the one model the endpoint serves", served[0])
        settings = settings.model_copy(update={"model": served[0]})
    return [], settings
