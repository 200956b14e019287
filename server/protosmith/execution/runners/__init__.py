"""One test runner per language; ``runner_for(language)`` picks it."""

from __future__ import annotations

from protosmith.execution.runners.base import Runner


def runner_for(language: str) -> Runner | None:
    """The runner for a protosmith language name, or None when there is none."""
    language = language.lower()
    if language == "python":
        from protosmith.execution.runners.python import PythonRunner

        return PythonRunner()
    if language in ("javascript", "typescript"):
        from protosmith.execution.runners.node import NodeRunner

        return NodeRunner(language)
    if language == "go":
        from protosmith.execution.runners.go import GoRunner

        return GoRunner()
    if language == "rust":
        from protosmith.execution.runners.rust import RustRunner

        return RustRunner()
    if language == "java":
        from protosmith.execution.runners.java import JavaRunner

        return JavaRunner()
    if language == "csharp":
        from protosmith.execution.runners.dotnet import DotnetRunner

        return DotnetRunner()
    return None
