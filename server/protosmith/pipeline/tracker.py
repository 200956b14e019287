"""Progress of one run: finished tasks counted, events forwarded with the token totals."""

from __future__ import annotations

from typing import Any

from protosmith.pipeline.api import ProgressCallback, ProgressEvent
from protosmith.pipeline.budget import Accountant


class ProgressTracker:
    """Counts finished tasks and forwards progress events with the run's token totals.

    ``total`` is 0 (unknown) until the architecture is designed; from then on it is the number
    of graph tasks plus the architecture and documentation steps, and never changes.
    """

    def __init__(self, run_id: str, callback: ProgressCallback | None, accountant: Accountant):
        self.run_id, self.callback, self.accountant = run_id, callback, accountant
        self.done, self.total = 0, 0

    def emit(self, stage: str, message: str) -> None:
        if self.callback is None:
            return
        total = self.accountant.run_total()
        self.callback(
            ProgressEvent(
                run_id=self.run_id,
                stage=stage,
                message=message,
                done=self.done,
                total=self.total,
                prompt_tokens=total.prompt_tokens,
                completion_tokens=total.completion_tokens,
                cost_usd=total.cost_usd,
            )
        )

    def journaled(self, event: dict[str, Any]) -> None:
        """Journal listener: long steps inside a task (automatic fixing) report progress too."""
        if event.get("kind") == "remediation_started":
            self.emit(
                "review",
                f"review:{event.get('component')} fixing {event.get('code')} at "
                f"{event.get('where')} (attempt {event.get('attempt')} of {event.get('attempts')})",
            )
