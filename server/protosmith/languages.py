"""The languages protosmith generates, runs and reviews: one profile each.

Everything that depends on a language's name (spec validation, the spec drafter's aliases, the
source suffixes review and test detection look for, the build files that mark a project, the
test runner a finding names, the analyzer that reviews it, the tooling prompts describe) is
looked up here, so adding a language is one profile, not a dozen tables that drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageTooling:
    """How a language's code is laid out, installed, run and tested (what prompts tell agents)."""

    framework: str
    test_layout: str
    install: str
    run: str
    test: str


@dataclass(frozen=True)
class LanguageProfile:
    """One language: its spec name and everything keyed on it."""

    name: str
    """The name a spec's ``languages`` uses."""
    tooling: LanguageTooling
    aliases: tuple[str, ...] = ()
    """Other spellings users write (``py``, ``golang``...); lower case."""
    extensions: tuple[str, ...] = ()
    """Source file suffixes of the language."""
    build_markers: tuple[str, ...] = ()
    """Globs of the build files at a project's root that say the project is in this language."""
    runner: str = ""
    """The test runner's name, as findings from a test run cite it."""
    analyzer: str | None = None
    """The external analyzer review runs on it (Python's static review is built in)."""
    fence: str = ""
    """The Markdown code-fence language; the name when empty."""

    @property
    def fence_name(self) -> str:
        """The info string of a fenced code block in this language."""
        return self.fence or self.name


PROFILES: tuple[LanguageProfile, ...] = (
    LanguageProfile(
        "python",
        LanguageTooling(
            "pytest",
            "test_*.py files beside the modules",
            "python -m pip install pytest",
            "python -m {entry}",
            "python -m pytest -q",
        ),
        aliases=("py", "python3"),
        extensions=(".py",),
        build_markers=("pyproject.toml", "setup.py", "requirements.txt"),
        runner="pytest",
    ),
    LanguageProfile(
        "javascript",
        LanguageTooling(
            "node:test",
            "*.test.js files using node:test and node:assert",
            "npm install",
            "node {entry}.js",
            "node --test",
        ),
        aliases=("js", "node", "nodejs", "node.js"),
        extensions=(".js", ".jsx", ".mjs", ".cjs"),
        build_markers=("package.json",),
        runner="node-test",
        analyzer="eslint",
        fence="js",
    ),
    LanguageProfile(
        "typescript",
        LanguageTooling(
            "node:test",
            "*.test.ts files using node:test and node:assert",
            "npm install",
            "npx tsx index.ts",
            "node --test --experimental-strip-types",
        ),
        aliases=("ts",),
        extensions=(".ts", ".tsx", ".mts", ".cts"),
        build_markers=("tsconfig.json",),
        runner="node-test",
        analyzer="eslint",
        fence="ts",
    ),
    LanguageProfile(
        "go",
        LanguageTooling(
            "go test",
            "*_test.go files in the same package",
            "go mod download",
            "go run .",
            "go test ./...",
        ),
        aliases=("golang",),
        extensions=(".go",),
        build_markers=("go.mod",),
        runner="go-test",
        analyzer="go vet",
    ),
    LanguageProfile(
        "rust",
        LanguageTooling(
            "cargo test",
            "#[cfg(test)] modules and tests/*.rs",
            "cargo build",
            "cargo run",
            "cargo test",
        ),
        aliases=("rs",),
        extensions=(".rs",),
        build_markers=("Cargo.toml",),
        runner="cargo-test",
        analyzer="cargo clippy",
    ),
    LanguageProfile(
        "java",
        LanguageTooling(
            "junit5",
            "src/test/java with JUnit 5 through Maven (pom.xml)",
            "mvn -q dependency:resolve",
            "mvn -q exec:java",
            "mvn -q test",
        ),
        extensions=(".java",),
        build_markers=("pom.xml",),
        runner="maven-surefire",
    ),
    LanguageProfile(
        "csharp",
        LanguageTooling(
            "xunit",
            "a *.Tests project using xUnit",
            "dotnet restore",
            "dotnet run",
            "dotnet test",
        ),
        aliases=("c#", "cs", "dotnet", ".net"),
        extensions=(".cs",),
        build_markers=("*.csproj", "*.sln"),
        runner="dotnet-test",
    ),
)
"""Every language, in the order listings show them (Python, the default, first)."""

DEFAULT = "python"
"""The language of a spec that names none, and of prompts for a language nobody knows."""

BY_NAME: dict[str, LanguageProfile] = {profile.name: profile for profile in PROFILES}
NAMES: tuple[str, ...] = tuple(BY_NAME)
KNOWN: frozenset[str] = frozenset(NAMES)
ALIASES: dict[str, str] = {alias: p.name for p in PROFILES for alias in p.aliases}
"""Other spellings (lower case) to the spec name."""
BY_EXTENSION: dict[str, str] = {ext: p.name for p in PROFILES for ext in p.extensions}
"""Source suffix to language."""
SOURCE_EXTENSIONS: tuple[str, ...] = tuple(BY_EXTENSION)


def profile(name: str) -> LanguageProfile | None:
    """The profile of a spec language name, or ``None`` for one protosmith does not know."""
    return BY_NAME.get(name)


def canonical(text: str) -> str | None:
    """The spec name for what a user wrote (``Golang`` -> ``go``), or ``None`` when unknown."""
    lowered = text.strip().lower()
    name = ALIASES.get(lowered, lowered)
    return name if name in BY_NAME else None


def tooling(name: str) -> LanguageTooling:
    """Tooling for ``name`` (the default language's when unknown, so prompts always have one)."""
    return (BY_NAME.get(name) or BY_NAME[DEFAULT]).tooling
