"""Guards: what a condition proves about the values it tests (``if x in ALLOWED``,
``if not USERNAME.fullmatch(x): abort()``), as facts the statement walker applies per branch."""

from __future__ import annotations

import ast
import re
from typing import Protocol

from protosmith.analysis.taint.sanitizers import (
    ALL,
    CREDENTIAL_CHECK,
    LITERAL_END,
    LITERAL_INNER,
    LITERAL_START,
    NOTHING,
    QUOTES,
    Module,
    call_name,
)

_VALIDATORS = frozenset(
    {"isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal", "isidentifier", "isascii"}
)
_REGEX_FULL = frozenset({"fullmatch"})
_REGEX_ANCHORED = frozenset({"match", "search"})
_PATH_CHECKS = frozenset({"startswith", "is_relative_to"})
_NORMALIZERS = frozenset({"normpath", "realpath", "abspath", "resolve"})
_REDIRECT_CHECKS = frozenset({"url_has_allowed_host_and_scheme", "is_safe_url", "is_safe_redirect"})

Fact = tuple[ast.expr, frozenset[str]]


class Scope(Module, Protocol):
    """The module as seen from the function whose conditions are read (``refine._Scoped``)."""

    def assigned(self, name: str) -> list[ast.expr]:
        """Every value assigned to ``name`` in that function."""
        ...


VALIDATOR_NAME = re.compile(r"^(is_|has_)?(safe|local|valid|allowed|trusted|permitted|whitelisted)")


def _validator(module: Scope, name: str) -> bool:
    """A same-module predicate named like a validation (``is_safe_url``, ``is_local_path``)
    whose every return is a boolean: its true branch vouches for the argument."""
    func = module.functions.get(name)
    if func is None or not VALIDATOR_NAME.match(name):
        return False
    returns = [n.value for n in ast.walk(func) if isinstance(n, ast.Return)]
    booleans = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call)
    return bool(returns) and all(
        isinstance(value, booleans)
        or (isinstance(value, ast.Constant) and isinstance(value.value, bool))
        for value in returns
    )


def _normalized(node: ast.expr, module: Scope) -> bool:
    """Whether ``node`` is a path with its ``..`` folded away (``os.path.realpath(p)``,
    ``Path(p).resolve()``, ``str(...)`` of one, or a name only ever bound to one): a prefix
    check on anything else proves nothing (``root + "/../etc"`` starts with ``root``)."""
    node = _inside_str(node)
    if isinstance(node, ast.Call):
        name = call_name(node)
        return name in _NORMALIZERS or _normalizing_helper(module, name)
    if isinstance(node, ast.Name):
        # ``None`` is a placeholder before the path is known (``name = None``), not a path
        values = [v for v in module.assigned(node.id) if not _none(v)]
        if not module.assigned(node.id):
            known = module.module_value(node.id)  # a module constant (``ROOT = ....resolve()``)
            values = [] if known is None else [known]
        return bool(values) and all(_normalized(v, module) for v in values)
    return False


def _normalizing_helper(module: Scope, name: str) -> bool:
    """A same-module function whose every return normalizes (``return os.path.realpath(...)``,
    ``return Path(...).resolve()``): calling it folds the ``..`` away as the call inside would."""
    func = module.functions.get(name)
    if func is None:
        return False
    returns = [n.value for n in ast.walk(func) if isinstance(n, ast.Return)]

    def normalizing(value: ast.expr | None) -> bool:
        value = _inside_str(value) if value is not None else None
        return isinstance(value, ast.Call) and call_name(value) in _NORMALIZERS

    return bool(returns) and all(normalizing(value) for value in returns)


def _inside_str(node: ast.expr) -> ast.expr:
    """``p`` for ``str(p)`` (however deep), else ``node``: the string form of a path keeps
    its normalization."""
    while isinstance(node, ast.Call) and call_name(node) == "str" and len(node.args) == 1:
        node = node.args[0]
    return node


