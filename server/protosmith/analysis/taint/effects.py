"""Side effects of calls and stores, beyond the value they produce: containers filled or
emptied, XML parser features, config entries, session stores, cookies and headers."""

from __future__ import annotations

import ast

from protosmith.analysis.taint.context import SECRET_NAME
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import CLEAN, RANDOM, TV, join_all
from protosmith.analysis.taint.objects import is_session
from protosmith.analysis.taint.reporting import report
from protosmith.analysis.taint.state import MISSING, const_eval, key_of

MUTATORS = frozenset(
    {"append", "extend", "insert", "add", "update", "write", "writelines", "appendleft", "put"}
)


def store_item(frame: Frame, target: ast.Subscript, value: TV) -> None:
    """``base[key] = value``: a session or header written, a keyed entry or list item kept."""
    state = frame.state
    base = target.value
    key_value = frame.value(target.slice)
    container = key_of(base) or ""
    if SECRET_NAME.search(container.rsplit(".", 1)[-1]):  # PENDING_CODES[email] = code
        report(frame, "weakrand", target, value, f"`{container}`", origin_kind=RANDOM)
    if is_session(base):
        report(
            frame, "trustbound", target, value.join(key_value), "the session", through=target.slice
        )
        report(frame, "weakrand", target, value, "the session", origin_kind=RANDOM)
    header = const_eval(target.slice, state)
    location = isinstance(header, str) and header.lower() == "location"
    if location and (
        (isinstance(base, ast.Attribute) and base.attr == "headers")
        or (isinstance(base, ast.Name) and "resp" in base.id.lower())
    ):
        report(frame, "redirect", target, value, "the Location header")  # a redirect by hand
    elif isinstance(base, ast.Attribute) and base.attr == "headers":
        report(frame, "header", target, value, "a response header")
    base_key = key_of(base)
    if base_key is None:
        frame.value(base)
        return
    index = const_eval(target.slice, state)
    if isinstance(index, (str, int)):
        state.env[f"{base_key}[{index!r}]"] = value
        items = state.lists.get(base_key)
        if items is not None and isinstance(index, int) and -len(items) <= index < len(items):
            items[index] = value
    else:
        state.lists.pop(base_key, None)
    state.env[base_key] = state.env.get(base_key, CLEAN).join(value)


def call_effects(
    frame: Frame,
    node: ast.Call,
    short: str,
    args: list[TV],
    kwargs: dict[str | None, TV],
) -> None:
    """What a call does to the state and to sinks besides its result: secrets handed out,
    session stores, cookies, parser features, ``config.set``, container mutations."""
    func = node.func
    if SECRET_NAME.search(short):  # save_reset_code(user, code), set_api_token(...)
        handed = join_all([*args, *kwargs.values()])
        report(frame, "weakrand", node, handed, f"{short}()", origin_kind=RANDOM)
    if not isinstance(func, ast.Attribute):
        return
    base = key_of(func.value)
    state = frame.state
    every = join_all([*args, *kwargs.values()])
    if is_session(func.value) and short in ("setdefault", "update", "__setitem__"):
        report(frame, "trustbound", node, every, "the session", through=node)
        report(frame, "weakrand", node, every, "the session", origin_kind=RANDOM)
    if short == "set_cookie":
        cookie_value = (
            node.args[1]
            if len(node.args) > 1
            else next((k.value for k in node.keywords if k.arg == "value"), None)
        )
        if cookie_value is not None:
            report(
                frame, "weakrand", node, frame.value(cookie_value), "a cookie", origin_kind=RANDOM
            )
    if short == "setFeature" and base and len(node.args) == 2:
        feature = ast.unparse(node.args[0])
        enabled = const_eval(node.args[1], state)
        if "external_ges" in feature or "external-general-entities" in feature:
            state.parsers[base] = "xxe" if enabled else "sax"
    if base is None:
        return
    if short == "set" and len(node.args) == 3:
        section, option = (const_eval(a, state) for a in node.args[:2])
        if section is not MISSING and option is not MISSING:
            state.env[f"{base}[{(section, option)!r}]"] = args[2]
        state.env[base] = state.env.get(base, CLEAN).join(args[2])
        return
    if short not in MUTATORS and short not in ("pop", "clear", "remove", "setdefault"):
        return
    items = state.lists.get(base)
    if items is not None:
        if short == "append" and args:
            items.append(args[0])
        elif (
            short == "insert"
            and len(args) == 2
            and isinstance(const_eval(node.args[0], state), int)
        ):
            items.insert(const_eval(node.args[0], state), args[1])  # type: ignore[arg-type]
        elif short == "pop":
            index = const_eval(node.args[0], state) if node.args else -1
            if isinstance(index, int) and -len(items) <= index < len(items):
                items.pop(index)
            else:
                state.lists.pop(base, None)
        elif short == "clear":
            items.clear()
        else:
            state.lists.pop(base, None)
    if short == "setdefault" and len(node.args) == 2:
        key = const_eval(node.args[0], state)
        if isinstance(key, (str, int)) and f"{base}[{key!r}]" not in state.env:
            state.env[f"{base}[{key!r}]"] = args[1]
    if short in ("write", "writelines") and state.objects.get(base) == "file":
        return  # the data goes into the file; the file object (its .name) is unchanged
    if short in MUTATORS or short == "setdefault":
        state.env[base] = state.env.get(base, CLEAN).join(every)
