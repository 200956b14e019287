"""A scripted "capable model" for the whole agent team, so tests can generate real prototypes.

It answers every agent of the pipeline with valid JSON computed from the request's typed
parts alone: ``request.agent``, the reply schema (``request.json_schema``, as pydantic-ai's
``TestModel`` reads only the schema) and ``request.task`` (what the request is for, which
component, its module path and language). It never reads the prompt's prose, so it cannot
be the only judge of what the prompts say; end-to-end tests with recorded strong-model replies
(``test_generate_recorded.py``) judge that. Stateless and deterministic: the same request
always gets the same reply, so the LLM cache behaves as with a real model. The prototype it
writes is small but real: each component is a package (Python) or folder (JavaScript) with
working code and tests that pass when run.

Use it in three ways:

1. In tests, with a layout::

       from scripted_team import Team
       team = Team(layout="core; catalog>core; pricing>core; orders>catalog,pricing")
       backend = ScriptedBackend(function=team.reply)

   ``layout`` lists components separated by ``;``: ``name[:language][>dep,dep]``.

2. With no layout: the team reads a ``team_layout`` entry from the spec's ``[context]`` table
   (the architecture request carries it as a typed fact), else designs one component.

3. As a script file: ``PROTOSMITH_ALLOW_SCRIPTED=1 PROTOSMITH_BACKEND=scripted
   PROTOSMITH_SCRIPT=tests/scripted_team.py protosmith generate ...`` (module-level ``reply``).

Faults for tests (``Team(...)`` keyword arguments), each fixed by what the pipeline sends back:
``placeholder`` (components whose first implementation holds a TODO), ``buggy`` (components
whose first implementation fails its tests), ``broken_tests`` (components whose first tests
expect the wrong value), ``cycle`` (the first design has a dependency cycle), ``invalid_json``
(the first design is not JSON), ``unsafe`` (components that also try to write ``../escape.py``),
``off_contract`` (polyglot services that answer ``value`` where the contract says ``result``).
A Python component whose name starts with ``weak`` also hashes data with MD5, a finding (PS315)
for the run's review to report.

Polyglot mode: when the request says the component is a service, each component also gets a
stdlib HTTP service (``service.py`` or ``service.js``) serving its contract on ``$PORT``, and a
consumer calls its providers at ``<PROVIDER>_URL``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from protosmith.llm.base import CompletionRequest, Message, RequestTask

_SCHEMA_OF = {
    "architecture": "ArchitectureRecord",
    "architecture-repair": "ArchitectureRecord",
    "interface": "InterfaceDraft",
    "implement": "ComponentCode",
    "repair-implement": "ComponentCode",
    "tests": "TestSuite",
    "repair-tests": "TestSuite",
    "verdict": "RepairVerdict",
    "docs": "DocsDraft",
    "review": "ReviewReply",
}
"""The reply schema of each task kind, for continuations (they carry no schema)."""


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", name.strip()).strip("_").lower() or "app"


def _retried(request: CompletionRequest) -> bool:
    """A retry carries the rejected reply as an assistant message (structure, not prose)."""
    return any(message.role == "assistant" for message in request.messages)


@dataclass
class Team:
    """Reply function for every agent; see the module docstring."""

    layout: str = ""
    placeholder: set[str] = field(default_factory=set)
    buggy: set[str] = field(default_factory=set)
    broken_tests: set[str] = field(default_factory=set)
    unsafe: set[str] = field(default_factory=set)
    cycle: bool = False
    invalid_json: bool = False
    off_contract: set[str] = field(default_factory=set)

    def reply(self, request: CompletionRequest) -> str:
        """The reply for ``request``, chosen by its agent, schema and typed task."""
        schema = str((request.json_schema or {}).get("title", ""))
        if request.agent == "refine":
            text = "\n".join(message.content for message in request.messages)
            return self._refine(text)
        task = request.task
        if task is None:
            raise ValueError(f"scripted team: a {request.agent!r} request carries no task")
        if not schema and task.kind in _SCHEMA_OF:
            return self._continuation(request, task)
        handler = {
            ("architecture", "ArchitectureRecord"): self._architecture,
            ("implementation", "InterfaceDraft"): self._interface,
            ("implementation", "ComponentCode"): self._implementation,
            ("testing", "TestSuite"): self._testing,
            ("repair", "RepairVerdict"): self._verdict,
            ("documentation", "DocsDraft"): self._docs,
            ("review", "ReviewReply"): self._review,
        }.get((request.agent, schema))
        if handler is None:
            raise ValueError(f"scripted team has no reply for {request.agent!r} / {schema!r}")
        return handler(task, _retried(request))

    def _continuation(self, request: CompletionRequest, task: RequestTask) -> str:
        """A cut-off reply continued (no schema, the partial reply as the last assistant
        message): the rest of the reply this request's task gets."""
        roles = [m.role for m in request.messages]
        last = len(roles) - 1 - roles[::-1].index("assistant") if "assistant" in roles else 0
        written = request.messages[last].content if "assistant" in roles else ""
        schema = {"title": _SCHEMA_OF[task.kind]}
        original = request.model_copy(
            update={"json_schema": schema, "messages": request.messages[:last]}
        )
        full = self.reply(original)
        return full[len(written) :] if full.startswith(written) else full

    # -- refinement and review ------------------------------------------------------------
    def _refine(self, text: str) -> str:
        """Apply the instruction as a comment on top of the first file: valid, visible, no stub.

        The refiner (``agents/refiner.py``) sends no typed task yet, so this one reads the
        file blocks of its prompt.
        """
        instruction = re.search(r"^Instruction: (.*)$", text, re.M)
        body = text.split("\n\nYour previous attempt was rejected", 1)[0]
        parts = re.split(r"^=== (.+) ===$", body, flags=re.M)
        if len(parts) < 3:
            return json.dumps({"files": [], "summary": "nothing to refine"})
        path, content = parts[1], parts[2].lstrip("\n")
        note = (instruction.group(1) if instruction else "refined").replace("\n", " ")
        comment = "//" if path.endswith((".js", ".ts", ".go", ".rs", ".java")) else "#"
        refined = f"{comment} refined: {note}\n{content.rstrip()}\n"
        return json.dumps({"files": [{"path": path, "content": refined}], "summary": note})

    def _review(self, task: RequestTask, retried: bool) -> str:
        """A careful reviewer with nothing to add: no claims, every static finding confirmed."""
        shown = [int(i) for i in task.facts.get("findings", "").split(",") if i]
        triage = [{"index": i, "verdict": "confirm", "reason": "agreed"} for i in shown]
        return json.dumps({"claims": [], "triage": triage, "traces": []})

    # -- architecture -------------------------------------------------------------------
    def _components(self, task: RequestTask) -> list[tuple[str, str, list[str]]]:
        layout = self.layout or task.facts.get("context.team_layout", "")
        languages = [x for x in task.facts.get("languages", "").split(",") if x]
        default_language = languages[0] if languages else "python"
        if not layout:
            return [(_slug(task.facts.get("project", "app")), default_language, [])]
        result = []
        for entry in (item.strip() for item in layout.split(";")):
            if not entry:
                continue
            head, _, deps = entry.partition(">")
            name, _, language = head.partition(":")
            dep_names = [d.strip() for d in deps.split(",") if d.strip()]
            result.append((name.strip(), language.strip() or default_language, dep_names))
        return result

    def _architecture(self, task: RequestTask, retried: bool) -> str:
        if self.invalid_json and not retried:
            return "Here is my design: components are orders and users."
        components = self._components(task)
        scenarios = [s for s in task.facts.get("scenarios", "").split("\n") if s]
        specs = []
        for index, (name, language, deps) in enumerate(components):
            covers = [s for i, s in enumerate(scenarios) if i % len(components) == index]
            specs.append(
                {
                    "name": name,
                    "language": language,
                    "responsibility": f"Computes the {name} value.",
                    "interfaces": [
                        {
                            "name": f"{name}_value",
                            "signature": f"{name}_value(x: int) -> int",
                            "description": "Returns x plus one.",
                            "data_types": ["int"],
                        }
                    ],
                    "depends_on": deps,
                    "covers_scenarios": covers,
                }
            )
        if self.cycle and task.kind == "architecture" and len(specs) > 1:
            dependants = [spec for spec in specs if spec["depends_on"]] or [specs[1]]
            specs[0]["depends_on"] = [*specs[0]["depends_on"], dependants[-1]["name"]]
            if not dependants[-1]["depends_on"]:
                dependants[-1]["depends_on"] = [specs[0]["name"]]
        record = {
            "analysis": {
                "summary": "A small modular prototype.",
                "scenarios": [],
                "constraints": [],
            },
            "style": "modular",
            "components": specs,
            "patterns": ["dependency injection"],
            "data_flow": [f"{d} -> {n}" for n, _, deps in components for d in deps],
            "integration": "in-process calls",
            "deployment": "Run each component locally.",
            "mermaid": "",
        }
        return json.dumps(record)

    # -- implementation -----------------------------------------------------------------
    def _interface(self, task: RequestTask, retried: bool) -> str:
        name = task.component
        if task.facts.get("language") == "javascript":
            signature = f"function {name}Value(x) // returns x + 1"
        else:
            module = task.facts.get("module", name)
            signature = (
                f"# from {module} import {name}_value\n"
                f'def {name}_value(x: int) -> int:\n    """Return x plus one."""'
            )
        return json.dumps({"interface": signature, "summary": f"{name} adds one to a number."})

    def _implementation(self, task: RequestTask, retried: bool) -> str:
        name = task.component
        language = task.facts.get("language", "python")
        repaired = task.kind == "repair-implement"
        increment = 2 if name in self.buggy and not repaired else 1
        if language == "javascript":
            path = f"{name}.js"
            body = (
                f'"use strict";\n/** Return x plus one. */\nfunction {name}Value(x) {{\n'
                f"  return x + {increment};\n}}\nmodule.exports = {{ {name}Value }};\n"
            )
        else:
            path = f"{name}.py"
            body = (
                f'"""The {name} component."""\n\n\ndef {name}_value(x: int) -> int:\n'
                f'    """Return x plus one."""\n    return x + {increment}\n'
            )
            if name.startswith("weak"):  # a finding for the run's review to report (PS315)
                body = (
                    "import hashlib\n\n"
                    + body
                    + (
                        f"\n\ndef {name}_digest(data: bytes) -> str:\n"
                        f'    """A checksum of data."""\n    return hashlib.md5(data).hexdigest()\n'
                    )
                )
        if name in self.placeholder and not retried:
            body += "\n# TODO: finish this\n"
        files = [{"path": path, "content": body}]
        if language == "python":
            init = f'"""The {name} package."""\n\nfrom .{name} import {name}_value\n'
            files.insert(0, {"path": "__init__.py", "content": init})
        else:
            index = f'"use strict";\n/** The {name} component. */\nmodule.exports = require("./{name}.js");\n'
            files.insert(0, {"path": "index.js", "content": index})
        extra: dict[str, str] = {}
        if task.facts.get("service"):
            providers = [p for p in task.facts.get("providers", "").split(",") if p]
            files.append(_service_file(name, language, providers, name in self.off_contract))
            extra["start"] = "node service.js" if language == "javascript" else "python service.py"
        if name in self.unsafe:
            files.append({"path": "../escape.py", "content": "print('escaped')\n"})
        return json.dumps(
            {
                "files": files,
                "summary": f"{name} adds one to a number.",
                "interface": f"{name}_value(x: int) -> int",
                **extra,
            }
        )

    # -- testing ------------------------------------------------------------------------
    def _testing(self, task: RequestTask, retried: bool) -> str:
        name = task.component
        scenarios = [s for s in task.facts.get("scenarios", "").split("\n") if s]
        scenario = scenarios[0] if scenarios else ""
        fixed = task.kind == "repair-tests"
        expected = 3 if name in self.broken_tests and not fixed else 2
        if task.facts.get("language") == "javascript":
            files = [
                {
                    "path": f"{name}.test.js",
                    "content": (
                        'const test = require("node:test");\nconst assert = require("node:assert");\n'
                        f'const {{ {name}Value }} = require("./{name}.js");\n\n'
                        f'test("{name} adds one", () => {{\n  assert.strictEqual({name}Value(1), {expected});\n}});\n'
                        f'test("{name} handles zero", () => {{\n  assert.strictEqual({name}Value(0), {expected - 1});\n}});\n'
                    ),
                }
            ]
            tests = [f"{name} adds one", f"{name} handles zero"]
            framework = "node:test"
        else:
            module = task.facts.get("module", name)
            files = [
                {
                    "path": f"test_{name}.py",
                    "content": (
                        f"from {module} import {name}_value\n\n\n"
                        f"def test_{name}_adds_one():\n    assert {name}_value(1) == {expected}\n\n\n"
                        f"def test_{name}_handles_zero():\n    assert {name}_value(0) == {expected - 1}\n"
                    ),
                }
            ]
            tests = [f"test_{name}_adds_one", f"test_{name}_handles_zero"]
            framework = "pytest"
        traces = {test: scenario for test in tests} if scenario else {}
        return json.dumps({"files": files, "framework": framework, "traces": traces})

    def _verdict(self, task: RequestTask, retried: bool) -> str:
        culprit = "test" if task.component in self.broken_tests else "implementation"
        return json.dumps({"culprit": culprit, "reason": f"the {culprit} is wrong"})

    # -- documentation ------------------------------------------------------------------
    def _docs(self, task: RequestTask, retried: bool) -> str:
        title = task.facts.get("project", "the prototype")
        return json.dumps(
            {
                "readme": f"## Overview\n\n{title} is a small modular prototype.\n",
                "deployment": f"# Deploying {title}\n\nRun each component locally.\n",
            }
        )


