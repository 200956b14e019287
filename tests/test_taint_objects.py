"""Taint carried by objects: fields a method stores, read back by another method or a sink."""

from __future__ import annotations

import ast

from protosmith.analysis.python_review import analyze_python
from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.engine import summarize

HOLDERS = """\
import subprocess
from flask import request


class Holder:
    def __init__(self):
        self.value = ""

    def load(self, value):
        self.value = value.strip()
        return self

    def get(self):
        return self.value


class Target:
    def __init__(self, raw):
        self.raw = raw

    def command(self):
        return "ping " + self.raw


class Job:
    def __init__(self, cmd):
        self.cmd = cmd

    def run(self):
        subprocess.run(self.cmd, shell=True)


def fluent():
    return subprocess.run(Holder().load(request.args["a"]).get(), shell=True)


def setter_then_getter():
    holder = Holder()
    holder.load(request.args["b"])
    return subprocess.run(holder.get(), shell=True)


def built_then_read():
    return subprocess.run(Target(request.args["c"]).command(), shell=True)


def sink_on_a_field():
    Job(request.args["d"]).run()


def constant_object():
    return subprocess.run(Holder().load("uptime").get(), shell=True)
"""


def _lines(text: str) -> set[int]:
    return {
        f.range.start.line + 1
        for f in analyze_python("holders.py", text)
        if f.code == "PS302" and f.active
    }


def test_fields_stored_by_one_method_reach_sinks_through_another() -> None:
    lines = HOLDERS.splitlines()
    expected = {
        lines.index(line) + 1
        for line in lines
        if "shell=True" in line and "uptime" not in line and "self.cmd" not in line
    }
    expected.add(lines.index("        subprocess.run(self.cmd, shell=True)") + 1)
    assert _lines(HOLDERS) == expected


def test_summaries_keep_one_entry_per_parameter_and_sink() -> None:
    """Methods calling each other through ``self`` used to copy every callee sink once per path,
    which grew exponentially with the depth of the chain."""
    methods = "\n".join(
        f"    def step{i}(self, x):\n        self.step{i + 1}(x)\n        self.step{i + 1}(x)\n"
        for i in range(14)
    )
    text = (
        "import os\n\n\nclass Chain:\n"
        + methods
        + "    def step14(self, x):\n        os.system(x)\n"
    )
    ctx = ModuleContext.build(ast.parse(text))
    summary = summarize(ctx, "Chain.step0")
    assert summary is not None
    assert len(summary.sinks) == len(set(summary.sinks)) <= 2
