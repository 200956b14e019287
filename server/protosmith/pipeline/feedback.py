"""Test output as a repair prompt shows it: stable across runs, deduplicated, cut to what matters.

Raw output is neither: it holds the sandbox's random temp path, pytest's timings and
``0x...`` object addresses (so an unchanged re-run would miss the LLM cache), and one
collection error can repeat hundreds of times. Here each distinct line is kept once, at its
first occurrence, with the number of repeats, and the failing cases come first.
"""

from __future__ import annotations

import re
from collections import Counter

from protosmith.execution.api import TestRunResult

LIMIT = 6000
_CASES = 25
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/[\w./-]*?protosmith-(?:run|sbx|check)-[\w]+(?:/project)?/?"), ""),
    (re.compile(r"/[\w./-]*?/pytest-of-[\w-]+/pytest-\d+/"), "<tmp>/"),
    (re.compile(r"/tmp/tmp[\w]{6,}/?"), "<tmp>/"),
    (re.compile(r"\b0x[0-9a-fA-F]{4,}\b"), "0x…"),
    (re.compile(r"\bin \d+(?:\.\d+)?s\b"), "in <t>"),
    (re.compile(r"\(\d+(?:\.\d+)?s\)"), "(<t>)"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?m?s\b(?= *(?:$|\)|,|\]))", re.M), "<t>"),
    (re.compile(r"duration_ms:? [\d.]+"), "duration_ms <t>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\bport \d{4,5}\b|127\.0\.0\.1:\d{4,5}|localhost:\d{4,5}"), "<host:port>"),
    (re.compile(r"\bpid[ =:]\d+", re.I), "pid <n>"),
)  # fmt: skip


def normalise(text: str) -> str:
    """``text`` without what changes from one run to the next (paths, timings, addresses)."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def dedupe(text: str) -> str:
    """Each distinct non-trivial line once, where it first appears, with its repeat count."""
    lines = text.splitlines()
    counts = Counter(line.strip() for line in lines if len(line.strip()) > 3)
    kept: list[str] = []
    shown: set[str] = set()
    for line in lines:
        key = line.strip()
        if len(key) <= 3:
            if not kept or kept[-1].strip() or key:
                kept.append(line)
            continue
        if key in shown:
            continue
        shown.add(key)
        repeats = counts[key]
        kept.append(f"{line}  [repeated {repeats} times]" if repeats > 1 else line)
    return "\n".join(kept).strip()


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit * 2 // 3]
    tail = text[-limit // 3 :]
    return f"{head}\n[... {len(text) - len(head) - len(tail)} characters cut ...]\n{tail}"


def digest(result: TestRunResult, limit: int = LIMIT) -> str:
    """The failing cases (first message of each distinct failure) and the cleaned output."""
    failing = [case for case in result.cases if case.outcome in ("failed", "error")]
    messages: Counter[str] = Counter()
    first: dict[str, str] = {}
    for case in failing:
        message = normalise(case.message.strip().splitlines()[0] if case.message.strip() else "")
        messages[message] += 1
        first.setdefault(message, normalise(case.name))
    lines = []
    for message, count in list(messages.items())[:_CASES]:
        more = f" (and {count - 1} more test(s) with the same error)" if count > 1 else ""
        lines.append(f"{first[message]}: {message}{more}".rstrip(": "))
    if len(messages) > _CASES:
        lines.append(f"[{len(messages) - _CASES} more distinct failures]")
    summary = (
        f"{result.passed} passed, {result.failed} failed, {result.errors} errors"
        if result.cases
        else ""
    )
    body = dedupe(normalise(result.output or ""))
    reason = dedupe(normalise(result.reason)) if result.reason else ""
    parts = [part for part in (summary, "\n".join(lines), reason, body) if part]
    return _cut("\n\n".join(parts), limit)