def _service_file(
    name: str, language: str, providers: list[str], off: bool = False
) -> dict[str, str]:
    """Polyglot mode: the HTTP service serving ``POST /<name>_value`` and ``GET /health``.

    A consumer also calls each provider it consumes (``<PROVIDER>_URL``) when the variable is
    set, so the deployed services really talk to each other.
    """
    key = "value" if off else "result"
    if language == "javascript":
        calls = "".join(
            f"  if (process.env.{p.upper()}_URL) {{\n"
            f'    const r = await fetch(process.env.{p.upper()}_URL + "/{p}_value", '
            f'{{ method: "POST", headers: {{ "Content-Type": "application/json" }}, '
            f"body: JSON.stringify({{ x }}) }});\n"
            f"    x = (await r.json()).result - 1;\n  }}\n"
            for p in providers
        )
        content = (
            f'"use strict";\n/** HTTP service of {name}. */\nconst http = require("node:http");\n'
            f'const {{ {name}Value }} = require("./{name}.js");\n\n'
            "function send(res, status, payload) {\n"
            '  res.writeHead(status, { "Content-Type": "application/json" });\n'
            "  res.end(JSON.stringify(payload));\n}\n\n"
            f"async function compute(x) {{\n{calls}  return {name}Value(x);\n}}\n\n"
            "const server = http.createServer((req, res) => {\n"
            '  if (req.method === "GET" && req.url === "/health") return send(res, 200, { status: "ok" });\n'
            f'  if (req.method !== "POST" || req.url !== "/{name}_value") return send(res, 404, {{}});\n'
            '  let raw = "";\n  req.on("data", (chunk) => { raw += chunk; });\n'
            '  req.on("end", async () => {\n    let body;\n'
            '    try { body = JSON.parse(raw || "{}"); } catch { return send(res, 400, {}); }\n'
            '    if (typeof body.x !== "number") return send(res, 400, {});\n'
            f"    send(res, 200, {{ {key}: await compute(body.x) }});\n  }});\n}});\n"
            'server.listen(Number(process.env.PORT), process.env.HOST || "127.0.0.1");\n'
        )
        return {"path": "service.js", "content": content}
    content = (
        f'"""HTTP service of {name} (standard library only)."""\n\n'
        "import json\nimport os\nfrom http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n\n"
        f"from {name} import {name}_value\n\n\n"
        "class Handler(BaseHTTPRequestHandler):\n"
        "    def _send(self, status, payload):\n"
        "        body = json.dumps(payload).encode()\n"
        "        self.send_response(status)\n"
        '        self.send_header("Content-Type", "application/json")\n'
        '        self.send_header("Content-Length", str(len(body)))\n'
        "        self.end_headers()\n        self.wfile.write(body)\n\n"
        "    def do_GET(self):\n"
        '        if self.path == "/health":\n            return self._send(200, {"status": "ok"})\n'
        "        return self._send(404, {})\n\n"
        "    def do_POST(self):\n"
        f'        if self.path != "/{name}_value":\n            return self._send(404, {{}})\n'
        '        length = int(self.headers.get("Content-Length", "0"))\n'
        '        try:\n            data = json.loads(self.rfile.read(length) or b"{}")\n'
        "        except json.JSONDecodeError:\n            return self._send(400, {})\n"
        '        if not isinstance(data.get("x"), int):\n            return self._send(400, {})\n'
        f'        return self._send(200, {{"{key}": {name}_value(data["x"])}})\n\n'
        "    def log_message(self, *args):\n        pass\n\n\n"
        'if __name__ == "__main__":\n'
        '    address = (os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"]))\n'
        "    ThreadingHTTPServer(address, Handler).serve_forever()\n"
    )
    return {"path": "service.py", "content": content}


