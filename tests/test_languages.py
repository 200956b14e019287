"""One profile per language, and the modules that used to spell the list look it up there."""

from __future__ import annotations

from pathlib import Path

import pytest

from protosmith import languages
from protosmith.analysis.other_languages import EXTENSIONS
from protosmith.execution.service import detect_language
from protosmith.execution.toolchains import LANGUAGES
from protosmith.spec.model import KNOWN_LANGUAGES


def test_names_aliases_and_suffixes_are_unique() -> None:
    names = [p.name for p in languages.PROFILES]
    assert len(names) == len(set(names)) and names[0] == languages.DEFAULT
    aliases = [alias for p in languages.PROFILES for alias in p.aliases]
    assert len(aliases) == len(set(aliases)) and not set(aliases) & set(names)
    suffixes = [ext for p in languages.PROFILES for ext in p.extensions]
    assert len(suffixes) == len(set(suffixes))
    assert all(p.runner and p.tooling.test for p in languages.PROFILES)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Python3", "python"),
        ("node.js", "javascript"),
        ("TS", "typescript"),
        ("golang", "go"),
        ("rs", "rust"),
        ("java", "java"),
        (".NET", "csharp"),
        ("cobol", None),
    ],
)
def test_canonical_names(written: str, name: str | None) -> None:
    assert languages.canonical(written) == name


def test_the_lookups_agree() -> None:
    assert KNOWN_LANGUAGES == languages.KNOWN and LANGUAGES == languages.NAMES
    assert EXTENSIONS[".tsx"] == "typescript" and EXTENSIONS[".rs"] == "rust"
    assert ".py" not in EXTENSIONS  # Python's review is built in, not an external analyzer


@pytest.mark.parametrize(
    ("files", "language"),
    [
        (["package.json", "index.js"], "javascript"),
        (["package.json", "tsconfig.json"], "typescript"),
        (["Cargo.toml", "requirements.txt"], "rust"),
        (["go.mod"], "go"),
        (["pom.xml"], "java"),
        (["app.csproj"], "csharp"),
        (["requirements.txt"], "python"),
        (["main.go", "util.go", "x.py"], "go"),
        ([], None),
    ],
)
def test_build_files_then_suffixes_decide_a_project(
    files: list[str], language: str | None, tmp_path: Path
) -> None:
    for name in files:
        (tmp_path / name).write_text("{}\n" if name == "package.json" else "\n")
    assert detect_language(tmp_path) == language


def test_every_language_has_placement_traits() -> None:
    from protosmith.agents.polyglot import TRAITS

    assert tuple(TRAITS) == languages.NAMES