def _none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _folder_of(node: ast.expr, module: Scope, attr: str = "parents") -> ast.expr | None:
    """``p`` for ``p.parents`` (or ``p.parent``) of a resolved path ``p``."""
    if isinstance(node, ast.Attribute) and node.attr == attr and _normalized(node.value, module):
        return node.value
    return None


def _anchored(pattern: ast.expr) -> bool:
    if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
        text = pattern.value
        return text.startswith("^") and (text.endswith("$") or text.endswith("\\Z"))
    return False


def _compiled_anchored(value: ast.expr | None) -> bool:
    """Whether ``value`` is ``re.compile("^...$")`` without MULTILINE (where ``^`` and ``$``
    would match at every line, so one good line would pass the check)."""
    if not (isinstance(value, ast.Call) and call_name(value) == "compile" and value.args):
        return False
    flags = [*value.args[1:], *(k.value for k in value.keywords if k.arg == "flags")]
    multiline = any(
        isinstance(n, (ast.Name, ast.Attribute))
        and ast.unparse(n).split(".")[-1] in ("M", "MULTILINE")
        for flag in flags
        for n in ast.walk(flag)
    )
    return not multiline and _anchored(value.args[0])


def _positive_call_facts(node: ast.Call, module: Scope) -> list[Fact]:
    name = call_name(node)
    func = node.func
    if name in _VALIDATORS and isinstance(func, ast.Attribute):
        return [(func.value, ALL)]
    compiled = (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and _compiled_anchored(module.module_value(func.value.id))
    )
    regex = name in _REGEX_FULL or (
        name in _REGEX_ANCHORED and node.args and (compiled or _anchored(node.args[0]))
    )
    if regex and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == "re" and len(node.args) >= 2:
            return [(node.args[1], ALL)]
        if func.value.id != "re" and node.args:
            return [(node.args[0], ALL)]
    quote = node.args[0] if node.args else None
    quoted = isinstance(quote, ast.Constant) and quote.value in QUOTES
    if name in ("startswith", "endswith") and quoted and isinstance(func, ast.Attribute):
        check = LITERAL_START if name == "startswith" else LITERAL_END
        return [(func.value, frozenset({check}))]
    if name in _PATH_CHECKS and isinstance(func, ast.Attribute) and _normalized(func.value, module):
        return [(func.value, frozenset({"pathtraver"}))]
    if name in _REDIRECT_CHECKS:
        url = (
            node.args[0]
            if node.args
            else next((k.value for k in node.keywords if k.arg == "url"), None)
        )
        return [(url, frozenset({"redirect", "ssrf"}))] if url is not None else []
    if isinstance(func, ast.Name) and node.args and _validator(module, func.id):
        return [(node.args[0], ALL)]
    if node.args and CREDENTIAL_CHECK.match(name):
        # ``if not verify_user(name, password): return``: past it, name is an account's
        # (fit for the session), though not escaped for anything else.
        return [(node.args[0], frozenset({"trustbound"}))]
    if name == "isinstance" and len(node.args) == 2:
        kinds = node.args[1]
        names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
        if all(isinstance(n, ast.Name) and n.id in ("int", "float", "bool") for n in names):
            return [(node.args[0], ALL)]
    return []


def _is_collection(node: ast.expr) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper() or any(k in node.id.lower() for k in ("allow", "valid", "white"))
    if isinstance(node, ast.Attribute):
        return node.attr.isupper() or any(k in node.attr.lower() for k in ("allow", "valid"))
    if isinstance(node, ast.Call):
        return call_name(node) in ("keys", "values", "frozenset", "set")
    return False


def _host_checked(checked: ast.expr) -> list[Fact]:
    """``url.host in ALLOWED`` vouches for ``url`` itself (and for ``raw`` in
    ``urlparse(raw).hostname``) as a destination: its host is one of the allowed ones."""
    if not (isinstance(checked, ast.Attribute) and checked.attr in ("host", "hostname", "netloc")):
        return []
    owner = checked.value
    facts: list[Fact] = [(owner, frozenset({"ssrf", "redirect"}))]
    if isinstance(owner, ast.Call) and owner.args:
        facts.append((owner.args[0], frozenset({"ssrf", "redirect"})))
    return facts


