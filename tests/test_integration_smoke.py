"""The integration smoke test: two services in two languages against one OpenAPI contract."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from protosmith.execution import rules, toolchains
from protosmith.execution.findings import findings_from_smoke
from protosmith.execution.integration import ServiceSpec, smoke_test

POLYGLOT = Path(__file__).parent / "workspaces" / "polyglot"
CONTRACT = POLYGLOT / "contract.json"


def _python(folder: str) -> ServiceSpec:
    return ServiceSpec(folder, [sys.executable, "server.py"], POLYGLOT / folder)


async def test_python_and_node_services_honour_the_contract() -> None:
    if toolchains.missing("javascript"):
        pytest.skip(toolchains.missing("javascript")[0].missing_reason())
    services = [
        _python("python_service"),
        ServiceSpec("js_service", ["node", "server.js"], POLYGLOT / "js_service"),
    ]
    result = await smoke_test(CONTRACT, services, timeout_s=60)
    assert result.status == "passed", result.problems
    assert len(result.checks) == 6
    assert {check.service for check in result.checks} == {"python_service", "js_service"}
    assert all(check.ok for check in result.checks)


async def test_a_violating_service_fails_with_a_clear_message() -> None:
    result = await smoke_test(CONTRACT, [_python("python_service"), _python("bad_service")])
    assert result.status == "failed"
    assert all(check.ok for check in result.checks if check.service == "python_service")
    assert any(
        "bad_service: GET /items/{itemId}" in problem
        and "name" in problem
        and "is not of type 'string'" in problem
        for problem in result.problems
    ), result.problems
    assert any(
        "bad_service: POST /items: status 200 is not in the contract (allowed: 201, 400)" in p
        for p in result.problems
    ), result.problems
    findings = findings_from_smoke(
        result, contract_path="contract.json", contract_text=CONTRACT.read_text()
    )
    assert {f.code for f in findings} == {rules.CONTRACT_VIOLATION}
    assert all(f.range.start.line > 0 for f in findings)


async def test_a_service_that_never_listens_is_reported(tmp_path: Path) -> None:
    (tmp_path / "crash.py").write_text("import sys\nprint('boom')\nsys.exit(3)\n")
    result = await smoke_test(
        CONTRACT,
        [ServiceSpec("crasher", [sys.executable, "crash.py"], tmp_path)],
        startup_timeout_s=5,
    )
    assert result.status == "failed"
    assert "exited with status 3 before listening" in result.problems[0]
    assert "boom" in result.problems[0]


async def test_services_cannot_reach_the_host_network(tmp_path: Path) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        (tmp_path / "probe.py").write_text(
            "import json, os, socket\nfrom http.server import BaseHTTPRequestHandler, HTTPServer\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
            "    reached = 'reached'\nexcept OSError:\n    reached = 'blocked'\n"
            "class H(BaseHTTPRequestHandler):\n"
            "    def do_GET(self):\n"
            "        body = json.dumps({'status': 'ok' if reached == 'blocked' else reached}).encode()\n"
            "        self.send_response(200); self.send_header('Content-Length', str(len(body)))\n"
            "        self.end_headers(); self.wfile.write(body)\n"
            "HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n"
        )
        service = ServiceSpec(
            "probe", [sys.executable, "probe.py"], tmp_path, operations=["health"]
        )
        result = await smoke_test(CONTRACT, [service])
    assert result.status == "passed", result.problems
