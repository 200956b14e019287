"""Which class a name holds, so ``repo.find(x)`` can use ``Repository.find``'s summary.

Flow-insensitive and deliberately small: a name bound to ``SomeClass(...)`` (or a parameter
annotated with a class), where the class name starts with a capital letter; inside a class's
methods, ``self.x`` when ``__init__`` binds it that way (``self.repo = repo`` with
``repo: Repository``). A factory counts as its class: a function of this module or of another
module of the tree whose return annotation names a class, or whose every ``return`` builds the
same class (``repo = make_repo()``, ``make_repo().find(x)``). A name bound to two different
classes is left out rather than guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.project import module_name

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _class_name(ctx: ModuleContext, node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Subscript):  # Annotated[Repository, Depends(...)] / Optional[...]
        node = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    qualified = ctx.qualify(node)
    if not qualified or not qualified.rsplit(".", 1)[-1][:1].isupper():
        return None
    return qualified


def _declared_return(ctx: ModuleContext, func: FunctionNode) -> str | None:
    """The class a function returns: its annotation, or the one class every return builds."""
    annotated = _class_name(ctx, func.returns)
    if annotated is not None:
        return annotated
    built = {
        _class_name(ctx, node.value.func) if isinstance(node.value, ast.Call) else None
        for node in _statements(func.body)
        if isinstance(node, ast.Return) and node.value is not None
    }
    return built.pop() if len(built) == 1 and None not in built else None


def returned_class(ctx: ModuleContext, func: ast.expr) -> str | None:
    """The class of what calling ``func`` returns: a constructor, or a known factory."""
    constructed = _class_name(ctx, func)
    if constructed is not None:
        return constructed
    if isinstance(func, ast.Name) and func.id not in ctx.imports:
        local = ctx.functions.get(func.id)
        return _declared_return(ctx, local) if local is not None else None
    qualified = ctx.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
    if not qualified or ctx.project is None or qualified.split(".")[0] in ("self", "cls"):
        return None
    target = ctx.project.resolve(qualified)
    if target is None:
        return None
    cls = _declared_return(target.ctx, target.ctx.functions[target.function])
    if cls is not None and "." not in cls:  # a class of that module: name it from here
        cls = f"{module_name(target.path)}.{cls}"
    return cls


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(body: Iterable[ast.stmt]) -> Iterable[ast.stmt]:
    """Every statement of ``body``, in blocks too (if, for, with, try, match), without
    descending into nested functions or classes; expressions are not walked (assignments and
    returns are statements)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
            if isinstance(node, _NESTED):
                continue
        for field in _BLOCKS:  # statements, except handlers and match cases, which hold them
            stack.extend(getattr(node, field, ()))


def instance_classes(
    ctx: ModuleContext, body: Iterable[ast.stmt], func: FunctionNode | None = None
) -> dict[str, str]:
    """Local name → qualified class name, for names that hold one known class."""
    found: dict[str, str | None] = {}

    def note(name: str, cls: str | None) -> None:
        if cls is None:
            return
        found[name] = cls if found.get(name, cls) == cls else None

    if func is not None:
        for arg in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]:
            note(arg.arg, _class_name(ctx, arg.annotation))
    for node in _statements(body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            cls = returned_class(ctx, node.value.func)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    note(target.id, cls)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            value = node.value
            cls = returned_class(ctx, value.func) if isinstance(value, ast.Call) else None
            note(node.target.id, cls or _class_name(ctx, node.annotation))
    return {name: cls for name, cls in found.items() if cls is not None}


def attribute_classes(ctx: ModuleContext, cls: ast.ClassDef) -> dict[str, str]:
    """``self.x`` → qualified class, from what the class's ``__init__`` assigns to it."""
    init = next(
        (
            item
            for item in cls.body
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "__init__"
        ),
        None,
    )
    if init is None:
        return {}
    local = instance_classes(ctx, init.body, init)
    found: dict[str, str | None] = {}
    for node in _statements(init.body):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if isinstance(value, ast.Call):
            held = returned_class(ctx, value.func)
        elif isinstance(value, ast.Name):
            held = local.get(value.id)
        else:
            held = None
        for target in targets:
            if (
                held is not None
                and isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                key = f"self.{target.attr}"
                found[key] = held if found.get(key, held) == held else None
    return {name: held for name, held in found.items() if held is not None}


def enclosing_class(ctx: ModuleContext, func: ast.AST) -> ast.ClassDef | None:
    """The class whose body defines ``func`` directly, if any."""
    for cls in ctx.classes.values():
        if any(item is func for item in cls.body):
            return cls
    return None


def held_class(ctx: ModuleContext, func: ast.expr, instances: dict[str, str]) -> str | None:
    """The class held by the receiver of a method call (``repo.find``, ``self.repo.find``,
    ``make_repo().find``)."""
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value
    if isinstance(receiver, ast.Call):
        return returned_class(ctx, receiver.func)
    if isinstance(receiver, ast.Name):
        return instances.get(receiver.id)
    if (
        isinstance(receiver, ast.Attribute)
        and isinstance(receiver.value, ast.Name)
        and receiver.value.id == "self"
    ):
        return instances.get(f"self.{receiver.attr}")
    return None
