"""``protosmith doctor [--json]``: the environment report; exit 0 when the default backend can run."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from protosmith.exit_codes import ExitCode

SPEC = Path("protosmith.toml")


def _spec_llm() -> dict[str, Any] | None:
    """The ``[llm]`` table of ./protosmith.toml, when there is a valid one."""
    if not SPEC.is_file():
        return None
    from protosmith.spec.loader import load_spec

    result = load_spec(SPEC)
    if result.spec is None:
        return None
    return result.spec.llm.model_dump(exclude_none=True)


def _size(size: int | None) -> str:
    return f"{size / (1 << 20):.1f} MiB" if size else "?"


def render_text(report: Any) -> str:
    """The report as a terminal page."""
    lines = [f"protosmith {report.protosmith}"]
    row = "  {:<12} {}".format
    lines.append(row("python", f"{report.python} ({report.python_executable})"))
    lines.append(row("platform", report.platform))
    status = "ready" if report.backend_ready else "NOT READY"
    detail = report.backend_detail if report.backend_detail not in ("", "ready") else ""
    lines.append(row("backend", f"{report.backend}: {status}" + (f" ({detail})" if detail else "")))
    if report.endpoint:
        lines.append(row("endpoint", report.endpoint))
    model = report.model
    if report.backend == "openai" and not model.name:
        unset = "not set (--model / PROTOSMITH_MODEL; an endpoint serving one model uses it)"
        lines.append(row("model", unset))
    if model.path or model.name:
        detail = f"{model.name}"
        if model.path:
            detail += f" ({_size(model.size_bytes)}, {model.architecture or '?'}, chat format {model.chat_format})"
            detail += f"\n  {'':<12} {model.path}"
        lines.append(row("model", detail))
    if report.backend == "local":
        lines.append(row("llama.cpp", f"llama-cpp-python {report.llama_cpp or 'not installed'}"))
        device = report.device
        offload = "yes" if device.gpu_offload else "no"
        lines.append(row("device", f"{device.kind}: {device.name} (GPU offload: {offload})"))
        for note in device.notes:
            lines.append(row("", note))
    if report.tokenizer:
        exact = "exact" if report.tokenizer_exact else "estimated counts"
        lines.append(row("tokenizer", f"{report.tokenizer} ({exact})"))
    if report.effective:
        lines.append("  limits and knobs in effect (value, where it came from; how to change it):")
        for item in report.effective:
            lines.append(f"    {item.name:<18} {item.value}  [{item.source}]")
            lines.append(f"    {'':<18} set with {item.knobs}")
    if report.limits is not None:
        for warning in report.limits.warnings:
            lines.append(f"  limits: {warning}")
    isolation = {True: "yes", False: "NO", None: "unknown"}[report.network_isolation]
    lines.append(
        row("sandbox", f"network isolation: {isolation} ({report.network_isolation_detail})")
    )
    lines.append("  toolchains for generated tests:")
    for tool in report.toolchains:
        state = (tool.version or "found") if tool.available else f"missing: {tool.install}"
        lines.append(f"    {tool.language:<11} {tool.tool:<7} {state}")
    lines.append("  analyzers for review beyond Python (ruff, bandit and protosmith's own rules):")
    for language, status in report.analyzers.items():
        lines.append(f"    {language:<22} {status}")
    for problem in report.settings_problems:
        lines.append(f"  setting: {problem}")
    if report.missing:
        lines.append("missing:")
        lines.extend(f"  - {fix.what}: {fix.fix}" for fix in report.missing)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 when the configured backend cannot run."""
    from protosmith.report.doctor import collect
    from protosmith.settings import SettingsOverrides, resolve_settings

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="protosmith: %(message)s")
    settings, problems = resolve_settings(SettingsOverrides.from_args(args), _spec_llm())
    report = collect(settings, problems=problems)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(render_text(report))
    return ExitCode.OK if report.ok else ExitCode.FINDINGS
