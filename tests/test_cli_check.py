"""``protosmith check`` and ``protosmith schema`` through the real CLI, in and out of process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from protosmith.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "spec_corpus"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text())
WORKSPACES = Path(__file__).parent / "workspaces" / "spec"
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>PS1\d\d) (?P<message>.+)$")
HEAVY = ("llama_cpp", "openai", "tiktoken", "pygls", "lsprotocol", "jinja2", "httpx")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    return subprocess.run(
        [sys.executable, "-m", "protosmith", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_corpus_is_large_and_indexed() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.toml"))
    assert len(files) >= 40
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / name
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    found = []
    for line in out.splitlines():
        match = LINE.match(line)
        assert match, f"not a PATH:LINE:COL: CODE line: {line!r}"
        assert match["path"] == str(path)
        found.append([int(match["line"]), int(match["col"]), match["code"]])
    expected = EXPECTED[name]
    line, code = expected["expect"]
    assert any(item[0] == line and item[2] == code for item in found), found
    assert found == expected["problems"]


def corpus(suffix: str) -> str:
    """The corpus file whose name (after its number) is ``suffix``."""
    (name,) = [name for name in EXPECTED if name.split("-", 1)[1] == f"{suffix}.toml"]
    return name


@pytest.mark.parametrize(
    "suffix",
    ["syntax-unterminated-string", "not-utf8", "deeply-nested", "duplicate-scenario"],
)
def test_corpus_in_a_subprocess(suffix: str) -> None:
    name = corpus(suffix)
    result = run_cli("check", str(CORPUS / name))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    line, code = EXPECTED[name]["expect"]
    assert f":{line}:" in result.stdout and f" {code} " in result.stdout


def test_valid_spec_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(WORKSPACES / "full" / "protosmith.toml")]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "ok (2 scenarios)" in err


def test_default_spec_path_and_missing_file(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.startswith("protosmith.toml:1:1: PS107 ")
    assert "Traceback" not in result.stderr
    (tmp_path / "protosmith.toml").write_text(
        (WORKSPACES / "minimal" / "protosmith.toml").read_text()
    )
    assert run_cli("check", cwd=tmp_path).returncode == 0


def test_huge_file_in_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "protosmith.toml"
    body = '[project]\nname = "big"\ndescription = """' + "lorem ipsum dolor\n" * 290_000
    path.write_text(body + '"""\ncolour = 1\n\n[[scenarios]]\nname = "a"\nacceptance = ["x"]\n')
    assert path.stat().st_size > 5_000_000
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert f"{path}:290004:1: PS101 unknown key 'colour'" in result.stdout


def test_schema_prints_the_model_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "protosmith.toml"
    assert set(schema["required"]) == {"project", "scenarios"}


def test_schema_survives_a_closed_pipe() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    with subprocess.Popen(
        [sys.executable, "-m", "protosmith", "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0
    assert "Traceback" not in stderr


_IMPORT_PROBE = """
import os, sys
from protosmith.cli import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(os.environ["HEAVY"].split(",")))
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(WORKSPACES / "full" / "protosmith.toml")],
        ["check", str(CORPUS / corpus("unknown-key-project"))],
        ["check", str(CORPUS / corpus("syntax-unterminated-string"))],
        ["schema"],
        ["--version"],
    ],
)
def test_check_and_schema_import_nothing_heavy(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server"), "HEAVY": ",".join(HEAVY)}
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "HEAVY=\n" in result.stderr, result.stderr
