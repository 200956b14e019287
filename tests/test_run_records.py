"""Run records a user can trust: status, gaps, ledger, resume and exit codes agree with the disk.

One test per case of issue 18's matrix (success, partial, fallback design, budget stop with
resumes, endpoint stopped mid-run, resume of a finished run, a component named ``target``),
plus the checks before spending, progress counters and the fix-up records. Everything runs
the real pipeline with the scripted team (``scripted_team.Team``) standing in for a capable
model, a real loopback HTTP server for the OpenAI endpoint, and generated tests run for real.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from fake_openai_server import Drop, FakeOpenAIServer, RecordedRequest, Reply
from hardening_support import journal_events, make_workspace, run_generate, small_spec_text
from protosmith.analysis.findings import Category, Evidence, Finding, Position, Range, Severity
from protosmith.commands.generate import exit_code
from protosmith.exit_codes import ExitCode
from protosmith.llm.base import CompletionRequest
from protosmith.llm.scripted import ScriptedBackend
from protosmith.pipeline.api import GenerateOptions, ProgressEvent, RunSummary
from protosmith.pipeline.journal import Journal
from protosmith.pipeline.remediate import deduplicate, remediate
from protosmith.pipeline.service import generate
from protosmith.pipeline.writer import SafeWriter
from protosmith.report.run_summary import file_tree, render_summary
from scripted_team import Team

ROOT = Path(__file__).resolve().parents[1]
needs_execution = pytest.mark.skipif(
    importlib.util.find_spec("protosmith.execution.service") is None,
    reason="the execution service is not installed",
)


def _spec(tmp_path: Path, layout: str = "core", *, extra: str = "", rounds: int = 0) -> Path:
    text = small_spec_text(layout).replace("max_repair_rounds = 2", f"max_repair_rounds = {rounds}")
    return make_workspace(tmp_path, text=text + extra)


async def _run(spec: Path, team: Team | Any, **options: Any) -> RunSummary:
    reply = team.reply if isinstance(team, Team) else team
    options.setdefault("run_tests", True)
    options.setdefault("review", False)
    return await run_generate(spec, ScriptedBackend(function=reply), **options)


def _manifest(spec: Path, run_id: str) -> dict[str, Any]:
    manifest = Journal.open(spec.parent, run_id).manifest()
    assert manifest is not None
    return manifest


def _hand_rerun(spec: Path, component: str) -> subprocess.CompletedProcess[str]:
    """The generated tests run by hand, as the generated README says: from the output folder
    (the root of the package tree), ``python -m pytest -q <package>/<component>``."""
    output = spec.parent / "prototype"
    folder = next(p for p in sorted(output.rglob(component)) if p.is_dir())
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(folder.relative_to(output)),
        ],
        cwd=output,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# -- success and partial -----------------------------------------------------------------------


@needs_execution
async def test_success_means_every_component_tested_and_passing(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core; orders>core")
    summary = await _run(spec, Team())
    assert summary.status == "succeeded", summary.message
    assert exit_code(summary) == ExitCode.OK
    assert not summary.gaps and summary.design == "architect"
    assert summary.tests.ran == 4 and summary.tests.passed == 4 and summary.tests.not_run == 0
    assert "Every component's tests ran and passed" in summary.message
    for item in summary.components:
        assert item.status == "passed" and item.tests_passed == item.tests_ran == 2
        assert _hand_rerun(spec, item.name).returncode == 0
    manifest = _manifest(spec, summary.run_id)
    assert manifest["status"] == "succeeded" and manifest["gaps"] == []
    text = render_summary(summary)
    assert "├── core/" in text or "└── core/" in text
    assert "test_core.py" in text and "2 of 2 test(s) passed" in text


@needs_execution
async def test_a_component_whose_tests_fail_makes_the_run_partial(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core; extra", rounds=0)
    summary = await _run(spec, Team(buggy={"extra"}))
    assert summary.status == "partial", summary.message
    assert exit_code(summary) == ExitCode.PARTIAL
    by_name = {c.name: c for c in summary.components}
    assert by_name["core"].status == "passed" and by_name["extra"].status == "failed"
    assert [(g.kind, g.subject) for g in summary.gaps] == [("failed", "extra")]
    assert "Not proven: extra: tests failed after 0 repair round(s)" in summary.message
    assert summary.failed_step.startswith("verify:extra")
    # The summary agrees with a hand re-run of the generated tests.
    assert _hand_rerun(spec, "extra").returncode != 0
    assert _hand_rerun(spec, "core").returncode == 0
    assert summary.tests.ran == 4 and summary.tests.passed == 2 and summary.tests.failed == 2


async def test_nothing_tested_is_never_success(tmp_path: Path) -> None:
    """Tests that could not run (no runner here) leave the run partial, with the reason."""
    spec = _spec(tmp_path, "core")
    summary = await _run(spec, Team(), run_tests=False)
    # The caller asked for no test execution: that alone is not a gap...
    assert summary.status == "succeeded" and "nothing was tested" in summary.message
    # ...but a polyglot spec whose design drops a language is.
    extra = "\n[architecture]\npolyglot = true\n"
    text = small_spec_text("core").replace('languages = ["python"]', 'languages = ["python", "go"]')
    spec = make_workspace(tmp_path / "poly", text=text + extra)
    summary = await _run(spec, Team(), run_tests=False)
    assert summary.status == "partial"
    assert [(g.kind, g.subject) for g in summary.gaps] == [("dropped", "language go")]
    assert "language go: no component of the design uses it" in summary.message


# -- fallback design ------------------------------------------------------------------------------


def _no_design(team: Team) -> Any:
    def reply(request: CompletionRequest) -> str:
        if request.agent == "architecture":
            return "I would build some microservices."
        return team.reply(request)

    return reply


@needs_execution
async def test_fallback_design_is_partial_and_says_what_was_dropped(tmp_path: Path) -> None:
    text = small_spec_text("core").replace(
        'languages = ["python"]', 'languages = ["python", "javascript"]'
    )
    spec = make_workspace(tmp_path, text=text + '\n[architecture]\nstyle = "microservices"\n')
    summary = await _run(spec, _no_design(Team()))
    assert summary.design == "fallback"
    assert summary.status == "partial", summary.message
    assert exit_code(summary) == ExitCode.PARTIAL
    gaps = {(g.kind, g.subject) for g in summary.gaps}
    assert ("fallback", "design") in gaps
    assert ("dropped", "language javascript") in gaps
    assert ("dropped", "architecture style microservices") in gaps
    assert summary.failed_step.startswith("architecture: ")
    journal = json.dumps(journal_events(spec.parent, summary.run_id))
    assert "the architect chose" not in journal
    assert "fallback design" in journal
    assert "design: fallback" in render_summary(summary)


# -- budget stop with resumes ---------------------------------------------------------------------


async def test_budget_stop_holds_across_resumes_until_raised(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core; orders>core", extra="")
    spec.write_text(spec.read_text().replace("[budget]\n", "[budget]\nmax_tokens = 600\n"))
    first = await _run(spec, Team(), run_tests=False)
    assert first.status == "budget_exceeded"
    assert exit_code(first) == ExitCode.BUDGET
    spent = first.prompt_tokens + first.completion_tokens
    assert spent >= 600
    for session in range(2, 5):
        again = await _run(spec, Team(), resume=first.run_id, run_tests=False)
        assert again.status == "budget_exceeded"
        assert again.usage.session.llm_calls == 0, "a spent budget must not spend more"
        assert again.usage.sessions == session
        assert again.prompt_tokens + again.completion_tokens == spent
        assert f"{spent} of max_tokens=600 used over {session} sessions" in again.message
        assert again.llm_calls == first.llm_calls
    manifest = _manifest(spec, first.run_id)
    assert manifest["usage"]["sessions"] == 4
    assert manifest["usage"]["total"]["prompt_tokens"] == first.prompt_tokens
    assert manifest["usage"]["session"]["llm_calls"] == 0
    spec.write_text(spec.read_text().replace("max_tokens = 600", "max_tokens = 200000"))
    done = await _run(spec, Team(), resume=first.run_id, run_tests=False)
    assert done.status == "succeeded", done.message
    assert done.usage.sessions == 5
    assert done.llm_calls == first.llm_calls + done.usage.session.llm_calls
    assert done.duration_s >= first.duration_s


# -- endpoint stopped mid-run ---------------------------------------------------------------------


class _StoppingEndpoint:
    """Answers as the scripted team until the first repair question, then goes away for good."""

    def __init__(self, team: Team) -> None:
        self.team = team
        self.server: FakeOpenAIServer | None = None
        self.stopped = threading.Event()

    def __call__(self, request: RecordedRequest) -> Any:
        from hardening_support import agent_of, team_reply_for_wire

        if agent_of(request.body["messages"]) == "repair" and self.server is not None:
            if not self.stopped.is_set():
                self.stopped.set()
                threading.Thread(target=self.server.stop, daemon=True).start()
            return Drop()
        return Reply(text=team_reply_for_wire(self.team, request.body))


def _openai(base_url: str) -> dict[str, Any]:
    return {
        "backend": "openai",
        "base_url": base_url,
        "model": "fake-model",
        "max_retries": 1,
        "timeout_s": 10,
    }


@needs_execution
async def test_endpoint_stopped_mid_run_counts_the_test_runs_and_names_the_fix(
    tmp_path: Path,
) -> None:
    spec = _spec(tmp_path, "core", rounds=1)
    endpoint = _StoppingEndpoint(Team(buggy={"core"}))
    server = FakeOpenAIServer(function=endpoint)
    endpoint.server = server
    server.start()
    try:
        summary = await asyncio.wait_for(
            run_generate(spec, None, settings=_openai(server.base_url), run_tests=True), 300
        )
    finally:
        if not endpoint.stopped.is_set():
            server.stop()
    assert endpoint.stopped.is_set()
    (core,) = summary.components
    assert core.status == "not_run", core
    assert "endpoint unreachable" in core.detail and "restart the endpoint" in core.detail
    ran = [
        e
        for e in journal_events(spec.parent, summary.run_id)
        if e["kind"] == "test_run" and e["status"] != "not_run"
    ]
    assert ran, "the tests ran once before the endpoint went away"
    # The test run that happened is counted, not silently "0 of 0 run".
    assert summary.tests.ran == 2 and summary.tests.failed == 2 and summary.tests.passed == 0
    assert f"run `protosmith generate --resume {summary.run_id}`" in summary.message
    assert summary.status == "partial" and exit_code(summary) == ExitCode.PARTIAL
    # Restart the endpoint (a new port) and resume: the run finishes.
    with FakeOpenAIServer(function=_StoppingEndpoint(Team())) as again:
        resumed = await asyncio.wait_for(
            run_generate(
                spec,
                None,
                resume=summary.run_id,
                settings=_openai(again.base_url),
                run_tests=True,
            ),
            300,
        )
    assert resumed.status == "succeeded", resumed.message
    assert resumed.tests.passed == 2


# -- resume of a finished run ---------------------------------------------------------------------


async def test_resume_of_a_succeeded_run_has_nothing_to_do_unless_redo(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core; orders>core")
    first = await _run(spec, Team(), run_tests=False, settings={"model": "model-one"})
    assert first.status == "succeeded"
    manifest = Journal.open(spec.parent, first.run_id).run_dir / "manifest.json"
    before = manifest.read_bytes()
    backend = ScriptedBackend(function=Team().reply)
    again = await run_generate(spec, backend, resume=first.run_id, run_tests=False)
    assert again.status == "succeeded" and again.run_id == first.run_id
    assert again.message.startswith("nothing to resume") and "--redo" in again.message
    assert not backend.requests and manifest.read_bytes() == before
    # --redo runs it again under the same id, with the backend and model it was made with.
    (spec.parent / "prototype" / "notes.txt").write_text("mine\n")
    spec.write_text(spec.read_text().replace("core; orders>core", "core; billing>core"))
    options = GenerateOptions(spec_path=spec, workspace=spec.parent, resume=first.run_id, redo=True)
    redo = await generate(
        options, backend=ScriptedBackend(function=Team().reply), run_tests=False, review=False
    )
    assert redo.status == "succeeded", redo.message
    starts = [e for e in journal_events(spec.parent, first.run_id) if e["kind"] == "run_started"]
    assert [e["model"] for e in starts] == ["model-one", "model-one"]
    removed = [f for f in redo.removed_files if f.endswith("/orders/orders.py")]
    assert len(removed) == 1, redo.removed_files
    assert not (spec.parent / removed[0]).exists()
    assert redo.stale_files == ["prototype/notes.txt"]  # listed, never deleted
    assert (spec.parent / "prototype" / "notes.txt").read_text() == "mine\n"
    assert any(f.endswith("/billing/billing.py") for f in redo.files), redo.files


# -- a component named target ------------------------------------------------------------------


@needs_execution
async def test_a_component_named_target_is_tested_like_any_other(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "target")
    summary = await _run(spec, Team())
    (item,) = summary.components
    hand = _hand_rerun(spec, "target")
    assert hand.returncode == 0, hand.stdout
    # The summary agrees with the hand re-run: two tests ran and passed, the run succeeded.
    assert item.status == "passed", item.detail
    assert summary.tests.ran == 2 and summary.status == "succeeded"


# -- checks before spending ------------------------------------------------------------------


async def test_output_path_that_is_a_file_fails_before_any_call(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core")
    (spec.parent / "prototype").write_text("not a folder\n")
    backend = ScriptedBackend(function=Team().reply)
    summary = await run_generate(spec, backend)
    assert summary.status == "failed" and not backend.requests
    assert "is a file" in summary.message and "[project] output" in summary.message
    assert "\n" not in summary.message and "internal error" not in summary.message


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_endpoint_checks_before_the_first_call(tmp_path: Path, monkeypatch: Any) -> None:
    spec = _spec(tmp_path, "core")
    dead = f"http://127.0.0.1:{_closed_port()}/v1"
    down = await run_generate(spec, None, settings=_openai(dead))
    assert down.status == "failed" and down.llm_calls == 0
    assert down.message.startswith(f"cannot start: cannot connect to {dead}")
    assert "start the server" in down.message
    with FakeOpenAIServer() as server:
        wrong = await run_generate(
            spec, None, settings={**_openai(server.base_url), "model": "gpt-4.1-nonexistent"}
        )
        assert not server.completion_requests
    assert "does not serve the model 'gpt-4.1-nonexistent' (it serves: fake-model)" in (
        wrong.message
    )
    assert "--model" in wrong.message
    monkeypatch.delenv("PROTOSMITH_TEST_NO_KEY", raising=False)
    remote = {**_openai("https://api.example.invalid/v1"), "api_key_env": "PROTOSMITH_TEST_NO_KEY"}
    nokey = await run_generate(spec, None, settings=remote)
    assert "PROTOSMITH_TEST_NO_KEY is not set" in nokey.message
    assert "export PROTOSMITH_TEST_NO_KEY=" in nokey.message


def _cli(spec: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env["PYTHONPATH"] = str(ROOT / "server")
    return subprocess.run(
        [sys.executable, "-m", "protosmith", "generate", str(spec), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=spec.parent,
        timeout=120,
        check=False,
    )


def test_cli_ordinary_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core")
    (spec.parent / "prototype").write_text("a file\n")
    result = _cli(spec, "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1")
    assert result.returncode == ExitCode.FAILED
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stdout
    assert "prototype is a file" in result.stdout or "is a file" in result.stdout
    (spec.parent / "prototype").unlink()
    port = _closed_port()
    result = _cli(
        spec, "--backend", "openai", "--base-url", f"http://127.0.0.1:{port}/v1", "--json"
    )
    assert result.returncode == ExitCode.FAILED
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "failed" and summary["llm_calls"] == 0
    errors = [line for line in result.stderr.splitlines() if "cannot connect" in line]
    assert len(errors) == 1 and "start the server" in errors[0]
    resumed = _cli(spec, "--resume", "last", "--redo")
    assert "Traceback" not in resumed.stderr


# -- progress counters ---------------------------------------------------------------------


async def test_progress_total_is_unknown_then_fixed(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "core; orders>core")
    events: list[ProgressEvent] = []
    await _run(spec, Team(), run_tests=False, progress=events.append)
    totals = {e.total for e in events if e.total}
    assert len(totals) == 1, totals  # never [0/2] then [1/7]
    assert events[0].total == 0 and events[0].done == 0
    done = [e.done for e in events]
    assert done == sorted(done) and done[-1] == totals.pop()


# -- fix-ups: limits, duplicates, truthful attempts, no logs in the output -------------------


def _finding(path: Path, code: str, line: int, message: str) -> Finding:
    where = Range(start=Position(line=line, character=0), end=Position(line=line, character=1))
    return Finding(
        code=code,
        category=Category.QUALITY,
        severity=Severity.CRITICAL,
        message=message,
        path=str(path),
        range=where,
        evidence=Evidence(source="ruff" if code.startswith("E") else "python"),
    )


async def test_fixups_are_deduplicated_bounded_and_truthfully_recorded(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    component = workspace / "prototype" / "app"
    component.mkdir(parents=True)
    source = component / "app.py"
    source.write_text("def f(:\n    return 1\n")
    findings = [
        _finding(source, "PS201", 0, "SyntaxError: invalid syntax"),
        _finding(source, "E999", 0, "SyntaxError: Expected a parameter name"),
    ]
    assert len(deduplicate(findings)) == 1
    wrong_path = json.dumps({"files": [{"path": "elsewhere.py", "content": "x = 1\n"}]})
    backend = ScriptedBackend([wrong_path, wrong_path])
    journal = Journal.create(workspace)
    writer = SafeWriter(workspace / "prototype", workspace=workspace)
    outcomes = await remediate(
        findings,
        writer=writer,
        backend=backend,
        component_root=component,
        max_tokens=321,
        journal=journal,
        component="app",
    )
    (entry,) = outcomes
    assert entry["code"] == "PS201,E999" and "merged" in entry["duplicates"]
    assert entry["attempts"] == "2"
    assert entry["outcome"].startswith("not fixed: 2 attempt(s) rejected")
    assert "no attempt made" not in json.dumps(outcomes)
    assert [r.max_tokens for r in backend.requests] == [321, 321]
    started = [e for e in journal.events() if e["kind"] == "remediation_started"]
    assert [(e["attempt"], e["attempts"]) for e in started] == [(1, 2), (2, 2)]
    assert not list((workspace / "prototype").rglob("refinements.jsonl"))
    assert not (component / ".protosmith").exists()


def test_file_tree_draws_folders_first() -> None:
    lines = file_tree(["p/README.md", "p/a/x.py", "p/a/test_x.py", "p/docs/architecture.md"])
    assert lines == [
        "└── p/",
        "    ├── a/",
        "    │   ├── test_x.py",
        "    │   └── x.py",
        "    ├── docs/",
        "    │   └── architecture.md",
        "    └── README.md",
    ]


def test_ledger_sums_every_session_even_a_killed_one(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path)
    usage = {"prompt_tokens": 100, "completion_tokens": 20, "cost_usd": 0.5}
    events = [
        {"ts": 100.0, "kind": "run_started"},
        {"ts": 101.0, "kind": "llm_response", "cache_hit": False, "usage": usage},
        {"ts": 102.0, "kind": "llm_response", "cache_hit": True, "usage": {}},
        {"ts": 110.0, "kind": "run_finished"},
        {"ts": 500.0, "kind": "resume_refused"},  # idle time between sessions is not spent
        {"ts": 1000.0, "kind": "run_started"},
        {"ts": 1004.0, "kind": "llm_response", "cache_hit": False, "usage": usage},
        {"ts": 1005.0, "kind": "task_started"},  # then killed: no run_finished
    ]
    events_path = journal.run_dir / "events.jsonl"
    events_path.write_text("".join(json.dumps(e) + "\n" for e in events))
    spent, sessions = journal.ledger()
    assert sessions == 2
    assert (spent.llm_calls, spent.cache_hits) == (2, 1)
    assert (spent.prompt_tokens, spent.completion_tokens) == (200, 40)
    assert spent.cost_usd == pytest.approx(1.0)
    assert spent.duration_s == pytest.approx(15.0)


STRICT_SPEC = """[project]
name = "x"
languages = ["python"]

