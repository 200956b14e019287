"""The guard in tests/guard really closes the doors it claims to (a guard that cannot fail is no
guard)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import no_real_model
import pytest


def test_a_connection_beyond_loopback_fails_in_process() -> None:
    before = len(no_real_model.violations)
    with pytest.raises(no_real_model.RealModelRequest), socket.socket() as sock:
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    # Seen, and then forgiven: this test provoked it on purpose.
    assert len(no_real_model.violations) == before + 1
    del no_real_model.violations[before:]


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def test_python_children_are_guarded_too() -> None:
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 443), timeout=1)\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert "RealModelRequest" in done.stdout
    assert "test guard: network connection" in done.stderr


def test_loading_a_model_with_llama_cpp_fails_in_a_fast_test() -> None:
    code = (
        "import llama_cpp\n"
        "try:\n"
        "    llama_cpp.Llama('/nonexistent.gguf')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert "RealModelRequest" in done.stdout, done.stderr
