"""Build every prompt within a token budget, measured with the backend's own token counter.

Policy, in order of what survives longest:

1. the system prompt, the instruction and the architecture summary, always;
2. the active module, in full;
3. related modules as interface plus summary;
4. when over budget, least-recently-used related modules shrink to their summary, then to
   their bare name (reported in ``dropped``);
5. if even that does not fit, :class:`ContextOverflow` says by how much. Nothing is ever
   truncated silently.

Counts are taken on the final rendered messages (BPE counts are not additive), so
``BuiltPrompt.tokens`` is the exact figure the budget was checked against.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from protosmith.llm.base import Message, TokenCounter
from protosmith.llm.limits import CONTEXT_KNOBS
from protosmith.llm.tokens import MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMER_TOKENS, count_messages
from protosmith.prompts import render

__all__ = [
    "MESSAGE_OVERHEAD_TOKENS",
    "REPLY_PRIMER_TOKENS",
    "BuiltPrompt",
    "ContextItem",
    "ContextManager",
    "ContextOverflow",
    "count_messages",
]
TEMPLATE = "context_prompt.j2"

Level = Literal["interface", "summary", "name"]
_BACKTICKS = re.compile(r"`{3,}")


@dataclass
class ContextItem:
    """A module as the context manager sees it, at three levels of detail."""

    name: str
    full: str
    summary: str
    interface: str


@dataclass
class BuiltPrompt:
    """Messages ready to send, their measured size, and what was reduced to fit."""

    messages: list[Message]
    tokens: int
    compressed: list[str] = field(default_factory=list)
    """Related modules reduced to their summary, least recently used first."""
    dropped: list[str] = field(default_factory=list)
    """Related modules reduced to their name only, least recently used first."""
    exact: bool = True
    """False when the token counter is an estimate."""
    budget: int = 0


class ContextOverflow(Exception):
    """Even the minimum prompt does not fit the budget."""

    def __init__(self, needed: int, budget: int, active: str | None) -> None:
        what = f"the full code of {active!r}" if active else "no active module"
        super().__init__(
            f"prompt needs at least {needed} tokens (system, instruction, architecture summary, "
            f"{what}, related modules by name only) but the budget is {budget} tokens; if the "
            f"model's context window is larger than protosmith assumed, say so with {CONTEXT_KNOBS} "
            "(the budget is the window minus the completion limit, --max-tokens / "
            "PROTOSMITH_MAX_TOKENS); else use a model with a larger window, or split the module "
            "into smaller components"
        )
        self.needed = needed
        self.budget = budget
        self.active = active


def _fence(texts: list[str]) -> str:
    longest = max((len(run) for text in texts for run in _BACKTICKS.findall(text)), default=2)
    return "`" * max(3, longest + 1)


class ContextManager:
    """Plans prompts under ``max_prompt_tokens`` and remembers which modules were used last."""

    def __init__(self, counter: TokenCounter, max_prompt_tokens: int) -> None:
        if max_prompt_tokens < 1:
            raise ValueError(f"max_prompt_tokens must be positive, got {max_prompt_tokens}")
        self.counter = counter
        self.max_prompt_tokens = max_prompt_tokens
        self._tick = 0
        self._last_used: dict[str, int] = {}

    def touch(self, name: str) -> None:
        """Mark ``name`` as just used: it is compressed after every module used earlier."""
        self._tick += 1
        self._last_used[name] = self._tick

    def lru_order(self, names: list[str]) -> list[str]:
        """``names`` from least to most recently used; unused ones first, later-listed first."""
        position = {name: index for index, name in enumerate(names)}
        return sorted(names, key=lambda name: (self._last_used.get(name, 0), -position[name]))

    def build(
        self,
        *,
        system: str,
        instruction: str,
        architecture_summary: str,
        active: ContextItem | None,
        related: list[ContextItem],
    ) -> BuiltPrompt:
        """The prompt for one call, within budget; marks ``active`` as used."""
        if active is not None:
            self.touch(active.name)
        unique: dict[str, ContextItem] = {}
        for item in related:
            if (active is None or item.name != active.name) and item.name not in unique:
                unique[item.name] = item
        items = list(unique.values())
        render_at = self._renderer(system, instruction, architecture_summary, active, items)
        victims = self.lru_order([item.name for item in items])
        steps: list[tuple[str, Level]] = [(name, "summary") for name in victims]
        steps += [(name, "name") for name in victims]

        def attempt(k: int) -> tuple[list[Message], int, dict[str, Level]]:
            levels: dict[str, Level] = {item.name: "interface" for item in items}
            for name, level in steps[:k]:
                levels[name] = level
            messages = render_at(levels)
            return messages, count_messages(self.counter, messages), levels

        best = attempt(0)
        if best[1] > self.max_prompt_tokens:
            smallest = attempt(len(steps))
            if smallest[1] > self.max_prompt_tokens:
                raise ContextOverflow(
                    smallest[1], self.max_prompt_tokens, active.name if active else None
                )
            best = smallest
            low, high = 1, len(steps)  # fits at high; find the fewest reductions that fit
            while low < high:
                middle = (low + high) // 2
                candidate = attempt(middle)
                if candidate[1] <= self.max_prompt_tokens:
                    best, high = candidate, middle
                else:
                    low = middle + 1
        messages, tokens, levels = best
        return BuiltPrompt(
            messages=messages,
            tokens=tokens,
            compressed=[name for name in victims if levels[name] == "summary"],
            dropped=[name for name in victims if levels[name] == "name"],
            exact=bool(getattr(self.counter, "exact", False)),
            budget=self.max_prompt_tokens,
        )

    def _renderer(
        self,
        system: str,
        instruction: str,
        architecture_summary: str,
        active: ContextItem | None,
        items: list[ContextItem],
    ) -> Callable[[dict[str, Level]], list[Message]]:
        texts = [item.interface for item in items] + ([active.full] if active else [])
        fence = _fence(texts)

        def render_levels(levels: dict[str, Level]) -> list[Message]:
            shown = [
                {
                    "name": i.name,
                    "level": levels[i.name],
                    "summary": i.summary,
                    "interface": i.interface,
                }
                for i in items
                if levels[i.name] != "name"
            ]
            omitted = [item.name for item in items if levels[item.name] == "name"]
            user = render(
                TEMPLATE,
                architecture_summary=architecture_summary,
                related=shown,
                omitted=omitted,
                active=active,
                instruction=instruction,
                fence=fence,
            )
            return [Message(role="system", content=system), Message(role="user", content=user)]

        return render_levels
