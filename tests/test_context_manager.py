"""The context manager: within budget always, LRU compression first, overflow is loud."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protosmith.context.manager import (
    BuiltPrompt,
    ContextItem,
    ContextManager,
    ContextOverflow,
    count_messages,
)
from protosmith.llm.scripted import ApproxCounter


class WordCounter:
    """One token per whitespace-separated word: exact for these tests' purposes."""

    exact = True

    def count(self, text: str) -> int:
        return len(text.split())


def item(name: str, size: int = 40) -> ContextItem:
    return ContextItem(
        name=name,
        full=f"# module {name}\n" + "\n".join(f"line_{i} = {i}  # code" for i in range(size)),
        summary=f"{name} keeps records of {name} and validates them.",
        interface="\n".join(f"def {name}_op{i}(value: int) -> int: ..." for i in range(size // 4)),
    )


def build(
    manager: ContextManager, active: ContextItem | None, related: list[ContextItem]
) -> BuiltPrompt:
    return manager.build(
        system="You write Python modules.",
        instruction="Implement the module.",
        architecture_summary="Layered service with repositories.",
        active=active,
        related=related,
    )


def test_everything_fits_in_a_large_budget() -> None:
    manager = ContextManager(WordCounter(), 100_000)
    active = item("orders")
    related = [item("users"), item("billing")]
    prompt = build(manager, active, related)
    assert prompt.compressed == [] and prompt.dropped == []
    assert [m.role for m in prompt.messages] == ["system", "user"]
    user = prompt.messages[1].content
    assert "Layered service with repositories." in user
    assert active.full in user
    assert related[0].interface in user and related[1].summary in user
    assert related[0].full not in user  # related modules never in full
    assert user.rstrip().endswith("Implement the module.")
    assert prompt.tokens == count_messages(WordCounter(), prompt.messages)
    assert prompt.exact


def test_lru_items_are_compressed_first_then_dropped() -> None:
    related = [item(name) for name in ("a", "b", "c", "d")]
    active = item("main", 10)
    manager = ContextManager(WordCounter(), 100_000)
    for name in ("c", "a", "d", "b"):  # recency: c oldest ... b newest
        manager.touch(name)
    lru = ["c", "a", "d", "b"]
    budget = build(manager, active, related).tokens
    seen: list[tuple[list[str], list[str]]] = []
    while True:
        budget -= 1
        manager.max_prompt_tokens = budget
        try:
            prompt = build(manager, active, related)
        except ContextOverflow:
            break
        assert prompt.tokens <= budget
        if not seen or seen[-1] != (prompt.compressed, prompt.dropped):
            seen.append((prompt.compressed, prompt.dropped))
    # Shrinking budgets compress in LRU order, then drop in LRU order.
    expected: list[tuple[list[str], list[str]]] = [(lru[:k], []) for k in range(1, 5)]
    expected += [(lru[k:], lru[:k]) for k in range(1, 5)]
    assert seen == expected
    manager.max_prompt_tokens = budget + 1
    user = build(manager, active, related).messages[1].content
    assert "left out for space: a, b, c, d" in user  # dropped items are named, never silent


def test_untouched_items_go_before_touched_ones() -> None:
    manager = ContextManager(WordCounter(), 10)
    manager.touch("x")
    assert manager.lru_order(["x", "y", "z"]) == ["z", "y", "x"]


def test_active_item_is_never_reduced_and_overflow_is_reported() -> None:
    counter = WordCounter()
    active = item("huge", 400)
    manager = ContextManager(counter, 200)
    with pytest.raises(ContextOverflow) as caught:
        build(manager, active, [item("a")])
    assert caught.value.budget == 200
    assert caught.value.needed > 200
    assert "huge" in str(caught.value) and "--context-tokens" in str(caught.value)
    assert "PROTOSMITH_CONTEXT_TOKENS" in str(caught.value)


def test_active_module_is_not_repeated_in_related() -> None:
    manager = ContextManager(WordCounter(), 100_000)
    active = item("a")
    prompt = build(manager, active, [active, item("b"), item("b")])
    assert prompt.messages[1].content.count("### b") == 1
    assert "### a" not in prompt.messages[1].content


def test_backticks_in_code_do_not_break_fences() -> None:
    manager = ContextManager(WordCounter(), 100_000)
    active = ContextItem("doc", "text\n```python\nx = 1\n```\n", "s", "i")
    prompt = build(manager, active, [])
    assert "````" in prompt.messages[1].content


names = st.lists(
    st.text(alphabet="abcdefghij", min_size=1, max_size=6), min_size=0, max_size=8, unique=True
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    related_names=names,
    sizes=st.lists(st.integers(min_value=0, max_value=120), min_size=8, max_size=8),
    active_size=st.integers(min_value=0, max_value=200),
    budget=st.integers(min_value=20, max_value=3000),
    touches=st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=6), max_size=10),
    with_active=st.booleans(),
)
def test_never_exceeds_budget(
    related_names: list[str],
    sizes: list[int],
    active_size: int,
    budget: int,
    touches: list[str],
    with_active: bool,
) -> None:
    for counter in (WordCounter(), ApproxCounter()):
        manager = ContextManager(counter, budget)
        for name in touches:
            manager.touch(name)
        related = [item(name, size) for name, size in zip(related_names, sizes, strict=False)]
        active = item("active_module", active_size) if with_active else None
        try:
            prompt = build(manager, active, related)
        except ContextOverflow as overflow:
            assert overflow.needed > budget
            continue
        assert prompt.tokens <= budget
        assert prompt.tokens == count_messages(counter, prompt.messages)
        listed = set(prompt.compressed) | set(prompt.dropped)
        assert listed <= set(related_names)
        assert not set(prompt.compressed) & set(prompt.dropped)
        user = prompt.messages[1].content
        if active is not None:
            assert active.full in user
        for name in related_names:
            assert name in user  # every related module is at least named
