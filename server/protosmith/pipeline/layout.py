"""Where each generated component lives, how its siblings import it, and what its tests see.

Components of one language form one importable tree, so a dependant's code imports the real
dependency the idiomatic way:

- Python: one package tree. ``<project>/<component>/`` is the package ``<project>.<component>``
  whose ``__init__.py`` re-exports the public interface (``from shorturl.storage import Store``);
  tests run from the project root with ``python -m pytest <project>/<component>``.
- JavaScript and TypeScript: one folder per component with an ``index`` module; siblings are
  imported by relative path (``require('../storage/index.js')``); tests run in the folder.
- Other languages: one self-contained folder per component (cross-language and other-language
  dependencies are reached through the service contracts).

The layout is fixed before any code exists, from the architecture alone, so every interface,
implementation and test prompt can state the real module paths, and each component's test
sandbox holds exactly the component and the components it imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from protosmith.agents.common import slug
from protosmith.agents.models import ArchitectureRecord
from protosmith.execution.api import TestView

_JS = ("javascript", "typescript")


@dataclass(frozen=True)
class Placement:
    """One component in the tree."""

    name: str
    language: str
    folder: str
    """Relative to the output folder, e.g. ``shorturl/storage``."""
    module: str
    """How a sibling imports it: ``shorturl.storage`` (Python) or ``../storage/index.js``."""
    entry: str
    """The file that exposes the public interface, relative to ``folder``."""


class Layout:
    """The placements of one architecture; pure data, recomputed identically on every run."""

    def __init__(self, project: str, record: ArchitectureRecord) -> None:
        self.package = slug(project)
        self.record = record
        self.placements: dict[str, Placement] = {}
        for component in record.components:
            language = (component.language or "python").lower()
            own = slug(component.name)
            if language == "python":
                placement = Placement(
                    component.name,
                    language,
                    f"{self.package}/{own}",
                    f"{self.package}.{own}",
                    "__init__.py",
                )
            elif language in _JS:
                suffix = ".ts" if language == "typescript" else ".js"
                placement = Placement(
                    component.name, language, own, f"../{own}/index{suffix}", f"index{suffix}"
                )
            else:
                placement = Placement(component.name, language, own, own, "")
            self.placements[component.name] = placement

    def place(self, name: str) -> Placement:
        return self.placements[name]

    def folder(self, name: str) -> str:
        return self.placements[name].folder

    def closure(self, name: str) -> list[str]:
        """Every component ``name`` imports, directly or not, in the same language."""
        language = self.placements[name].language
        seen: list[str] = []
        stack = list(self.record.component(name).depends_on)
        while stack:
            dep = stack.pop()
            if dep in seen or dep not in self.placements:
                continue
            if self.placements[dep].language != language:
                continue
            seen.append(dep)
            stack.extend(self.record.component(dep).depends_on)
        return seen

    def other_language_deps(self, name: str) -> list[str]:
        """Direct dependencies written in another language (reached through their contract)."""
        language = self.placements[name].language
        return [
            dep
            for dep in self.record.component(name).depends_on
            if dep in self.placements and self.placements[dep].language != language
        ]

    def same_language_deps(self, name: str) -> list[str]:
        language = self.placements[name].language
        return [
            dep
            for dep in self.record.component(name).depends_on
            if dep in self.placements and self.placements[dep].language == language
        ]

    def package_files(self) -> dict[str, str]:
        """Files the layout itself needs (the Python project package's ``__init__.py``)."""
        if any(p.language == "python" for p in self.placements.values()):
            doc = f'"""The {self.package} prototype: one subpackage per component."""\n'
            return {f"{self.package}/__init__.py": doc}
        return {}

    def view(self, name: str) -> TestView:
        """What the test run of ``name`` copies, where it runs and what it selects."""
        placement = self.placements[name]
        folders = [placement.folder] + [self.folder(dep) for dep in self.closure(name)]
        extra = ["requirements.txt", "pyproject.toml", "package.json"]
        if placement.language == "python":
            include = [f"{self.package}/__init__.py", *folders, *extra]
            return TestView(include=include, workdir="", select=[placement.folder])
        if placement.language in _JS:
            return TestView(include=folders, workdir=placement.folder)
        return TestView(include=[placement.folder], workdir=placement.folder)

    def whole_view(self, language: str) -> TestView:
        """Every component of ``language`` together (the integration run)."""
        folders = [p.folder for p in self.placements.values() if p.language == language]
        if language == "python":
            include = [f"{self.package}/__init__.py", *folders, "tests", "requirements.txt"]
            return TestView(include=include, workdir="", select=[])
        return TestView(include=folders, workdir="")

    def import_guide(self, name: str, interfaces: dict[str, str] | None = None) -> str:
        """The prompt text that states where ``name`` lives and how it imports its siblings."""
        placement = self.placements[name]
        deps = self.same_language_deps(name)
        lines: list[str] = []
        if placement.language == "python":
            lines.append(
                f"Layout: one Python package tree. This component is the package "
                f"`{placement.module}` in the folder `{placement.folder}/` of the project root. "
                f"File paths in your reply are relative to that folder (for example "
                f"`__init__.py`, `models.py`). Its `__init__.py` must re-export the public "
                f"interface and list those names in `__all__`, so callers write "
                f"`from {placement.module} import <Name>`. Inside "
                f"the package, import your own modules relatively (`from .models import X`)."
            )
            for dep in deps:
                other = self.placements[dep]
                lines.append(
                    f"- Dependency {dep}: `from {other.module} import <names from its "
                    f"interface>` (folder `{other.folder}/`, the real code is importable)."
                )
            lines.append(
                f"Tests run from the project root with `python -m pytest {placement.folder}`; "
                f"the project root is on sys.path, so `{self.package}.*` imports work there."
            )
        elif placement.language in _JS:
            lines.append(
                f"Layout: one folder per component. This component is the folder "
                f"`{placement.folder}/`; file paths in your reply are relative to it. Its "
                f"public interface is exported from `{placement.entry}` (CommonJS "
                f"`module.exports`), so siblings write `require('{placement.module}')`."
            )
            for dep in deps:
                other = self.placements[dep]
                lines.append(
                    f"- Dependency {dep}: `const {{ ... }} = require('{other.module}')` "
                    f"(the sibling folder `{other.folder}/` is present when tests run)."
                )
            lines.append(f"Tests run inside `{placement.folder}/` with node's test runner.")
        else:
            lines.append(
                f"Layout: this component is the self-contained folder `{placement.folder}/`; "
                f"file paths in your reply are relative to it, and its tests run inside it."
            )
        for dep in self.other_language_deps(name):
            other = self.placements[dep]
            lines.append(
                f"- Dependency {dep} is a {other.language} component: it cannot be imported "
                f"from here and is not present when this component's tests run. Reach it only "
                f"through its contract (as the architecture's integration says, e.g. its HTTP "
                f"API at a base URL taken from configuration or the environment). In tests, "
                f"start a small stand-in that follows that contract inside the test (for "
                f"example a local HTTP server on port 0) instead of the real {dep}; never "
                f"start or build {dep} yourself. The pipeline runs the real components together "
                f"in its integration stage."
            )
        return "\n".join(lines)

    def closure_users(self, name: str) -> list[str]:
        """Components that import ``name`` (same language, directly or not)."""
        return [other for other in self.placements if name in self.closure(other)]

    def install_command(self, name: str, root: Path) -> str:
        """What to install before the tests run, from the project root."""
        placement = self.placements[name]
        if placement.language == "python":
            requirements = root / placement.folder / "requirements.txt"
            extra = f" -r {placement.folder}/requirements.txt" if requirements.is_file() else ""
            return f"python -m pip install pytest{extra}"
        if placement.language in _JS:
            return f"(cd {placement.folder} && npm install)"
        from protosmith.languages import tooling

        return f"(cd {placement.folder} && {tooling(placement.language).install})"

    def test_command(self, name: str) -> str:
        placement = self.placements[name]
        if placement.language == "python":
            return f"python -m pytest -q {placement.folder}"
        if placement.language in _JS:
            return f"cd {placement.folder} && node --test"
        from protosmith.languages import tooling

        return f"cd {placement.folder} && {tooling(placement.language).test}"
