"""Concurrent work does not interfere: two generations at once, a review during a generation."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from hardening_support import (
    HELLO,
    journal_events,
    make_workspace,
    output_files,
    run_generate,
    small_spec_text,
    temp_files,
)
from protosmith.llm.scripted import ScriptedBackend
from protosmith.services.review import review
from scripted_team import Team

TWO = small_spec_text()
THREE = small_spec_text("core; catalog>core; orders>catalog")
DELAY_S = 0.01
REVIEWED = Path(__file__).resolve().parent.parent / "server" / "protosmith" / "pipeline"


async def _alone(root: Path, text: str) -> dict[str, bytes]:
    spec = make_workspace(root, text=text)
    summary = await run_generate(spec, ScriptedBackend(function=Team().reply), concurrency=2)
    assert summary.status == "succeeded", summary.message
    return output_files(spec.parent)


async def test_two_generations_at_once_match_each_alone(tmp_path: Path) -> None:
    expected_two = await _alone(tmp_path / "alone-two", TWO)
    expected_three = await _alone(tmp_path / "alone-three", THREE)
    first = make_workspace(tmp_path / "a", text=TWO)
    second = make_workspace(tmp_path / "b", text=THREE)
    backends = [ScriptedBackend(function=Team().reply, delay_s=DELAY_S) for _ in range(2)]
    one, two = await asyncio.gather(
        run_generate(first, backends[0], concurrency=2),
        run_generate(second, backends[1], concurrency=2),
    )
    assert one.status == two.status == "succeeded"
    assert output_files(first.parent) == expected_two
    assert output_files(second.parent) == expected_three
    # Each backend saw only its own project's components.
    asked_first = "\n".join(m.content for r in backends[0].requests for m in r.messages)
    assert '"catalog"' not in asked_first
    for spec, summary in ((first, one), (second, two)):
        assert not temp_files(spec.parent)
        assert journal_events(spec.parent, summary.run_id)[-1]["kind"] == "run_finished"


async def test_same_workspace_twice_at_once_stays_whole(tmp_path: Path) -> None:
    expected = await _alone(tmp_path / "alone", TWO)
    spec = make_workspace(tmp_path / "shared", text=TWO)
    backends = [ScriptedBackend(function=Team().reply, delay_s=DELAY_S) for _ in range(2)]
    results = await asyncio.gather(*(run_generate(spec, b, concurrency=2) for b in backends))
    assert {r.status for r in results} == {"succeeded"}
    assert results[0].run_id != results[1].run_id
    assert output_files(spec.parent) == expected
    assert not temp_files(spec.parent)


async def _heartbeat(stop: asyncio.Event, gaps: list[float]) -> None:
    """Ticks on the event loop; the longest gap says how long the loop was blocked."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = loop.time()
        gaps.append(now - last)
        last = now


async def test_review_during_a_generation_does_not_interfere(tmp_path: Path) -> None:
    expected = await _alone(tmp_path / "alone", THREE)
    tree = tmp_path / "tree"
    shutil.copytree(REVIEWED, tree / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    baseline = await review([tree], root=tree)
    spec = make_workspace(tmp_path / "ws", text=THREE)
    started = asyncio.Event()

    def progress(event: object) -> None:
        started.set()

    backend = ScriptedBackend(function=Team().reply, delay_s=0.05)
    job = asyncio.create_task(run_generate(spec, backend, concurrency=2, progress=progress))
    stop, gaps = asyncio.Event(), []
    beat = asyncio.create_task(_heartbeat(stop, gaps))
    await started.wait()
    during, output = await asyncio.gather(
        review([tree], root=tree), review([spec.parent / "prototype"], root=spec.parent)
    )
    summary = await job
    stop.set()
    await beat
    assert summary.status == "succeeded", summary.message
    assert output_files(spec.parent) == expected
    key = [(f.path, f.code, f.range.start.line) for f in baseline.findings]
    assert [(f.path, f.code, f.range.start.line) for f in during.findings] == key
    assert all(Path(f).suffix for f in output.files)  # reviewed whole files only
    # The review's tools run off the event loop: the generation kept being served.
    assert max(gaps) < 2.0, f"event loop blocked for {max(gaps):.2f}s during a review"


async def test_hello_and_review_in_parallel_with_shared_event_loop(tmp_path: Path) -> None:
    """Many small jobs on one loop: every generation completes, none sees another's files."""
    specs = [make_workspace(tmp_path / f"w{i}", HELLO) for i in range(4)]
    results = await asyncio.gather(
        *(run_generate(s, ScriptedBackend(function=Team().reply, delay_s=DELAY_S)) for s in specs)
    )
    assert {r.status for r in results} == {"succeeded"}
    reference = output_files(specs[0].parent)
    for spec in specs[1:]:
        assert output_files(spec.parent) == reference
