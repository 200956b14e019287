"""Sanitizers and type conversions: calls whose result is safe for some sink classes, and the lookup tables and formatters that make a value safe (conditions are in ``guards.py``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Protocol

from protosmith.analysis.taint.model import ALL_KINDS

ALL = ALL_KINDS
QUOTES = ("'", '"')
LITERAL_START, LITERAL_END, LITERAL_INNER = "literal-start", "literal-end", "literal-inner"
LITERAL_CHECKS = frozenset({LITERAL_START, LITERAL_END, LITERAL_INNER})
"""Guards proving a value is one quoted string literal, which ``eval`` turns into a plain string."""

CONVERSIONS = frozenset(
    {
        "int",
        "float",
        "bool",
        "complex",
        "len",
        "ord",
        "abs",
        "round",
        "hash",
        "id",
        "isinstance",
        "callable",
        "uuid.UUID",
        "decimal.Decimal",
        "ipaddress.ip_address",
        "ipaddress.ip_network",
        "datetime.date.fromisoformat",
        "datetime.datetime.fromisoformat",
        "datetime.datetime.strptime",
        "url_for",
        "flask.url_for",
        "django.urls.reverse",
        "reverse",
        "secrets.token_hex",
        "secrets.token_urlsafe",
        "secrets.token_bytes",
        "uuid.uuid4",
        "uuid.uuid1",
        "os.urandom",
        "time.time",
        "ast.literal_eval",
        "importlib.import_module",
        "__import__",
        "os.path.exists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.getsize",
        "hmac.compare_digest",
        "secrets.compare_digest",
        "django.shortcuts.get_object_or_404",
        "django.shortcuts.get_list_or_404",
    }
)
"""Calls whose result carries no attacker-shaped text, whatever their arguments."""

CLEAN_PREFIXES = ("hashlib.", "hmac.", "secrets.", "bcrypt.", "argon2.")

CLEAN_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "islower",
        "isupper",
        "isspace",
        "isascii",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "hexdigest",
        "digest",
        "exists",
        "is_file",
        "is_dir",
        "keys",
        "fetchone",
        "fetchall",
        "fetchmany",
        "cursor",
        "close",
        "commit",
    }
)
"""Methods whose result is a boolean, a number, a digest or database rows, not request text."""

KIND_SANITIZERS: dict[str, frozenset[str]] = {
    "html.escape": frozenset({"xss", "xxe"}),
    "markupsafe.escape": frozenset({"xss", "xxe"}),
    "flask.escape": frozenset({"xss", "xxe"}),
    "jinja2.escape": frozenset({"xss", "xxe"}),
    "cgi.escape": frozenset({"xss", "xxe"}),
    "django.utils.html.escape": frozenset({"xss", "xxe"}),
    "django.utils.html.strip_tags": frozenset({"xss"}),
    "bleach.clean": frozenset({"xss"}),
    "xml.sax.saxutils.escape": frozenset({"xss", "xxe"}),
    "shlex.quote": frozenset({"cmdi"}),
    "pipes.quote": frozenset({"cmdi"}),
    "shlex.join": frozenset({"cmdi"}),
    "os.path.basename": frozenset({"pathtraver"}),
    "werkzeug.utils.secure_filename": frozenset({"pathtraver"}),
    "secure_filename": frozenset({"pathtraver"}),
    "django.utils.text.get_valid_filename": frozenset({"pathtraver"}),
    "ldap.filter.escape_filter_chars": frozenset({"ldapi"}),
    "ldap.filter.filter_format": frozenset({"ldapi"}),
    "ldap3.utils.conv.escape_filter_chars": frozenset({"ldapi"}),
    "ldap.dn.escape_dn_chars": frozenset({"ldapi"}),
    "escape_filter_chars": frozenset({"ldapi"}),
    "ldap3.utils.dn.escape_rdn": frozenset({"ldapi"}),
    "escape_rdn": frozenset({"ldapi"}),
    "escape_dn_chars": frozenset({"ldapi"}),
    "urllib.parse.quote": ALL - {"pathtraver", "redirect", "ssrf"},
    "urllib.parse.quote_plus": ALL - {"redirect", "ssrf"},
    "urllib.parse.urlencode": frozenset({"xss", "header", "cmdi", "sqli", "ldapi", "xpathi"}),
    "json.dumps": frozenset({"header"}),
    "re.escape": frozenset({"header"}),
}

MARKUP = frozenset({"markupsafe.Markup", "flask.Markup", "jinja2.Markup"})
"""``Markup(template).format(...)``, ``.join(...)`` and ``%`` escape what they are given."""
ESCAPING_FORMATTERS = {
    "django.utils.html.format_html": 0,
    "django.utils.html.format_html_join": 1,
}
"""Formatters that escape their arguments: the position of the (unescaped) template."""


def escaping_template(
    node: ast.Call, qname: str | None, is_markup: Callable[[ast.expr], bool]
) -> ast.expr | None:
    """The unescaped template of a call that HTML-escapes its other arguments, else None."""
    if qname in ESCAPING_FORMATTERS:
        index = ESCAPING_FORMATTERS[qname]
        return node.args[index] if len(node.args) > index else None
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("format", "join")
        and is_markup(func.value)
    ):
        return func.value
    return None


URL_BUILDERS = frozenset({"urllib.parse.urlunsplit", "urllib.parse.urlunparse"})


def autoescaped(node: ast.expr, module: Module, depth: int = 0) -> bool:
    """A Jinja2 template from ``Environment(autoescape=...)`` (not False), followed through
    module-level names (``TEMPLATE = env.from_string(SOURCE)``): rendering it escapes data."""
    if depth > 3:
        return False
    if isinstance(node, ast.Name):
        value = module.module_value(node.id)
        return value is not None and autoescaped(value, module, depth + 1)
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in ("from_string", "get_template"):
        return autoescaped(func.value, module, depth + 1)
    if call_name(node) != "Environment":
        return False
    flag = next((k.value for k in node.keywords if k.arg == "autoescape"), None)
    return flag is not None and not (isinstance(flag, ast.Constant) and not flag.value)


def url_host_parts(node: ast.Call, qname: str | None) -> list[ast.expr] | None:
    """The scheme and host of ``urlunsplit((scheme, netloc, path, ...))``: a URL rebuilt on a
    checked host goes where that host says, whatever its path and query carry."""
    if qname not in URL_BUILDERS or not node.args:
        return None
    parts = node.args[0]
    if isinstance(parts, (ast.Tuple, ast.List)) and len(parts.elts) >= 2:
        return parts.elts[:2]
    return None


_ESCAPE_NAME = re.compile(r"escape|encode_for_html|html_encode|sanitize_html", re.IGNORECASE)


def orm_lookup(func: ast.expr) -> bool:
    """``User.objects.get(...)``, ``User.query.filter_by(...).first()``: a Django or
    Flask-SQLAlchemy query on a model class returns rows found by the value, not the value."""
    chain: list[str] = []
    current = func
    while isinstance(current, (ast.Attribute, ast.Call)):
        if isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        else:
            current = current.func
    return (
        isinstance(current, ast.Name)
        and current.id[:1].isupper()
        and bool(chain)
        and chain[-1] in ("objects", "query")
    )


CREDENTIAL_CHECK = re.compile(
    r"^(verify|check|authenticate|validate)_?(user|login|credentials|password)"
)
"""``verify_user(name, password)``: a check of credentials, answered from the account store."""


def call_sanitizes(qname: str | None, short: str) -> frozenset[str] | None:
    """Kinds a call makes its argument safe for: ALL for conversions, None when it is no sanitizer."""
    if qname in CONVERSIONS or short in ("int", "float", "bool", "len"):
        return ALL
    if short == "authenticate" or CREDENTIAL_CHECK.match(short):
        return ALL  # it answers with the stored account, not with what was typed
    if qname and qname.startswith(CLEAN_PREFIXES):
        return ALL
    if qname in KIND_SANITIZERS:
        return KIND_SANITIZERS[qname]
    if short in KIND_SANITIZERS:
        return KIND_SANITIZERS[short]
    if _ESCAPE_NAME.search(short):
        kinds = {"xss"}
        lowered = short.lower()
        if "ldap" in lowered or "filter" in lowered:
            kinds.add("ldapi")
        if "xpath" in lowered:
            kinds.add("xpathi")
        if "sql" in lowered:
            kinds.add("sqli")
        if "shell" in lowered:
            kinds.add("cmdi")
        return frozenset(kinds)
    return None


class Module(Protocol):
    """What the guards may look up in the module being analyzed (``ModuleContext``)."""

    @property
    def functions(self) -> Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef]: ...

    def module_value(self, name: str) -> ast.expr | None: ...


class _Nothing:
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def module_value(self, name: str) -> ast.expr | None:
        return None

    def assigned(self, name: str) -> list[ast.expr]:
        return []


NOTHING = _Nothing()


def call_name(node: ast.Call) -> str:
    """The called name: ``f`` for ``f(x)``, ``m`` for ``obj.m(x)``."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(elt) for elt in node.elts)
    return False


def table_of(node: ast.expr) -> str | None:
    """``TABLE`` for ``TABLE.get(key, ...)`` or ``TABLE[key]``, else None."""
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Name):
        return func.value.id
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.value.id
    return None


def lookup_table(node: ast.expr, module: Module) -> bool:
    """Whether ``node`` names a module-level dict of literal values (``SORTABLE = {"name":
    "e.last_name"}``): looking a request value up in it is an allow-list, its result one of the
    table's own values."""
    if not isinstance(node, ast.Name):
        return False
    table = module.module_value(node.id)
    return isinstance(table, ast.Dict) and all(_literal(value) for value in table.values)