[architecture]
polyglot = "yes"

[[scenarios]]
name = "a"
acceptance = ["works"]

[budget]
max_minutes = "30"
max_repair_rounds = true
max_tokens = 1.5
"""


def test_spec_scalars_are_taken_as_written(tmp_path: Path) -> None:
    """No coercion: a quoted number, a boolean count or a string flag is a located PS103."""
    spec = tmp_path / "protosmith.toml"
    spec.write_text(STRICT_SPEC)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    result = subprocess.run(
        [sys.executable, "-m", "protosmith", "check", str(spec)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert f"{spec}:6:12: PS103 architecture.polyglot must be true or false" in lines[0]
    assert lines[1].startswith(f"{spec}:13:15: PS103 budget.max_minutes must be a number")
    assert lines[2].startswith(f"{spec}:14:21: PS103 budget.max_repair_rounds must be a whole")
    assert lines[3].startswith(f"{spec}:15:14: PS103 budget.max_tokens must be a whole number")
    valid = (
        STRICT_SPEC.replace('"yes"', "true").replace('"30"', "30").replace("true\nmax", "1\nmax")
    )
    spec.write_text(valid.replace("1.5", "1000"))
    from protosmith.spec.loader import load_spec

    loaded = load_spec(spec)
    assert loaded.ok and loaded.spec is not None
    assert loaded.spec.budget.max_minutes == 30.0 and loaded.spec.architecture.polyglot is True


async def test_a_backend_error_is_one_line_and_its_traceback_is_in_the_run_log(
    tmp_path: Path,
) -> None:
    from protosmith.llm.errors import BackendError

    spec = _spec(tmp_path, "core")
    down = BackendError("cannot connect to http://127.0.0.1:9/v1", hint="is it running?")
    summary = await run_generate(spec, ScriptedBackend([down]))
    assert summary.status == "failed"
    assert summary.message.startswith("backend error: cannot connect to http://127.0.0.1:9/v1")
    assert "\n" not in summary.message and "internal error" not in summary.message
    log = Journal.open(spec.parent, summary.run_id).log_path.read_text()
    assert "Traceback" in log and "BackendError: cannot connect" in log
