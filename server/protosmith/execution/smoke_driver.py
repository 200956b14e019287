"""Runs *inside* the sandbox for the integration smoke test; standalone (stdlib + jsonschema).

Given a JSON config (contract, services), it starts every service on a free loopback port,
waits until it listens, calls each contract operation, validates status and body against the
contract, stops everything and prints one JSON object on stdout. Run by file path with ``-I``
so it does not depend on protosmith being importable in the sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen, deadline: float) -> str:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"exited with status {proc.returncode} before listening on port {port}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return ""
        except OSError:
            time.sleep(0.05)
    return f"did not listen on 127.0.0.1:{port} within the startup timeout"


def example_value(schema: dict[str, Any], param: dict[str, Any]) -> Any:
    for source in (param, schema):
        if "example" in source:
            return source["example"]
        if source.get("examples"):
            examples = source["examples"]
            first = examples[0] if isinstance(examples, list) else next(iter(examples.values()))
            return first.get("value", first) if isinstance(first, dict) else first
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    return 1 if schema.get("type") in ("integer", "number") else "1"


def resolve(node: Any, document: dict[str, Any]) -> Any:
    if (
        isinstance(node, dict)
        and isinstance(node.get("$ref"), str)
        and node["$ref"].startswith("#/")
    ):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return resolve(target, document)
    return node


def request_for(
    path: str, operation: dict[str, Any], document: dict[str, Any]
) -> tuple[str, bytes | None]:
    query: list[str] = []
    for raw in operation.get("parameters", []):
        param = resolve(raw, document)
        value = example_value(resolve(param.get("schema", {}), document), param)
        if param.get("in") == "path":
            path = path.replace("{" + param["name"] + "}", urllib.parse.quote(str(value)))
        elif param.get("in") == "query" and param.get("required"):
            query.append(f"{param['name']}={urllib.parse.quote(str(value))}")
    body = None
    content = resolve(operation.get("requestBody", {}), document).get("content", {})
    media = content.get("application/json")
    if media is not None:
        schema = resolve(media.get("schema", {}), document)
        payload = media.get("example", schema.get("example", {}))
        body = json.dumps(payload).encode()
    return path + ("?" + "&".join(query) if query else ""), body


def check(
    base: str, method: str, path: str, operation: dict[str, Any], document: dict[str, Any]
) -> dict[str, Any]:
    import jsonschema

    target, body = request_for(path, operation, document)
    label = f"{method.upper()} {path}"
    request = urllib.request.Request(base + target, data=body, method=method.upper())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (OSError, ValueError) as error:
        return {
            "operation": label,
            "ok": False,
            "status": None,
            "message": f"request failed: {error}",
        }
    responses = operation.get("responses", {})
    spec = (
        responses.get(str(status))
        or responses.get(f"{str(status)[0]}XX")
        or responses.get("default")
    )
    if spec is None:
        allowed = ", ".join(sorted(responses)) or "none"
        return {
            "operation": label,
            "ok": False,
            "status": status,
            "message": f"status {status} is not in the contract (allowed: {allowed}); body: {raw[:300]!r}",
        }
    spec = resolve(spec, document)
    media = spec.get("content", {}).get("application/json")
    if media is not None and "schema" in media:
        try:
            payload = json.loads(raw or b"null")
        except json.JSONDecodeError as error:
            return {
                "operation": label,
                "ok": False,
                "status": status,
                "message": f"status {status} but the body is not JSON ({error}): {raw[:300]!r}",
            }
        schema = {**media["schema"], "components": document.get("components", {})}
        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(payload), key=lambda e: list(e.path)
        )
        if errors:
            where = "/".join(str(part) for part in errors[0].path) or "(root)"
            return {
                "operation": label,
                "ok": False,
                "status": status,
                "message": f"status {status} but the body does not match the schema at {where}: "
                f"{errors[0].message}",
            }
    return {"operation": label, "ok": True, "status": status, "message": ""}


def tail(path: Path, limit: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    document = config["contract"]
    logs = Path(os.environ.get("TMPDIR", "/tmp"))
    report: dict[str, Any] = {"services": []}
    procs: list[subprocess.Popen] = []
    ports: dict[str, int] = {}
    try:
        for service in config["services"]:
            port = free_port()
            command = [part.replace("{port}", str(port)) for part in service["command"]]
            extra = dict(service.get("env", {}))
            for key, value in extra.items():
                for other, other_port in ports.items():
                    value = value.replace("{port:" + other + "}", str(other_port))
                extra[key] = value
            ports[service["name"]] = port
            env = {**os.environ, **extra, service.get("port_env", "PORT"): str(port)}
            log_path = logs / f"{service['name']}.log"
            with open(log_path, "wb") as log:
                proc = subprocess.Popen(
                    command,
                    cwd=service["cwd"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            procs.append(proc)
            entry: dict[str, Any] = {"name": service["name"], "port": port, "checks": []}
            report["services"].append(entry)
            problem = wait_listening(port, proc, time.monotonic() + config["startup_timeout_s"])
            if problem:
                entry["error"] = f"{problem}; output: {tail(log_path)}"
                continue
            wanted = set(service.get("operations") or [])
            for path, item in document.get("paths", {}).items():
                for method in METHODS:
                    operation = item.get(method)
                    if operation is None:
                        continue
                    if wanted and operation.get("operationId") not in wanted:
                        continue
                    entry["checks"].append(
                        check(f"http://127.0.0.1:{port}", method, path, operation, document)
                    )
            if not all(item["ok"] for item in entry["checks"]):
                entry["log"] = tail(log_path)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
