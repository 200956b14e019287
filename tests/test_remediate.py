"""Critical findings in a generation run are remediated: mechanical fixes applied, others refined."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from protosmith.analysis.findings import Position, Range, TextEdit
from protosmith.llm.scripted import ScriptedBackend
from protosmith.pipeline.remediate import apply_text_edits, remediate
from protosmith.pipeline.writer import SafeWriter
from protosmith.services.review import review

FIXTURE = Path(__file__).parent / "workspaces" / "remediate"


def _edit(line: int, start: int, end_line: int, end: int, text: str) -> TextEdit:
    return TextEdit(
        path="x",
        range=Range(
            start=Position(line=line, character=start), end=Position(line=end_line, character=end)
        ),
        new_text=text,
    )


def test_apply_text_edits_in_reverse_order() -> None:
    text = "alpha\nbeta\ngamma\n"
    edits = [_edit(0, 0, 0, 5, "ALPHA"), _edit(2, 1, 2, 3, "AM"), _edit(1, 0, 2, 0, "")]
    assert apply_text_edits(text, edits) == "ALPHA\ngAMma\n"


async def test_critical_findings_are_fixed_and_recorded(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    component = workspace / "out" / "comp"
    app = component / "app.py"
    findings = (await review([component], root=workspace)).findings
    assert {f.code for f in findings if f.active and f.severity == "critical"} >= {"PS302", "PS304"}
    safe = (
        app.read_text()
        .replace(
            'subprocess.check_output("ls " + request.args["d"], shell=True)',
            'subprocess.check_output(["ls", "--", request.args["d"]])',
        )
        .replace("yaml.load(", "yaml.safe_load(")
    )
    backend = ScriptedBackend([json.dumps({"files": [{"path": "app.py", "content": safe}]})])
    writer = SafeWriter(workspace / "out", workspace=workspace)
    outcomes = await remediate(findings, writer=writer, backend=backend, component_root=component)
    by_code = {entry["code"]: entry["outcome"] for entry in outcomes}
    assert by_code["PS304"].startswith("applied mechanical fix")
    assert by_code["PS302"].startswith("refined"), by_code["PS302"]
    text = app.read_text()
    assert "yaml.safe_load(request.data)" in text
    assert "shell=True" not in text
    remaining = (await review([component], root=workspace)).findings
    assert not [f for f in remaining if f.active and f.severity == "critical"]
