"""The sandbox really contains what it claims: network, writes, time, processes, environment."""

from __future__ import annotations

import asyncio
import socket
import sys
import uuid
from pathlib import Path

import pytest

from protosmith.execution import isolation
from protosmith.execution.sandbox import (
    Limits,
    copy_tree,
    network_isolation_available,
    process_limit_available,
    run_sandboxed,
)

PY = sys.executable
NET_OK, NET_REASON = network_isolation_available()
PROC_OK, PROC_REASON = process_limit_available()
FULL = isolation.probe().mode == "full"
needs_net = pytest.mark.skipif(not NET_OK, reason=f"no network isolation: {NET_REASON}")
needs_full = pytest.mark.skipif(not FULL, reason=f"no mount namespace: {isolation.probe().reason}")


async def test_secret_like_variables_never_reach_the_command(tmp_path: Path) -> None:
    env = {"MY_API_KEY": "k", "GITHUB_TOKEN": "t", "DB_PASSWORD": "p", "AWS_REGION": "r",
           "OPENAI_BASE_URL": "u", "CLIENT_SECRET": "s", "RUNNER_SETTING": "kept"}  # fmt: skip
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    result = await run_sandboxed([PY, "-c", code], cwd=tmp_path, timeout_s=20, env=env)
    assert result.returncode == 0, result.stderr
    seen = __import__("json").loads(result.stdout)
    for name in ("MY_API_KEY", "GITHUB_TOKEN", "DB_PASSWORD", "AWS_REGION", "OPENAI_BASE_URL",
                 "CLIENT_SECRET"):  # fmt: skip
        assert name not in seen
    assert seen["RUNNER_SETTING"] == "kept"
    assert Path(seen["HOME"]) != Path.home()
    assert seen["TMPDIR"].startswith(str(Path(seen["HOME"]).parent))


@needs_net
async def test_network_is_unreachable_but_loopback_works(tmp_path: Path) -> None:
    # A real listener on the host's loopback: a sandbox with its own netns must not reach it.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = (
            "import socket\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "    print('HOST-REACHED')\nexcept OSError as e:\n    print('blocked', e)\n"
            "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n"
            "    print('INTERNET-REACHED')\nexcept OSError as e:\n    print('blocked', e)\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "socket.create_connection(s.getsockname(), timeout=2); print('loopback ok')\n"
        )
        result = await run_sandboxed([PY, "-c", code], cwd=tmp_path, timeout_s=20)
    assert "HOST-REACHED" not in result.stdout
    assert "INTERNET-REACHED" not in result.stdout
    assert result.stdout.count("blocked") == 2
    assert "loopback ok" in result.stdout, result.stderr


@needs_full
async def test_writes_outside_the_copy_are_refused(tmp_path: Path) -> None:
    original = tmp_path / "original"
    original.mkdir()
    (original / "code.py").write_text("x = 1\n")
    copy = copy_tree(original, tmp_path / "copy")
    home_marker = Path.home() / f".protosmith-sandbox-{uuid.uuid4().hex}"
    code = (
        "import sys\n"
        "for target in sys.argv[1:]:\n"
        "    try:\n        open(target, 'w').write('pwned')\n        print('WROTE', target)\n"
        "    except OSError as e:\n        print('refused', target, e.errno)\n"
        "open('inside.txt', 'w').write('fine'); print('inside ok')\n"
    )
    targets = [str(original / "code.py"), str(home_marker), "/etc/protosmith-test"]
    try:
        result = await run_sandboxed([PY, "-c", code, *targets], cwd=copy, timeout_s=20)
    finally:
        existed = home_marker.exists()
        home_marker.unlink(missing_ok=True)
    assert "WROTE" not in result.stdout, result.stdout
    assert not existed
    assert (original / "code.py").read_text() == "x = 1\n"
    assert "inside ok" in result.stdout
    assert (copy / "inside.txt").read_text() == "fine"


async def test_infinite_loop_is_killed_at_the_timeout(tmp_path: Path) -> None:
    result = await run_sandboxed([PY, "-c", "while True: pass"], cwd=tmp_path, timeout_s=1.5)
    assert result.timed_out and result.killed
    assert 1.4 <= result.duration_s < 10


_DAEMON = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            with open(sys.argv[1], 'a') as f:
                f.write('.')
            time.sleep(0.05)
    os._exit(0)
print('daemon started', flush=True)
while True:
    time.sleep(1)
"""


async def _heartbeat_stopped(beat: Path) -> bool:
    """True when the heartbeat file stops growing (the writer is dead)."""
    size = beat.stat().st_size if beat.exists() else 0
    await asyncio.sleep(0.5)  # several heartbeat periods: a live writer would have grown it
    return (beat.stat().st_size if beat.exists() else 0) == size


async def test_timeout_leaves_no_orphans(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    result = await run_sandboxed([PY, "-c", _DAEMON, str(beat)], cwd=tmp_path, timeout_s=2)
    assert result.timed_out
    assert beat.exists() and beat.stat().st_size > 0, "the daemon never ran"
    assert await _heartbeat_stopped(beat)


async def test_cancellation_kills_everything(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    task = asyncio.create_task(
        run_sandboxed([PY, "-c", _DAEMON, str(beat)], cwd=tmp_path, timeout_s=60)
    )
    for _ in range(200):
        if beat.exists() and beat.stat().st_size > 2:
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _heartbeat_stopped(beat)


@pytest.mark.skipif(not PROC_OK, reason=f"process count not containable: {PROC_REASON}")
async def test_bounded_fork_bomb_is_contained(tmp_path: Path) -> None:
    bomb = (
        "import os, time\nn = 0\n"
        "for i in range(400):\n"
        "    try:\n        pid = os.fork()\n"
        "    except OSError as e:\n        print('fork refused after', n, flush=True)\n        break\n"
        "    if pid == 0:\n        time.sleep(20)\n        os._exit(0)\n"
        "    n += 1\n"
        "print('forked', n, flush=True)\n"
    )
    result = await run_sandboxed(
        [PY, "-c", bomb], cwd=tmp_path, timeout_s=20, limits=Limits(nproc=32)
    )
    assert "fork refused after" in result.stdout, result.stdout + result.stderr
    forked = int(result.stdout.strip().rsplit(" ", 1)[1])
    assert forked < 32
    assert result.duration_s < 15


async def test_memory_limit_applies(tmp_path: Path) -> None:
    code = "b = bytearray(3 * 1024**3)\nprint('ALLOCATED')"
    result = await run_sandboxed(
        [PY, "-c", code], cwd=tmp_path, timeout_s=20, limits=Limits(address_space_mb=512)
    )
    assert "ALLOCATED" not in result.stdout
    assert "MemoryError" in result.stderr


async def test_huge_output_keeps_head_and_tail(tmp_path: Path) -> None:
    code = "print('FIRST'); print('x' * 2_000_000); print('LAST')"
    result = await run_sandboxed([PY, "-c", code], cwd=tmp_path, timeout_s=20)
    assert result.stdout.startswith("FIRST")
    assert result.stdout.rstrip().endswith("LAST")
    assert "bytes omitted" in result.stdout
    assert len(result.stdout) < 100_000


async def test_missing_command_is_reported_not_raised(tmp_path: Path) -> None:
    result = await run_sandboxed(["/nonexistent/tool"], cwd=tmp_path, timeout_s=10)
    assert result.returncode != 0
