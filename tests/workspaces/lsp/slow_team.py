"""A slow scripted team for cancellation and responsiveness tests (test-only backend).

Wraps tests/scripted_team.py's ``reply`` and delays every reply by PROTOSMITH_TEST_DELAY seconds
(default 0.5), so a test can act while a generation is in flight.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripted_team import reply  # noqa: E402

OPTIONS = {"delay_s": float(os.environ.get("PROTOSMITH_TEST_DELAY", "0.5"))}
__all__ = ["OPTIONS", "reply"]
