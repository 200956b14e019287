"""``protosmith doctor``: what this machine can do, and the command that fixes what is missing.

Fast by design (a few seconds): it imports llama_cpp and reads the model's vocabulary and
metadata, never its weights; a remote endpoint gets one ``GET /models`` with a short timeout.
"""

from __future__ import annotations

import os
import platform
import sys
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel, Field, computed_field

from protosmith import __version__
from protosmith.llm.errors import BackendError
from protosmith.llm.limits import EffectiveLimits, EndpointLimits, settle
from protosmith.settings import Settings

PROBE_TIMEOUT_S = 3.0


class Fix(BaseModel):
    """Something missing and the command that fixes it."""

    what: str
    fix: str


class ModelReport(BaseModel):
    """The model the backend would use."""

    name: str = ""
    path: str | None = None
    size_bytes: int | None = None
    architecture: str = ""
    chat_format: str | None = None


class DeviceReport(BaseModel):
    """Where local inference runs."""

    kind: str = "cpu"
    name: str = ""
    gpu_offload: bool = False
    backends: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class EffectiveValue(BaseModel):
    """One limit or knob in effect, and where its value came from."""

    name: str
    value: str
    source: str
    knobs: str = ""
    """The flag, environment variable and editor setting that change it."""


class ToolchainReport(BaseModel):
    """One tool the generated tests of a language need."""

    language: str
    tool: str
    available: bool
    version: str | None = None
    install: str = ""


class DoctorReport(BaseModel):
    """The whole environment report (``protosmith doctor --json`` prints this)."""

    protosmith: str = __version__
    python: str = Field(default_factory=lambda: sys.version.split()[0])
    python_executable: str = sys.executable
    platform: str = Field(default_factory=platform.platform)
    backend: str
    backend_ready: bool = False
    backend_detail: str = ""
    endpoint: str | None = None
    model: ModelReport = Field(default_factory=ModelReport)
    llama_cpp: str | None = None
    device: DeviceReport = Field(default_factory=DeviceReport)
    tokenizer: str = ""
    tokenizer_exact: bool = False
    toolchains: list[ToolchainReport] = Field(default_factory=list)
    analyzers: dict[str, str] = Field(default_factory=dict)
    """Per language reviewed beyond Python: which analyzer runs, or why none does."""
    network_isolation: bool | None = None
    """None: unknown (the sandbox could not be asked)."""
    network_isolation_detail: str = ""
    settings_problems: list[str] = Field(default_factory=list)
    limits: EffectiveLimits | None = None
    """Context window, completion limit and prompt budget a run would use here."""
    effective: list[EffectiveValue] = Field(default_factory=list)
    """Every limit and knob in effect for the configured endpoint, with its source."""
    missing: list[Fix] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """The default backend can run (the exit status of ``protosmith doctor``)."""
        return self.backend_ready


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _local(settings: Settings, report: DoctorReport) -> None:
    from protosmith.llm.device import build_info, detect_device
    from protosmith.llm.factory import LOCAL_INSTALL_HINT, llama_cpp_installed

    report.llama_cpp = _version("llama_cpp_python") if llama_cpp_installed() else None
    if report.llama_cpp is None:
        report.backend_detail = "llama-cpp-python is not installed"
        report.missing.append(Fix(what="local inference", fix=LOCAL_INSTALL_HINT))
        return
    info = build_info()
    device = detect_device()
    report.device = DeviceReport(
        kind=device.kind,
        name=device.name,
        gpu_offload=info.gpu_offload,
        backends=info.backends,
        notes=list(device.notes),
    )
    for note in device.notes:
        if "rebuild it:" in note:
            report.missing.append(Fix(what="GPU offload", fix=note.split("rebuild it: ", 1)[1]))
    path = _local_model_path(settings, report)
    if path is None:
        return
    report.model.path = str(path)
    report.model.name = path.name
    report.model.size_bytes = path.stat().st_size
    _describe_gguf(settings, path, report)
    window = settings.context_tokens or settings.n_ctx
    _effective(settings, report, settle(settings, model=path.name, backend_window=window))


def _local_model_path(settings: Settings, report: DoctorReport) -> Path | None:
    from protosmith.llm import embedded

    if settings.model:
        path = Path(settings.model).expanduser()
        if not path.is_file():
            report.backend_detail = f"model file not found: {path}"
            report.missing.append(Fix(what="model", fix="pass --model PATH.gguf (or omit --model)"))
            return None
        return path
    target = embedded.assembled_path()
    if target is None:
        report.backend_detail = "the embedded model package is not installed"
        report.missing.append(Fix(what="embedded model", fix=embedded.INSTALL_HINT))
        return None
    if not target.is_file():
        try:
            return embedded.embedded_model_path()
        except BackendError as error:
            report.backend_detail = str(error)
            report.missing.append(
                Fix(what="embedded model", fix="python -m protosmith.llm.embedded")
            )
            return None
    return target


