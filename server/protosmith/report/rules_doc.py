"""Generate ``docs/rules.md`` from the rule registry, so docs and diagnostics never drift.

``python -m protosmith.report.rules_doc`` rewrites the file; ``--check`` exits 1 when it is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from protosmith.rulebook import RULES
from protosmith.rules import Rule

_SECTIONS = (
    (
        "PS1",
        "Spec (PS1xx)",
        "Problems in `protosmith.toml`, reported by `protosmith check` and live in the editor.",
    ),
    ("PS2", "Quality (PS2xx)", "Code quality, from ruff and the LLM review."),
    (
        "PS3",
        "Security (PS3xx)",
        "Security, from protosmith's taint rules, bandit and the LLM review; each carries a CWE.",
    ),
    ("PS4", "Performance (PS4xx)", "Performance, from the AST analyzer and the LLM review."),
    ("PS5", "Tests (PS5xx)", "Generated tests that failed or could not run, from real test runs."),
    ("PS6", "Requirement coverage (PS6xx)", "Acceptance criteria not traced to code and tests."),
)


def load_all() -> dict[str, Rule]:
    """Every rule, sorted by code."""
    return dict(RULES)


def render(rules: dict[str, Rule]) -> str:
    """The Markdown text of docs/rules.md."""
    out = [
        "# protosmith rules",
        "",
        "Generated from the rule registry by `python -m protosmith.report.rules_doc`; do not edit by hand.",
        'Every diagnostic protosmith emits has `source` "protosmith", one of these codes, and a link here.',
        "Suppress a finding on a line with `# protosmith: ignore[CODE] reason`. The reason is optional",
        "(a bare `# protosmith: ignore[CODE]` suppresses too, and that is what the editor's *Ignore",
        "this finding* inserts: at the end of the line, or on a line of its own above it when the",
        "line already ends in a comment) but worth writing: it is kept with the finding",
        "(`evidence.detail`), and suppressed findings stay visible in JSON and SARIF.",
        "",
    ]
    for prefix, title, blurb in _SECTIONS:
        members = [rule for code, rule in rules.items() if code.startswith(prefix)]
        if not members:
            continue
        out += [f"## {title}", "", blurb, ""]
        for rule in members:
            out += [f"### {rule.code}", "", f"**{rule.name}** (default severity: {rule.severity}"]
            out[-1] += f", CWE-{rule.cwe})" if rule.cwe else ")"
            out += ["", rule.summary, ""]
            if rule.fix:
                out += [f"Fix: {rule.fix}", ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write or check docs/rules.md."""
    parser = argparse.ArgumentParser(prog="python -m protosmith.report.rules_doc")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--path", type=Path, default=Path("docs/rules.md"))
    args = parser.parse_args(argv)
    text = render(load_all())
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(
                f"{args.path} is stale: run python -m protosmith.report.rules_doc", file=sys.stderr
            )
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
