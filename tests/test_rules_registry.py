"""Every documented rule is known to a process that imported only what the language server does.

Rules used to register as a side effect of importing their table, and the server never imported
the execution or LLM-review tables, so PS505 and PS601 diagnostics had no documentation link.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from protosmith.rulebook import RULE_TABLES, index
from protosmith.rules import Rule

ROOT = Path(__file__).parent.parent

PROBE = """
import json, sys
import protosmith.lsp.server  # what `protosmith serve` imports, nothing more
from protosmith.lsp.convert import rule_name
codes = json.loads(sys.argv[1])
print(json.dumps([code for code in codes if not rule_name(code)]))
"""


def documented_codes() -> list[str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    return re.findall(r"^### (PS\d{3})$", text, re.MULTILINE)


def test_the_server_knows_every_documented_rule() -> None:
    codes = documented_codes()
    assert {"PS505", "PS601"} <= set(codes)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(codes)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert json.loads(probe.stdout) == []


def test_one_code_defined_twice_differently_is_refused() -> None:
    first = Rule("PS999", "one", "One.")
    assert index([(first,), (first,)]) == {"PS999": first}
    with pytest.raises(ValueError, match="PS999"):
        index([(first,), (Rule("PS999", "other", "Other."),)])


def test_every_table_is_listed() -> None:
    codes = {rule.code for table in RULE_TABLES for rule in table}
    assert codes == set(documented_codes())