def _compare_facts(node: ast.Compare, positive: bool, module: Scope) -> list[Fact]:
    if len(node.ops) != 1:
        return []
    op, left, right = node.ops[0], node.left, node.comparators[0]
    if isinstance(op, (ast.In, ast.NotIn)):
        member = isinstance(op, ast.In) == positive
        below = _folder_of(right, module) if member else None
        if below is not None:
            # ``root in p.parents`` with ``p`` resolved: ``p`` lies below ``root``
            return [(below, frozenset({"pathtraver"}))]
        if member and _is_collection(right):
            return [(left, ALL), *_host_checked(left)]
        if not member and isinstance(left, ast.Constant) and left.value in QUOTES:
            return [(right, frozenset({LITERAL_INNER}))]
        # no separator at all: one name inside the folder. ``".." not in path`` proves
        # nothing (an absolute path has no ``..``)
        separator = isinstance(left, ast.Constant) and left.value in ("/", "\\")
        if separator and not member:
            return [(right, frozenset({"pathtraver"}))]
        return []
    if isinstance(op, (ast.Eq, ast.NotEq)):
        equal = isinstance(op, ast.Eq) == positive
        facts: list[Fact] = []
        for subject, other in ((left, right), (right, left)):
            if isinstance(subject, ast.Call) and call_name(subject) == "commonpath" and equal:
                args = subject.args[0] if subject.args else None
                if isinstance(args, (ast.List, ast.Tuple)):
                    facts += [(elt, frozenset({"pathtraver"})) for elt in args.elts]
            if (
                isinstance(subject, ast.Call)
                and call_name(subject) in ("basename", "secure_filename")
                and equal
                and subject.args
            ):
                facts.append((subject.args[0], frozenset({"pathtraver"})))
                facts.append((other, frozenset({"pathtraver"})))
            if equal and _normalized(other, module):
                # ``p.parent == root`` / ``p == root`` with ``p`` resolved: inside ``root``
                folder = _folder_of(subject, module, "parent")
                if folder is not None:
                    facts.append((folder, frozenset({"pathtraver"})))
                elif _normalized(subject, module):
                    facts.append((subject, frozenset({"pathtraver"})))
            if (
                equal
                and isinstance(other, ast.Constant)
                and isinstance(subject, (ast.Name, ast.Attribute))
            ):
                facts.append((subject, ALL))
            if (
                isinstance(subject, ast.Attribute)
                and subject.attr in ("netloc", "hostname")
                and equal
            ):
                inner = subject.value
                if isinstance(inner, ast.Call) and inner.args:
                    facts.append((inner.args[0], frozenset({"redirect", "ssrf"})))
        return facts
    if (
        isinstance(op, (ast.Is, ast.IsNot))
        and isinstance(right, ast.Constant)
        and right.value is None
    ):
        not_none = isinstance(op, ast.IsNot) == positive
        if not_none and isinstance(left, ast.Call):
            return _positive_call_facts(left, module)
    return []


def _presence_subject(test: ast.expr) -> str | None:
    """``x`` for ``x is not None`` or a bare ``x``: when false, ``x`` is None or empty."""
    if isinstance(test, ast.Name):
        return test.id
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.IsNot)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return test.left.id
    return None


