"""The VS Code extension (editor-clients/vscode): build, lint, unit tests, packaging, and settings.

The build test runs what ``make vsix`` and a contributor run: ``npm ci``, the type check, eslint,
the unit tests (node's test runner with a stub ``vscode`` module) and ``npm run package``, and
checks a .vsix came out. The settings test needs no npm: it keeps the ``protosmith.*`` settings
contributed in package.json identical to the server's settings model (names, types, enums,
defaults, bounds), so the two cannot drift.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from protosmith.settings import Settings

EXTENSION = Path(__file__).resolve().parents[1] / "editor-clients" / "vscode"
PACKAGE_JSON = EXTENSION / "package.json"
CLIENT_ONLY = {"serverPath"}
"""Settings the extension reads itself; the server never sees them as its own."""
TEST_ONLY = {"script"}
"""Server settings deliberately not offered in the editor."""


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    return manifest


def _contributed() -> dict[str, dict[str, Any]]:
    properties = _manifest()["contributes"]["configuration"]["properties"]
    prefix = "protosmith."
    assert all(key.startswith(prefix) for key in properties), list(properties)
    return {key[len(prefix) :]: value for key, value in properties.items()}


def _normalize(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Reduce a JSON Schema property (pydantic's or package.json's) to comparable facts."""
    branches = schema.get("anyOf", [schema])
    types: set[str] = set()
    enum: set[Any] | None = None
    bounds: dict[str, Any] = {}
    for branch in branches:
        if "$ref" in branch:
            branch = defs[branch["$ref"].rsplit("/", 1)[1]]
        declared = branch.get("type", [])
        types.update([declared] if isinstance(declared, str) else declared)
        if "enum" in branch:
            enum = (enum or set()) | set(branch["enum"])
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in branch:
                bounds[key] = branch[key]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in schema:
            bounds[key] = schema[key]
    if enum is not None and "null" in types:
        enum.add(None)
    return {"types": types, "enum": enum, "default": schema.get("default"), "bounds": bounds}


def _server_settings() -> dict[str, dict[str, Any]]:
    """Every editor-visible server setting by its editor name (review.* flattened)."""
    schema = Settings.model_json_schema(by_alias=True)
    defs = schema["$defs"]
    flattened: dict[str, dict[str, Any]] = {}
    for name, prop in schema["properties"].items():
        if name in TEST_ONLY:
            continue
        if prop.get("$ref", "").endswith("/ReviewSettings"):
            for sub, sub_prop in defs["ReviewSettings"]["properties"].items():
                flattened[f"{name}.{sub}"] = _normalize(sub_prop, defs)
            continue
        flattened[name] = _normalize(prop, defs)
    return flattened


def test_contributed_settings_match_the_server_settings_model() -> None:
    contributed = _contributed()
    server = _server_settings()
    assert set(contributed) - CLIENT_ONLY == set(server), (
        "package.json and protosmith.settings.Settings disagree on the setting names"
    )
    defs: dict[str, Any] = {}
    for name, expected in server.items():
        entry = contributed[name]
        actual = _normalize(entry, defs)
        assert actual == expected, f"protosmith.{name}: package.json {actual} != server {expected}"
        assert entry.get("markdownDescription") or entry.get("description"), name


def test_client_only_settings_are_described() -> None:
    contributed = _contributed()
    for name in CLIENT_ONLY:
        assert contributed[name].get("markdownDescription"), name
    restricted = _manifest()["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert "protosmith.serverPath" in restricted
    assert "protosmith.baseUrl" in restricted


def _npm(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    assert npm is not None
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    completed = subprocess.run(
        [npm, *args],
        cwd=EXTENSION,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, (
        f"npm {' '.join(args)} failed ({completed.returncode}):\n"
        f"{completed.stdout[-6000:]}\n{completed.stderr[-6000:]}"
    )
    return completed


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("node") is None,
    reason="needs node and npm (the extension is TypeScript)",
)
def test_extension_builds_lints_passes_its_tests_and_packages() -> None:
    vsix = EXTENSION / "protosmith.vsix"
    vsix.unlink(missing_ok=True)
    _npm("ci", "--no-audit", "--no-fund", "--prefer-offline")
    _npm("run", "compile")
    _npm("run", "lint")
    tests = _npm("test")
    output = tests.stdout + tests.stderr
    assert "# fail 0" in output, output[-4000:]
    assert "# pass " in output and "# pass 0" not in output, output[-4000:]
    _npm("run", "package")
    assert vsix.is_file(), "npm run package produced no protosmith.vsix"
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        shipped = json.loads(archive.read("extension/package.json"))
    assert "extension/dist/extension.js" in names
    assert not any(name.startswith("extension/node_modules/") for name in names)
    assert not any(name.startswith("extension/src/") for name in names)
    assert shipped["main"] == "./dist/extension.js"
    assert shipped["contributes"] == _manifest()["contributes"]