_DEFAULT = Team()


def reply(request: CompletionRequest) -> str:
    """Entry point for ``PROTOSMITH_SCRIPT``: the default team (layout from the spec)."""
    return _DEFAULT.reply(request)


_WIRE_COMPONENT = re.compile(r'the component "([^"]+)"')
_WIRE_PACKAGE = re.compile(r"This component is the package `([\w.]+)`")
_WIRE_LAYOUT = re.compile(r"^- team_layout: (.+)$", re.M)
_WIRE_PROJECT = re.compile(r"^Project: (.+)$", re.M)
_WIRE_DOCS_PROJECT = re.compile(r'documentation of the prototype "([^"]+)"')
_WIRE_LANGUAGES = re.compile(r"^Languages \(preferred first\): (.+)$", re.M)
_WIRE_SCENARIO = re.compile(r"^- name: (.+?) \(priority", re.M)
_WIRE_AGENTS = {
    "ArchitectureRecord": "architecture",
    "InterfaceDraft": "implementation",
    "ComponentCode": "implementation",
    "TestSuite": "testing",
    "RepairVerdict": "repair",
    "DocsDraft": "documentation",
    "ReviewReply": "review",
}


def wire_request(body: dict[str, Any]) -> CompletionRequest:
    """A typed request rebuilt from a chat-completions body a fake server received.

    Over HTTP only the messages and the schema travel; the agent follows from the schema, and
    the task's component and facts have to be read back from the prompt. This adapter is the
    one place where prose is read, and only for wire-level tests (secrets, backends).
    """
    messages = [Message(role=m["role"], content=m.get("content") or "") for m in body["messages"]]
    response_format = body.get("response_format") or {}
    schema = response_format.get("schema") or (response_format.get("json_schema") or {}).get(
        "schema"
    )
    title = str((schema or {}).get("title", ""))
    agent = _WIRE_AGENTS.get(title, "refine" if title == "RefineReply" else "unknown")
    text = "\n".join(message.content for message in messages if message.role != "assistant")
    found = _WIRE_COMPONENT.search(text)
    facts: dict[str, str] = {}
    kind = {"ArchitectureRecord": "architecture", "DocsDraft": "docs", "ReviewReply": "review"}
    kind_name = kind.get(title, "")
    if title == "ArchitectureRecord":
        layout = _WIRE_LAYOUT.search(text)
        project = _WIRE_PROJECT.search(text)
        languages = _WIRE_LANGUAGES.search(text)
        facts = {
            "context.team_layout": layout.group(1) if layout else "",
            "project": project.group(1) if project else "app",
            "languages": languages.group(1).replace(" ", "") if languages else "python",
            "scenarios": "\n".join(_WIRE_SCENARIO.findall(text)),
        }
        if "cannot be built" in text:
            kind_name = "architecture-repair"
    elif title == "DocsDraft":
        project = _WIRE_DOCS_PROJECT.search(text)
        facts = {"project": project.group(1) if project else "the prototype"}
    elif title == "ReviewReply":
        facts = {"findings": ",".join(re.findall(r"^\[(\d+)\] ", text, re.M))}
    else:
        package = _WIRE_PACKAGE.search(text)
        language = "javascript" if " in javascript" in text or "(javascript," in text else "python"
        repair = "judged the implementation wrong" in text or "judged your previous tests" in text
        base = {"InterfaceDraft": "interface", "ComponentCode": "implement", "TestSuite": "tests"}
        kind_name = {"RepairVerdict": "verdict"}.get(title, base.get(title, "unknown"))
        if repair and title in ("ComponentCode", "TestSuite"):
            kind_name = f"repair-{kind_name}"
        scenarios = re.findall(r"^- (\S+): ", text.split("Scenarios")[-1], re.M)
        facts = {
            "language": language,
            "module": package.group(1) if package else "",
            "scenarios": "\n".join(scenarios),
        }
    task = RequestTask(kind=kind_name, component=found.group(1) if found else "", facts=facts)
    return CompletionRequest(messages=messages, agent=agent, json_schema=schema, task=task)
