"""Context benchmark: prompt tokens of the context manager against sending all code every time.

A 24-component prototype (the scheduler benchmark's dependency shapes) with generated
modules of realistic size. Every component gets three calls (implementation, tests, review)
that see its own code in full and its dependencies' interfaces; one integration call sees
every component. The naive strategy (the seed's) puts every module's full code in every call.
Both are counted with the same real tokenizer (tiktoken o200k via ``protosmith.llm.tokens``
when it loads offline, else bytes/4, reported in ``params``).
"""

from __future__ import annotations

import random
from typing import Any

from bench.common import record
from bench.scheduler import Component, make_components
from protosmith.context.manager import ContextItem, ContextManager, ContextOverflow, count_messages
from protosmith.llm.base import Message, TokenCounter
from protosmith.llm.scripted import ApproxCounter

SYSTEM = "You are a senior engineer. Write complete, tested, production-quality Python."
ARCHITECTURE = (
    "Layered service: HTTP handlers call services, services call repositories; events flow "
    "through an in-process bus. Each component owns its data and exposes a typed interface."
)
INSTRUCTIONS = {
    "implementation": "Implement the module {name} against its interface and its dependencies.",
    "tests": "Write pytest tests for {name}: unit, edge cases and integration with its dependencies.",
    "review": "Review {name} for correctness, security and performance; cite line numbers.",
}
WORDS = ("record", "value", "user", "order", "account", "event", "cache", "index", "token")


def _counter() -> tuple[TokenCounter, str]:
    try:
        from protosmith.llm.tokens import counter_for_model

        counter: TokenCounter = counter_for_model("gpt-4o")
        return counter, getattr(counter, "name", type(counter).__name__)
    except ImportError:
        return ApproxCounter(), "bytes/4"


def make_module(component: Component, rng: random.Random, functions: int) -> ContextItem:
    """A generated module with docstrings and bodies, its interface and its summary."""
    name = component.name
    signatures, bodies = [], []
    for index in range(functions):
        noun = rng.choice(WORDS)
        signature = (
            f"def {noun}_{name}_{index}(items: list[dict[str, int]], limit: int = 10) -> int:"
        )
        doc = f'    """Return the number of {noun}s in ``items`` above ``limit`` for {name}."""'
        body = "\n".join(
            [
                "    total = 0",
                "    for item in items:",
                f"        value = item.get('{noun}', 0)",
                "        if value > limit:",
                "            total += value - limit",
                "        elif value < 0:",
                f"            raise ValueError('negative {noun} in {name}')",
                "    return total",
            ]
        )
        signatures.append(f"{signature}\n{doc}")
        bodies.append(f"{signature}\n{doc}\n{body}\n")
    header = f'"""Component {name}: depends on {", ".join(component.deps) or "nothing"}."""\n\n'
    return ContextItem(
        name=name,
        full=header + "\n\n".join(bodies),
        summary=f"{name} aggregates {', '.join(sorted(set(WORDS[:4])))} records; "
        f"{functions} functions; depends on {', '.join(component.deps) or 'nothing'}.",
        interface="\n".join(signatures),
    )


def _naive(counter: TokenCounter, modules: list[ContextItem], instruction: str) -> int:
    code = "\n\n".join(f"# {m.name}\n{m.full}" for m in modules)
    user = f"{ARCHITECTURE}\n\n{code}\n\n{instruction}"
    messages = [Message(role="system", content=SYSTEM), Message(role="user", content=user)]
    return count_messages(counter, messages)


def measure(components: int, functions: int, budget: int) -> dict[str, Any]:
    """Token totals for our prompts and for the naive ones, and how many exceed the budget."""
    counter, counter_name = _counter()
    rng = random.Random(11)
    specs = make_components(components)
    modules = {c.name: make_module(c, rng, functions) for c in specs}
    everything = list(modules.values())
    manager = ContextManager(counter, budget)
    ours = naive = ours_over = naive_over = calls = compressed = dropped = 0
    plan: list[tuple[str, ContextItem | None, list[ContextItem]]] = []
    for spec in specs:
        related = [modules[dep] for dep in spec.deps]
        for text in INSTRUCTIONS.values():
            plan.append((text.format(name=spec.name), modules[spec.name], related))
    plan.append(("Write README.md and API.md for the whole prototype.", None, everything))
    for instruction, active, related in plan:
        calls += 1
        naive_tokens = _naive(counter, everything, instruction)
        naive += naive_tokens
        naive_over += naive_tokens > budget
        try:
            prompt = manager.build(
                system=SYSTEM,
                instruction=instruction,
                architecture_summary=ARCHITECTURE,
                active=active,
                related=related,
            )
        except ContextOverflow:
            ours_over += 1
            continue
        ours += prompt.tokens
        compressed += len(prompt.compressed)
        dropped += len(prompt.dropped)
    return {
        "components": components,
        "calls": calls,
        "budget": budget,
        "ours_tokens": ours,
        "naive_tokens": naive,
        "ours_over_budget": ours_over,
        "naive_over_budget": naive_over,
        "compressed_items": compressed,
        "dropped_items": dropped,
        "counter": counter_name,
        "exact": bool(getattr(counter, "exact", False)),
        "module_tokens_mean": round(
            sum(counter.count(m.full) for m in everything) / max(1, len(everything))
        ),
    }


def run(*, components: int = 24, functions: int = 24, budget: int = 6144) -> None:
    """Run the context benchmark and record its figures."""
    result = measure(components, functions, budget)
    record(
        "context.prompt_tokens_vs_naive",
        result["ours_tokens"] / max(1, result["naive_tokens"]),
        "ratio (lower is better)",
        "naive: every module's full code in every call, same calls, same tokenizer",
        result,
    )
    record(
        "context.prompts_over_budget",
        result["ours_over_budget"],
        "prompts",
        f"naive: {result['naive_over_budget']} of {result['calls']} prompts over "
        f"the {budget}-token budget",
        result,
    )
