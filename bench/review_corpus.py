"""True/false positive rates per vulnerability class on tests/corpus/security: protosmith vs bandit.

Run with ``python -m bench.review_corpus``. Each corpus file's first line names the findings it
must produce (``# expect: PS301@12``) or ``# expect: none``; its class comes from its file name.
A tool detects a file when it reports an active finding of the file's class (bandit results are
mapped to classes by test id, the same mapping protosmith uses to merge them).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from protosmith.analysis.findings import Tier
from protosmith.analysis.rules import BY_CODE
from protosmith.analysis.static_tools import BANDIT_KINDS
from protosmith.services.review import review

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "security"
PREFIX_CLASS = {
    "sqli": "sqli",
    "cmdi": "cmdi",
    "codeinj": "codeinj",
    "deser": "deserialization",
    "path": "pathtraver",
    "redirect": "redirect",
    "xss": "xss",
    "xxe": "xxe",
    "ldap": "ldapi",
    "xpath": "xpathi",
    "ssrf": "ssrf",
    "cookie": "securecookie",
    "hash": "hash",
    "weakrand": "weakrand",
    "secret": "secret",
    "debug": "debug",
    "tls": "tls",
    "trustbound": "trustbound",
    "ciphermode": "ciphermode",
}
FILE_CLASS = {
    "flow_configparser.py": "cmdi",
    "flow_configparser_safe.py": "cmdi",
    "flow_list_pop.py": "codeinj",
    "flow_list_pop_safe.py": "codeinj",
    "flow_wrapper_thing.py": "pathtraver",
    "flow_tuple_unpack_safe.py": "cmdi",
    "flow_ternary_safe.py": "cmdi",
    "flow_tainted_helper_return.py": "cmdi",
    "suppressed_ok.py": "cmdi",
    "cookie_session_no_httponly.py": "httponly",
    "cookie_spa_token_kwargs.py": "httponly",
    "cookie_django_remember_me.py": "httponly",
    "cookie_aiohttp_session_httponly_off.py": "httponly",
}


@dataclass
class Case:
    """One corpus file: its class and whether it is vulnerable."""

    name: str
    kind: str
    vulnerable: bool


def expectations(path: Path) -> set[str]:
    """``{"PS301@12", ...}`` from the file's ``# expect:`` header (empty for ``none``)."""
    header = path.read_text(encoding="utf-8").splitlines()[0]
    if not header.startswith("# expect:"):
        raise ValueError(f"{path.name}: first line must be '# expect: ...'")
    body = header.split(":", 1)[1].strip()
    return set() if body == "none" else {item.strip() for item in body.split(",")}


def cases() -> list[Case]:
    """Every corpus file with its class."""
    result = []
    for path in sorted(CORPUS.glob("*.py")):
        kind = FILE_CLASS.get(path.name) or PREFIX_CLASS[path.name.split("_", 1)[0]]
        result.append(Case(path.name, kind, bool(expectations(path))))
    return result


def protosmith_detections() -> dict[str, set[str]]:
    """Classes protosmith reports (active, confirmed findings) per file."""
    result = asyncio.run(review([CORPUS], root=CORPUS))
    found: dict[str, set[str]] = {}
    for finding in result.findings:
        confirmed = finding.tier == Tier.CONFIRMED  # the unconfirmed tier says "maybe"
        if finding.active and confirmed and finding.code in BY_CODE:
            found.setdefault(finding.path, set()).add(BY_CODE[finding.code].kind)
    return found


def bandit_detections() -> dict[str, set[str]]:
    """Classes bandit alone reports per file (all results, as bandit users see them)."""
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "-f", "json", "-q", "-r", str(CORPUS)],
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[str, set[str]] = {}
    for item in json.loads(done.stdout or "{}").get("results", []):
        kind = BANDIT_KINDS.get(item["test_id"])
        if kind:
            found.setdefault(Path(item["filename"]).name, set()).add(kind)
    return found


def rates(
    detections: dict[str, set[str]], all_cases: list[Case]
) -> dict[str, tuple[float, float, int, int]]:
    """Per class: (TPR, FPR, vulnerable count, safe count)."""
    table: dict[str, tuple[float, float, int, int]] = {}
    for kind in sorted({c.kind for c in all_cases}):
        vulnerable = [c for c in all_cases if c.kind == kind and c.vulnerable]
        safe = [c for c in all_cases if c.kind == kind and not c.vulnerable]
        tp = sum(kind in detections.get(c.name, set()) for c in vulnerable)
        fp = sum(kind in detections.get(c.name, set()) for c in safe)
        table[kind] = (
            tp / len(vulnerable) if vulnerable else 0.0,
            fp / len(safe) if safe else 0.0,
            len(vulnerable),
            len(safe),
        )
    return table


def report() -> str:
    """The comparison table as text, with the mean score (TPR - FPR) of each tool."""
    all_cases = cases()
    ours = rates(protosmith_detections(), all_cases)
    theirs = rates(bandit_detections(), all_cases)
    lines = [
        f"{'class':16} {'vuln':>4} {'safe':>4}   {'protosmith TPR/FPR':>20}   {'bandit TPR/FPR':>16}"
    ]
    for kind in ours:
        tpr, fpr, n_vuln, n_safe = ours[kind]
        btpr, bfpr, _, _ = theirs[kind]
        lines.append(
            f"{kind:16} {n_vuln:4} {n_safe:4}   {tpr:9.2f} / {fpr:4.2f}      {btpr:9.2f} / {bfpr:4.2f}"
        )
    score = sum(t - f for t, f, _, _ in ours.values()) / len(ours)
    bandit_score = sum(t - f for t, f, _, _ in theirs.values()) / len(theirs)
    lines.append(f"mean score (TPR - FPR): protosmith {score:.2f}, bandit {bandit_score:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
