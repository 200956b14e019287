"""The frame of one walk: what the analysis of one function (or of the module body) knows at
each point, and what it leaves behind. Every step of the engine takes it explicitly."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from protosmith.analysis.taint.context import ModuleContext, ParamSink, Summary
from protosmith.analysis.taint.instances import held_class
from protosmith.analysis.taint.model import CLEAN, TV
from protosmith.analysis.taint.state import State

MAX_STATEMENTS = 20000
"""Statements one walk evaluates at most (generated modules can be huge)."""


@dataclass
class Frame:
    """One walk over the taint lattice: its bindings and facts (``state``), the module and
    project it belongs to (``ctx``; findings go to ``ctx.raw``), and its results."""

    ctx: ModuleContext
    state: State
    """The state at the point being evaluated (each branch and loop pass replaces it)."""
    request_names: set[str]
    """Names that hold the web request (``request``, a view's ``req`` parameter)."""
    evaluate: Callable[[Frame, ast.expr], TV]
    """``evaluate.value``, handed in by ``engine.py``: the steps the evaluator itself calls
    (calls, effects, binding, guards) evaluate sub-expressions through it, so none of them
    imports the module that imports them."""
    summarize: Callable[[ModuleContext, str], Summary | None]
    """``engine.summarize``: what a callee does is the walk of its body in a frame of its own."""
    instances: dict[str, str] = field(default_factory=dict)
    """Local names known to hold an instance of a class (``instances.py``)."""
    owner: str = ""
    """The class whose method this is ('' for functions): its ``self.x`` attributes are
    shared with its other methods (``prepare`` reads a parameter, ``get`` uses it)."""
    name: str = ""
    """The function's name ('' for the module body)."""
    scope: ast.AST | None = None
    """The function being analyzed (None for the module body)."""
    view: bool = False
    """A route handler: what it returns is the HTTP response."""
    summary_mode: bool = False
    """Summarizing for callers: sinks that parameters reach go to ``param_sinks``."""
    returns: list[TV] = field(default_factory=list)
    """What the function returns (or yields), path by path."""
    param_sinks: list[ParamSink] = field(default_factory=list)
    """In a summary: the sinks each parameter reaches."""
    writes: TV = CLEAN
    """In a summary: the join of what the method stores in ``self``'s fields."""
    attributes: dict[str, TV] = field(default_factory=dict)
    """``self.x`` values this method leaves behind, for the class's other methods."""
    loops: list[tuple[list[State], list[State]]] = field(default_factory=list)
    """The enclosing loops' states at ``break`` and at ``continue``, innermost last."""
    budget: int = MAX_STATEMENTS
    """Statements this walk may still evaluate."""

    def value(self, node: ast.expr) -> TV:
        """Taint of ``node`` in the current state (calls inside it are checked against sinks)."""
        return self.evaluate(self, node)

    def instance_of(self, func: ast.expr) -> str | None:
        """The class of the object a method is called on (``repo.find``, ``self.repo.find``)."""
        return held_class(self.ctx, func, self.instances)
