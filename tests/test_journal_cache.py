"""The run journal (durable, redacted) and the content-addressed LLM cache."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from protosmith.llm.base import Backend, Completion, CompletionRequest, Message, Usage
from protosmith.llm.errors import BackendError
from protosmith.llm.scripted import ScriptedBackend
from protosmith.pipeline.budget import Accountant, BudgetExceeded
from protosmith.pipeline.cache import CachingBackend, cache_key
from protosmith.pipeline.journal import Journal, latest_run, list_runs
from protosmith.spec.model import Budget

SECRET = "supersecret-value-0123456789"


def request(text: str = "hello", **extra: object) -> CompletionRequest:
    return CompletionRequest(messages=[Message(role="user", content=text)], **extra)  # type: ignore[arg-type]


# --- journal ---------------------------------------------------------------------------


def test_create_event_reopen(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path)
    assert journal.run_dir == tmp_path / ".protosmith" / "runs" / journal.run_id
    assert (tmp_path / ".protosmith" / ".gitignore").read_text() == "*\n"
    journal.event("run_started", spec="protosmith.toml")
    journal.event("task", id="impl:users", n=1)
    again = Journal.open(tmp_path, journal.run_id)
    kinds = [e["kind"] for e in again.events()]
    assert kinds == ["run_started", "task"]
    assert again.events()[1]["id"] == "impl:users"
    assert latest_run(tmp_path) == journal.run_id == Journal.latest_run(tmp_path)


def test_open_missing_run_says_which_exist(tmp_path: Path) -> None:
    existing = Journal.create(tmp_path)
    with pytest.raises(FileNotFoundError, match=existing.run_id):
        Journal.open(tmp_path, "20000101-000000-dead")
    with pytest.raises(FileNotFoundError):
        Journal.open(tmp_path, "../../etc")
    assert latest_run(tmp_path / "nowhere") is None


def test_run_ids_are_unique_and_ordered(tmp_path: Path) -> None:
    ids = [Journal.create(tmp_path).run_id for _ in range(5)]
    assert len(set(ids)) == 5
    assert sorted(list_runs(tmp_path)) == sorted(ids)
    assert all(len(run_id) == len("20261125-091500-ab12") for run_id in ids)


def test_torn_last_line_is_ignored_and_cut_on_resume(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path)
    journal.event("a")
    journal.event("b")
    with (journal.run_dir / "events.jsonl").open("a") as handle:
        handle.write('{"kind": "c", "partial')
    assert [e["kind"] for e in journal.events()] == ["a", "b"]
    resumed = Journal.open(tmp_path, journal.run_id)
    resumed.event("resumed")
    assert [e["kind"] for e in resumed.events()] == ["a", "b", "resumed"]


def test_events_survive_sigkill(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from protosmith.pipeline.journal import Journal\n"
        "j = Journal.create(Path(sys.argv[1]))\n"
        "print(j.run_id, flush=True)\n"
        "for i in range(50):\n"
        "    j.event('step', i=i)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    journal = Journal.open(tmp_path, done.stdout.strip())
    assert [e["i"] for e in journal.events()] == list(range(50))


def test_task_results_and_manifest(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path)
    assert journal.load_task("impl:users") is None
    journal.save_task("impl:users", {"files": ["users.py"], "tokens": 12})
    journal.save_task("tests/a b", {"ok": True})
    assert journal.load_task("impl:users") == {"files": ["users.py"], "tokens": 12}
    assert sorted(journal.finished_tasks()) == ["impl:users", "tests/a b"]
    (journal.run_dir / "tasks" / "broken.json").write_text("{not json")
    assert journal.load_task("broken") is None
    journal.write_manifest({"status": "succeeded", "files": ["users.py"]})
    manifest = json.loads((journal.run_dir / "manifest.json").read_text())
    assert manifest == {"run_id": journal.run_id, "status": "succeeded", "files": ["users.py"]}
    assert journal.manifest() == manifest
    assert not list(journal.run_dir.rglob("*.tmp"))


def test_secrets_are_redacted_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_PROVIDER_KEY", SECRET)
    journal = Journal.create(tmp_path, api_key_env="MY_PROVIDER_KEY")
    journal.event(
        "llm_error",
        message=f"401 for key {SECRET}",
        headers={"Authorization": "Bearer abcdefghijklmnop", "api_key": "x" * 10},
        nested=["sk-proj-ABCDEFGHIJKLMNOPQRSTUV1234"],
        usage={"prompt_tokens": 3},
    )
    journal.save_task("t", {"note": SECRET})
    journal.write_manifest({"error": f"Bearer {SECRET}"})
    for path in journal.run_dir.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert SECRET not in text, path
            assert "abcdefghijklmnop" not in text and "ABCDEFGHIJKLMNOP" not in text, path
    event = journal.events()[0]
    assert event["usage"] == {"prompt_tokens": 3}
    assert event["headers"]["api_key"] == "[REDACTED]"


def test_redaction_leaves_ordinary_text_alone(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, api_key_env=None)
    ordinary = "task-abcdefghijklmnopqrstuvwxyz and a Bearer"
    journal.event("x", text=ordinary)
    assert journal.events()[0]["text"] == ordinary


# --- cache -----------------------------------------------------------------------------


def counting_backend() -> ScriptedBackend:
    return ScriptedBackend(function=lambda req: f"reply to {req.messages[-1].content}")


async def test_cache_hit_and_miss(tmp_path: Path) -> None:
    inner = counting_backend()
    journal = Journal.create(tmp_path)
    accountant = Accountant(Budget())
    cache = CachingBackend(
        inner, tmp_path / ".protosmith" / "cache", journal=journal, accountant=accountant
    )
    assert isinstance(cache, Backend)
    assert cache.name == "scripted" and cache.capabilities is inner.capabilities
    first = await cache.complete(request("a", agent="implementation"))
    second = await cache.complete(request("a", agent="review"))
    third = await cache.complete(request("b", agent="implementation"))
    assert first.text == second.text == "reply to a"
    assert third.text == "reply to b"
    assert (cache.calls, cache.hits) == (2, 1)
    assert len(inner.requests) == 2
    assert second.usage.prompt_tokens == 0 and first.usage.prompt_tokens > 0
    assert accountant.calls == 2
    assert set(accountant.per_agent) == {"implementation"}
    responses = [e for e in journal.events() if e["kind"] == "llm_response"]
    assert [e["cache_hit"] for e in responses] == [False, True, False]
    assert [e["agent"] for e in responses] == ["implementation", "review", "implementation"]
    assert len([e for e in journal.events() if e["kind"] == "llm_request"]) == 3

    rerun = CachingBackend(counting_backend(), tmp_path / ".protosmith" / "cache")
    again = await rerun.complete(request("a"))
    assert again.text == "reply to a"
    assert (rerun.calls, rerun.hits) == (0, 1)


def test_key_is_stable_and_sensitive() -> None:
    base = cache_key("scripted", "m", request("hello"))
    assert base == cache_key("scripted", "m", request("hello", agent="someone-else"))
    assert len(base) == 64 and int(base, 16) >= 0
    variants = [
        cache_key("openai", "m", request("hello")),
        cache_key("scripted", "m2", request("hello")),
        cache_key("scripted", "m", request("hello!")),
        cache_key("scripted", "m", request("hello", max_tokens=7)),
        cache_key("scripted", "m", request("hello", temperature=0.9)),
        cache_key("scripted", "m", request("hello", json_schema={"type": "object"})),
        cache_key("scripted", "m", request("hello", stop=["\n"])),
        cache_key("scripted", "m", request("hello", seed=1)),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_key_is_stable_across_processes() -> None:
    code = (
        "from protosmith.llm.base import CompletionRequest, Message\n"
        "from protosmith.pipeline.cache import cache_key\n"
        "r = CompletionRequest(messages=[Message(role='user', content='hello')], seed=3)\n"
        "print(cache_key('scripted', 'm', r))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        ).stdout.strip()
        for env in (env, {**env, "PYTHONHASHSEED": "999"})
    }
    assert outputs == {cache_key("scripted", "m", request("hello", seed=3))}


async def test_truncated_replies_are_cached_and_failed_calls_are_not(tmp_path: Path) -> None:
    """A cut-off reply is replayed (its continuation is keyed by it); an error is asked again."""
    inner = ScriptedBackend(
        [
            Completion(text="cut", finish_reason="length"),
            BackendError("server said 500", retryable=True),
            "fine",
            "unused",
        ]
    )
    journal = Journal.create(tmp_path)
    cache = CachingBackend(inner, tmp_path / "cache", journal=journal)
    assert (await cache.complete(request())).finish_reason == "length"
    again = await cache.complete(request())
    assert (again.text, again.finish_reason) == ("cut", "length")
    with pytest.raises(BackendError):
        await cache.complete(request("other"))
    assert (await cache.complete(request("other"))).text == "fine"
    assert (await cache.complete(request("other"))).text == "fine"
    assert (cache.calls, cache.hits, cache.errors) == (2, 2, 1)
    assert any(e["kind"] == "llm_error" for e in journal.events())


async def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = CachingBackend(counting_backend(), tmp_path / "cache")
    await cache.complete(request("x"))
    for path in (tmp_path / "cache").rglob("*.json"):
        path.write_text("{broken")
    again = CachingBackend(counting_backend(), tmp_path / "cache")
    assert (await again.complete(request("x"))).text == "reply to x"
    assert again.calls == 1


async def test_identical_requests_in_flight_call_once(tmp_path: Path) -> None:
    release = asyncio.Event()

    async def slow(req: CompletionRequest) -> str:
        await release.wait()
        return "shared"

    inner = ScriptedBackend(function=slow)
    cache = CachingBackend(inner, tmp_path / "cache")
    tasks = [asyncio.create_task(cache.complete(request("same"))) for _ in range(4)]
    while not inner.requests:
        await asyncio.sleep(0)
    release.set()
    replies = await asyncio.gather(*tasks)
    assert {r.text for r in replies} == {"shared"}
    assert (cache.calls, cache.hits, len(inner.requests)) == (1, 3, 1)


async def test_budget_blocks_real_calls_but_not_hits(tmp_path: Path) -> None:
    usage = Usage(prompt_tokens=60, completion_tokens=50)
    inner = ScriptedBackend(function=lambda req: Completion(text="ok", usage=usage))
    accountant = Accountant(Budget(max_tokens=100))
    cache = CachingBackend(inner, tmp_path / "cache", accountant=accountant)
    await cache.complete(request("one"))
    with pytest.raises(BudgetExceeded) as caught:
        await cache.complete(request("two"))
    assert caught.value.limit == "max_tokens"
    assert (await cache.complete(request("one"))).text == "ok"
    assert len(inner.requests) == 1


async def test_cache_files_hold_no_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    cache = CachingBackend(counting_backend(), tmp_path / "cache")
    await cache.complete(request(f"the key is {SECRET}"))
    for path in (tmp_path / "cache").rglob("*.json"):
        assert SECRET not in path.read_text()