def _describe_gguf(settings: Settings, path: Path, report: DoctorReport) -> None:
    from protosmith.llm.local_worker import choose_chat_format
    from protosmith.llm.tokens import LlamaTokenCounter

    counter = LlamaTokenCounter(path)
    try:
        meta = counter.metadata("general.architecture", "tokenizer.chat_template")
        counter.count("protosmith doctor")
    except (ValueError, OSError) as error:
        report.backend_detail = f"cannot read {path}: {error}"
        report.missing.append(Fix(what="model", fix="pass --model with a valid GGUF file"))
        return
    finally:
        counter.close()
    report.model.architecture = meta.get("general.architecture", "")
    report.model.chat_format = choose_chat_format(meta, settings.chat_format) or (
        "chat_template.default" if "tokenizer.chat_template" in meta else "llama-2"
    )
    report.tokenizer, report.tokenizer_exact = counter.name, True
    report.backend_ready = True
    report.backend_detail = "ready"


def _openai(settings: Settings, report: DoctorReport) -> None:
    from protosmith.llm.openai_backend import OPENAI_URL, is_local_url
    from protosmith.llm.tokens import counter_for_model

    url = (settings.base_url or OPENAI_URL).rstrip("/")
    report.endpoint = url
    report.device = DeviceReport(kind="remote", name=url)
    report.model.name = settings.model or ""
    if _version("openai") is None:
        report.backend_detail = "the openai package is not installed"
        report.missing.append(Fix(what="openai client", fix="pip install 'openai>=3,<4'"))
        return
    key = os.environ.get(settings.api_key_env, "")
    if not key and not is_local_url(url):
        report.backend_detail = f"no API key: {settings.api_key_env} is not set"
        report.missing.append(
            Fix(what="API key", fix=f"export {settings.api_key_env}=... (never put it in a file)")
        )
        return
    counter = counter_for_model(settings.model or "gpt-4o-mini")
    report.tokenizer, report.tokenizer_exact = getattr(counter, "name", "estimate"), counter.exact
    report.backend_ready, report.backend_detail = _probe_endpoint(url, key, settings)
    if not report.backend_ready:
        report.missing.append(Fix(what="endpoint", fix=report.backend_detail))
    endpoint: EndpointLimits | None = None
    if report.backend_ready and settings.model:
        from protosmith.llm.limits import discover_endpoint_limits

        endpoint = discover_endpoint_limits(url, settings.model, api_key=key or None)
    model = settings.model or ("gpt-4o-mini" if "api.openai.com" in url else "")
    _effective(settings, report, settle(settings, model=model, endpoint=endpoint), endpoint, url)


_KNOBS = {
    "context window": "--context-tokens, PROTOSMITH_CONTEXT_TOKENS, protosmith.contextTokens",
    "completion limit": "--max-tokens, PROTOSMITH_MAX_TOKENS, protosmith.maxTokens",
    "prompt budget": "PROTOSMITH_MAX_CONTEXT_TOKENS, protosmith.maxContextTokens",
    "timeout": "--timeout, PROTOSMITH_TIMEOUT, protosmith.timeout",
    "concurrency": "--concurrency, PROTOSMITH_CONCURRENCY, protosmith.concurrency",
    "structured output": "PROTOSMITH_STRUCTURED_MODE, protosmith.structuredMode",
}


def _source(limits_source: str, detail: str = "") -> str:
    return f"{limits_source}: {detail}" if detail else limits_source