def guard_facts(test: ast.expr, positive: bool, module: Scope = NOTHING) -> list[Fact]:
    """Expressions known safe (for which kinds) when ``test`` evaluates to ``positive``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return guard_facts(test.operand, not positive, module)
    if isinstance(test, ast.BoolOp):
        conjunctive = isinstance(test.op, ast.And) == positive
        if conjunctive:
            facts: list[Fact] = _relative_path_facts(test.values, positive)
            for value in test.values:
                facts += guard_facts(value, positive, module)
            return facts
        if isinstance(test.op, ast.Or) and positive:
            return _common_facts([guard_facts(v, positive, module) for v in test.values])
        # a false ``a and b`` is ``not a or not b``: what both negations prove
        # (``if root not in p.parents and p != root: return``)
        common = _common_facts([guard_facts(v, positive, module) for v in test.values])
        if common:
            return common
        present = _presence_subject(test.values[0]) if isinstance(test.op, ast.And) else None
        if present is not None and len(test.values) > 1:
            # ``not (x is not None and not valid(x))``: x is None (harmless) or valid.
            rest = test.values[1:]
            tail = rest[0] if len(rest) == 1 else ast.BoolOp(op=ast.And(), values=rest)
            return [
                (subject, kinds)
                for subject, kinds in guard_facts(tail, positive, module)
                if isinstance(subject, ast.Name) and subject.id == present
            ]
        return []
    if isinstance(test, ast.Compare):
        return _compare_facts(test, positive, module)
    if isinstance(test, ast.Call) and positive:
        return _positive_call_facts(test, module)
    if not positive:
        return _relative_url_facts(test)
    return []


def _relative_path_facts(values: list[ast.expr], positive: bool) -> list[Fact]:
    """``".." not in p and not p.startswith("/")`` (or ``".." in p or p.startswith("/")``
    false): neither climbs out nor replaces the base folder, so ``join(root, p)`` stays inside.
    Each half alone proves nothing; ``values`` are the operands of a conjunction that holds."""
    no_parent: set[str] = set()
    relative: set[str] = set()
    subjects: dict[str, ast.expr] = {}
    for value in values:
        truth = positive
        while isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
            value, truth = value.operand, not truth
        if (
            isinstance(value, ast.Compare)
            and len(value.ops) == 1
            and isinstance(value.left, ast.Constant)
            and value.left.value == ".."
            and isinstance(value.ops[0], ast.NotIn if truth else ast.In)
        ):
            subject = value.comparators[0]
            subjects[ast.dump(subject)] = subject
            no_parent.add(ast.dump(subject))
        if (
            not truth
            and isinstance(value, ast.Call)
            and call_name(value) in ("startswith", "isabs")
            and value.args
        ):
            first = value.args[0]
            prefixes = first.elts if isinstance(first, ast.Tuple) else [first]
            slash = any(isinstance(p, ast.Constant) and p.value == "/" for p in prefixes)
            func = value.func
            if call_name(value) == "isabs":
                relative.add(ast.dump(first))
            elif slash and isinstance(func, ast.Attribute):
                relative.add(ast.dump(func.value))
    return [(subjects[key], frozenset({"pathtraver"})) for key in no_parent & relative]


def _common_facts(alternatives: list[list[Fact]]) -> list[Fact]:
    """What every alternative of an ``or`` proves (``x == "foo" or x == "bar"``: x is one of
    two constants), the kinds each proves for the same subject intersected."""
    if not alternatives or not all(alternatives):
        return []
    common: dict[str, tuple[ast.expr, frozenset[str]]] = {}
    for subject, kinds in alternatives[0]:
        common[ast.dump(subject)] = (subject, kinds)
    for facts in alternatives[1:]:
        seen = {ast.dump(subject): kinds for subject, kinds in facts}
        common = {
            key: (subject, kinds & seen[key])
            for key, (subject, kinds) in common.items()
            if key in seen and kinds & seen[key]
        }
    return list(common.values())


def _relative_url_facts(test: ast.expr) -> list[Fact]:
    """``not urlparse(u).netloc`` and ``not yarl.URL(u).is_absolute()``: ``u`` has no host. That
    makes a redirect safe only once backslashes were replaced (``RELATIVE_URL``)."""
    inner: ast.expr | None = None
    if isinstance(test, ast.Attribute) and test.attr in ("netloc", "hostname"):
        inner = test.value
    elif isinstance(test, ast.Call) and call_name(test) == "is_absolute":
        func = test.func
        inner = func.value if isinstance(func, ast.Attribute) else None
    if isinstance(inner, ast.Call) and inner.args:
        return [(inner.args[0], frozenset({"relative"}))]
    return []
