"""Integration smoke test: do the services of a polyglot prototype honour their contract?

Each service (a start command plus its folder) is copied, started on a free loopback port in
one sandbox whose network namespace has only ``lo`` (services can talk to each other and to
the checker, nothing else), every OpenAPI operation is called, and the status and JSON body
are validated against the contract with jsonschema. Everything is stopped afterwards; the pid
namespace guarantees no service outlives the check.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from protosmith import scratch
from protosmith.execution.sandbox import Limits, copy_tree, run_sandboxed
from protosmith.execution.toolchains import search_path

DRIVER = Path(__file__).with_name("smoke_driver.py")
SMOKE_LIMITS = Limits(address_space_mb=None, data_mb=4096, nproc=512)


@dataclass
class ServiceSpec:
    """A service to start: ``{port}`` in the command and the ``port_env`` variable get its port.

    ``{port:NAME}`` in an ``env`` value becomes the port of the service ``NAME`` started earlier
    in the same list, so a consumer can reach its provider.
    """

    name: str
    command: list[str]
    cwd: Path
    port_env: str = "PORT"
    env: dict[str, str] = field(default_factory=dict)
    operations: list[str] = field(default_factory=list)
    """operationIds this service implements; empty means the whole contract."""


class OperationCheck(BaseModel):
    """One contract operation called on one service."""

    service: str
    operation: str
    ok: bool
    status: int | None = None
    message: str = ""


class SmokeResult(BaseModel):
    """The smoke test's verdict; ``problems`` are ready-to-show sentences."""

    status: Literal["passed", "failed", "error"]
    checks: list[OperationCheck] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    output: str = ""
    duration_s: float = 0.0


def load_contract(contract: dict[str, Any] | Path) -> dict[str, Any]:
    """An OpenAPI 3 document from a dict, a JSON file or a YAML file."""
    if isinstance(contract, dict):
        return contract
    text = Path(contract).read_text()
    if Path(contract).suffix in (".yaml", ".yml"):
        import yaml

        loaded = yaml.safe_load(text)
    else:
        loaded = json.loads(text)
    if not isinstance(loaded, dict) or "paths" not in loaded:
        raise ValueError(f"{contract} is not an OpenAPI document (no 'paths')")
    return loaded


def _verdict(report: dict[str, Any]) -> tuple[list[OperationCheck], list[str]]:
    checks: list[OperationCheck] = []
    problems: list[str] = []
    for service in report.get("services", []):
        name = service["name"]
        if service.get("error"):
            problems.append(f"{name}: {service['error']}")
        for item in service.get("checks", []):
            check = OperationCheck(
                service=name,
                operation=item["operation"],
                ok=item["ok"],
                status=item.get("status"),
                message=item.get("message", ""),
            )
            checks.append(check)
            if not check.ok:
                problems.append(f"{name}: {check.operation}: {check.message}")
    return checks, problems


async def smoke_test(
    contract: dict[str, Any] | Path,
    services: list[ServiceSpec],
    *,
    timeout_s: float = 60,
    startup_timeout_s: float = 20,
    path_env: str | None = None,
) -> SmokeResult:
    """Start ``services``, check each against ``contract``, stop them; never raises on their faults."""
    started = time.monotonic()
    document = load_contract(contract)
    work = scratch.new_folder("smoke-")
    try:
        entries = []
        for index, service in enumerate(services):
            copy = copy_tree(Path(service.cwd), work / f"{index}-{service.name}")
            entries.append(
                {
                    "name": service.name,
                    "command": service.command,
                    "cwd": str(copy),
                    "port_env": service.port_env,
                    "env": service.env,
                    "operations": service.operations,
                }
            )
        config = work / "smoke.json"
        config.write_text(
            json.dumps(
                {"contract": document, "services": entries, "startup_timeout_s": startup_timeout_s}
            )
        )
        result = await run_sandboxed(
            [sys.executable, "-I", str(DRIVER), str(config)],
            cwd=work,
            timeout_s=timeout_s,
            network=False,
            env={"PATH": search_path(path_env)},
            limits=SMOKE_LIMITS,
        )
        output = (result.stdout + "\n" + result.stderr).strip()
        duration = round(time.monotonic() - started, 3)
        if result.timed_out:
            return SmokeResult(
                status="error",
                output=output,
                duration_s=duration,
                problems=[f"smoke test timed out after {timeout_s:g}s"],
            )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            return SmokeResult(
                status="error",
                output=output,
                duration_s=duration,
                problems=[f"smoke driver failed (status {result.returncode})"],
            )
        checks, problems = _verdict(json.loads(lines[-1]))
        if not checks and not problems:
            problems.append("the contract has no operations to check")
        status: Literal["passed", "failed"] = "failed" if problems else "passed"
        return SmokeResult(
            status=status, checks=checks, problems=problems, output=output, duration_s=duration
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