def _effective(
    settings: Settings,
    report: DoctorReport,
    limits: EffectiveLimits,
    endpoint: EndpointLimits | None = None,
    url: str = "",
) -> None:
    """Fill ``report.limits`` and the table of effective values for the configured backend."""
    from protosmith.llm.openai_backend import default_structured_mode

    report.limits = limits
    setting = {
        "max_tokens": settings.source("max_tokens"),
        "context_tokens": settings.source("context_tokens"),
    }
    context_source = limits.context_source.value
    if limits.context_source.value == "setting":
        context_source = setting["context_tokens"]
    elif limits.context_source.value == "backend":
        context_source = f"nCtx ({settings.source('n_ctx')})"
    completion_source = limits.max_tokens_source.value
    if completion_source == "setting":
        completion_source = setting["max_tokens"]
    rows = [
        (
            "context window",
            f"{limits.context_window} tokens",
            _source(
                context_source,
                limits.context_detail if limits.context_source.value == "endpoint" else "",
            ),
        ),
        ("completion limit", f"{limits.max_tokens} tokens", completion_source),
        (
            "prompt budget",
            f"{limits.prompt_budget} tokens",
            "context window minus completion limit"
            if limits.prompt_budget_source.value != "setting"
            else settings.source("max_context_tokens"),
        ),
    ]
    if settings.backend == "local":
        rows.append(("timeout", "none (the local model runs in-process)", "backend"))
        rows.append(
            ("concurrency", f"1 (setting {settings.concurrency}; one request at a time)", "backend")
        )
        rows.append(
            ("structured output", "json_object (llama.cpp grammar from the schema)", "backend")
        )
    else:
        rows.append(("timeout", f"{settings.timeout_s:g} s", settings.source("timeout_s")))
        slots = endpoint.parallel_slots if endpoint is not None else None
        concurrency = f"{settings.concurrency}"
        if slots and slots < settings.concurrency:
            concurrency = (
                f"{slots} (setting {settings.concurrency}; the server decodes {slots} at once)"
            )
        rows.append(("concurrency", concurrency, settings.source("concurrency")))
        mode = settings.structured_mode or default_structured_mode(url)
        mode_source = (
            settings.source("structured_mode")
            if settings.structured_mode
            else "default for this endpoint"
        )
        rows.append(("structured output", mode.value, mode_source))
    report.effective = [
        EffectiveValue(name=name, value=value, source=source, knobs=_KNOBS[name])
        for name, value, source in rows
    ]


def _probe_endpoint(url: str, key: str, settings: Settings) -> tuple[bool, str]:
    """One ``GET {url}/models``: reachable, authorised, and serving the model?"""
    if not url.startswith(("http://", "https://")):
        return False, f"{url} is not an http(s) URL: pass --base-url http://host:port/v1"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = urllib.request.Request(f"{url}/models", headers=headers)  # nosec B310
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S) as response:  # nosec B310
            body = response.read(1 << 20).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            return False, f"authentication failed at {url}: set {settings.api_key_env}"
        if error.code == 404 and not url.endswith("/v1") and _answers(f"{url}/v1", headers):
            return (
                False,
                f"{url}/models answered HTTP 404, {url}/v1 works: pass --base-url {url}/v1",
            )
        return (
            False,
            f"{url}/models answered HTTP {error.code}: check --base-url (it usually ends in /v1)",
        )
    except (urllib.error.URLError, OSError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return False, f"cannot reach {url} ({reason}): start the server or fix --base-url"
    if settings.model and settings.model not in body:
        return True, f"reachable, but {settings.model!r} is not listed at {url}/models"
    return True, "reachable"


def _answers(url: str, headers: dict[str, str]) -> bool:
    """True when ``GET {url}/models`` answers 200 (the base URL that works)."""
    request = urllib.request.Request(f"{url}/models", headers=headers)  # nosec B310
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S) as response:  # nosec B310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _toolchains(report: DoctorReport) -> None:
    from protosmith.execution.toolchains import detect

    for tool in detect():
        report.toolchains.append(
            ToolchainReport(
                language=tool.language,
                tool=tool.tool,
                available=tool.available,
                version=tool.version,
                install="" if tool.available else tool.install_hint,
            )
        )
        if not tool.available:
            report.missing.append(
                Fix(what=f"{tool.language} tests ({tool.tool})", fix=tool.install_hint)
            )


def _analyzers(report: DoctorReport) -> None:
    from protosmith.analysis.analyzers import INSTALL_HINT, find_js_analyzer, js_analyzer_status
    from protosmith.analysis.other_languages import analyzer_status

    report.analyzers["javascript/typescript"] = js_analyzer_status()
    report.analyzers.update(analyzer_status())
    if find_js_analyzer() is None:
        report.missing.append(Fix(what="JavaScript/TypeScript static review", fix=INSTALL_HINT))


def _sandbox(report: DoctorReport) -> None:
    from protosmith.execution.sandbox import network_isolation_available

    report.network_isolation, report.network_isolation_detail = network_isolation_available()
    if not report.network_isolation:
        report.missing.append(
            Fix(
                what="network isolation for generated tests",
                fix="apt-get install util-linux iproute2 and allow user namespaces "
                "(sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000)",
            )
        )


def collect(settings: Settings, *, problems: list[str] | None = None) -> DoctorReport:
    """Inspect the environment for ``settings`` (no model weights loaded, no LLM calls)."""
    report = DoctorReport(backend=settings.backend, settings_problems=list(problems or []))
    if settings.backend == "local":
        _local(settings, report)
    elif settings.backend == "openai":
        _openai(settings, report)
    else:
        report.backend_ready = os.environ.get("PROTOSMITH_ALLOW_SCRIPTED") == "1"
        report.backend_detail = "scripted backend (tests only)"
    _toolchains(report)
    _analyzers(report)
    _sandbox(report)
    return report
