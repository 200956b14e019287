"""Test guard: a test that is not marked ``slow`` never reaches a real model.

A real model request from a fast test is a bug in the test (it forgot to pick the scripted team or
a server on 127.0.0.1): it would make the suite slow, flaky, or spend a user's key. Two doors are
closed: network connections to anything but loopback, and loading a model with llama.cpp. The
guard is installed in the test process by ``conftest.py`` and in every Python child a test starts
(``sitecustomize.py`` in this folder is put on ``PYTHONPATH``), where a violation fails the child
loudly on stderr.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import ipaddress
import socket
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

ENV = "PS_TEST_NO_REAL_MODEL"
"""Set to 1 in the environment of a guarded test (and so of its children)."""

violations: list[str] = []
active = True
"""Whether the doors are closed now: the test process opens them for ``slow`` tests."""
_installed = False


class RealModelRequest(RuntimeError):
    """A guarded test tried to reach a real model."""


def _refuse(what: str) -> None:
    if not active:
        return
    violations.append(what)
    print(f"test guard: {what}", file=sys.stderr)
    raise RealModelRequest(what)


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like stay on this machine
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name: resolving it would already leave the machine


def _guard_sockets() -> None:
    connect = socket.socket.connect
    connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            _refuse(f"network connection to {address!r} (only 127.0.0.1 is allowed in tests)")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]


def _guard_llama(module: ModuleType) -> None:
    llama = getattr(module, "Llama", None)  # third-party module, checked after it loads
    if llama is None:
        return

    original = llama.__init__

    def guarded(self: Any, *args: Any, **kwargs: Any) -> None:
        _refuse("llama.cpp model load (mark the test @pytest.mark.slow if it needs the model)")
        original(self, *args, **kwargs)

    llama.__init__ = guarded


class _LlamaFinder(importlib.abc.MetaPathFinder):
    """Patches ``llama_cpp.Llama`` as soon as the module is imported, without importing it early."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "llama_cpp":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _guard_llama(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Close both doors in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    _guard_sockets()
    if "llama_cpp" in sys.modules:
        _guard_llama(sys.modules["llama_cpp"])
    else:
        sys.meta_path.insert(0, _LlamaFinder())
