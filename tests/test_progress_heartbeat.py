"""A plain progress display is never silent for minutes during a long local call."""

from __future__ import annotations

import io
import time

from protosmith.pipeline.api import ProgressEvent
from protosmith.report.progress import PlainProgress


def test_a_quiet_stretch_prints_what_the_run_waits_for() -> None:
    stream = io.StringIO()
    display = PlainProgress(stream, heartbeat_s=0.1)
    try:
        display(
            ProgressEvent(
                run_id="r", stage="implement", message="implement:hello started", done=2, total=8
            )
        )
        deadline = time.monotonic() + 5
        while "still working" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        display.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[2/8] implement: implement:hello started (0 tokens)"
    assert "still working" in lines[1] and "implement:hello started" in lines[1]
