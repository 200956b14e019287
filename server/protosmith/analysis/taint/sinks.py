"""Dangerous calls (sinks) and which of their arguments must not carry untrusted data."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Protocol

from protosmith.analysis.taint.model import INPUT, NOT_INVOCATION, TV, join_all


@dataclass
class Hit:
    """A sink reached by a value; dangerous when the value has origins not safe for ``kind``."""

    kind: str
    value: TV
    sink: str
    origin_kind: str = INPUT


class Evaluator(Protocol):
    """What sink matching needs from the dataflow engine."""

    @property
    def imports(self) -> dict[str, str]:
        """Local name → qualified name of the module's imports."""
        ...

    def value(self, node: ast.expr) -> TV:
        """Taint of an expression in the current state."""
        ...

    def list_values(self, node: ast.expr) -> list[TV] | None:
        """Element taints of a list literal or precisely tracked list variable."""
        ...

    def parser_state(self, node: ast.expr) -> str:
        """'xxe' for an XML parser with external entities enabled, 'safe', or ''."""
        ...

    def is_http_client(self, node: ast.expr) -> bool:
        """True when ``node`` is (or names) an HTTP client session (requests, httpx, aiohttp)."""
        ...

    def is_xml_object(self, node: ast.expr) -> bool:
        """True when ``node`` names a parsed XML tree or element."""
        ...

    def template_unescaped(self, name: str) -> frozenset[str]:
        """Variables the template file ``name`` prints without escaping (``|safe``...)."""
        ...

    def first_constant(self, node: ast.expr) -> object:
        """The constant first element of a list literal or tracked list variable, else None."""
        ...

    def code_file(self, node: ast.expr) -> str:
        """What ``node`` (an ``open(...)`` call or a name bound to one) writes when the file is
        code: "an importable module", "a template", or ""."""
        ...


SQL_METHODS = frozenset(
    {"execute", "executemany", "executescript", "raw", "read_sql", "read_sql_query"}
)
SHELL_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "os.popen2",
        "os.popen3",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "commands.getoutput",
        "commands.getstatusoutput",
        "asyncio.create_subprocess_shell",
        "pty.spawn",
    }
)
PROCESS_CALLS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
    }
)
SHELLS = frozenset(
    {"sh", "bash", "zsh", "/bin/sh", "/bin/bash", "cmd", "cmd.exe", "powershell", "pwsh"}
)
CODE_CALLS = frozenset({"eval", "exec", "compile", "execfile", "builtins.eval", "builtins.exec"})
IMPORT_CALLS = frozenset(
    {"__import__", "builtins.__import__", "importlib.import_module", "importlib.__import__"}
)
"""Calls that import the module their first argument names: importing runs its code."""
DESERIALIZE_CALLS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "pickle.Unpickler",
        "cPickle.loads",
        "cPickle.load",
        "_pickle.loads",
        "dill.loads",
        "dill.load",
        "marshal.loads",
        "marshal.load",
        "jsonpickle.decode",
        "jsonpickle.loads",
        "shelve.open",
        "pandas.read_pickle",
        "yaml.unsafe_load",
        "yaml.unsafe_load_all",
        "torch.load",
    }
)
SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader"})
PATH_CALLS = frozenset(
    {
        "open",
        "io.open",
        "codecs.open",
        "os.open",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.removedirs",
        "os.mkdir",
        "os.makedirs",
        "os.listdir",
        "os.scandir",
        "os.rename",
        "os.replace",
        "os.chmod",
        "os.truncate",
        "shutil.rmtree",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.copytree",
        "shutil.move",
        "flask.send_file",
        "send_file",
        "fastapi.responses.FileResponse",
        "starlette.responses.FileResponse",
        "FileResponse",
        "tarfile.open",
        "zipfile.ZipFile",
    }
)
PATH_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "unlink",
        "rmdir",
        "touch",
        "iterdir",
        "open",
        "mkdir",
        "rename",
        "chmod",
    }
)
ARCHIVE_RECEIVER = re.compile(r"zip|tar|archive", re.IGNORECASE)
"""``archive.open(member)`` reads a member of an archive, not a path on disk."""
CODE_FILE_SUFFIXES = {
    ".py": "an importable module",
    ".pyw": "an importable module",
    ".pth": "an importable module",
    ".j2": "a template",
    ".jinja": "a template",
    ".jinja2": "a template",
    ".tmpl": "a template",
    ".tpl": "a template",
    ".mako": "a template",
}
"""Files whose contents run as code once written: a module imported later (or a ``.pth`` file
the interpreter executes), a template compiled when it is rendered (server-side template
injection)."""
WRITE_MODES = frozenset("wax+")
REDIRECT_NAMES = frozenset(
    {"redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect", "RedirectResponse"}
)
XSS_NAMES = frozenset(
    {
        "render_template_string",
        "Markup",
        "mark_safe",
        "SafeString",
        "HttpResponse",
        "HTMLResponse",
        "make_response",
        "Response",
    }
)
LXML_PARSE = frozenset({"fromstring", "XML", "parse", "XMLID", "iterparse", "fromstringlist"})
STDLIB_PARSER_CALLS = frozenset(
    {
        "xml.dom.minidom.parseString",
        "xml.dom.minidom.parse",
        "xml.dom.pulldom.parseString",
        "xml.dom.pulldom.parse",
    }
)
LDAP_METHODS = frozenset(
    {"search_s", "search_st", "search_ext_s", "search_ext", "search", "paged_search"}
)
LIBRARY_EVALS = frozenset(
    {"PIL.ImageMath.eval", "PIL.ImageMath.unsafe_eval", "PIL.ImageMath.lambda_eval"}
)
"""Library functions that evaluate their first argument as Python (Pillow's ImageMath)."""
XPATH_COMPILERS = frozenset(
    {"lxml.etree.XPath", "lxml.etree.XPathEvaluator", "lxml.etree.ETXPath", "lxml.etree.XSLT"}
)
HTTP_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "stream", "request", "ws_connect"}
)
HTTP_CLIENTS = frozenset(
    {
        "requests.Session",
        "requests.session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
    }
)
"""Constructors of client sessions whose verb methods fetch the URL they are given."""
TEMPLATE_COMPILERS = frozenset(
    {
        "jinja2.Template",
        "flask.render_template_string",
        "django.template.Template",
        "mako.template.Template",
        "tornado.template.Template",
    }
)
"""Calls that compile their first argument as a template: its text runs as template code."""
SSRF_CALLS = frozenset(
    {
        f"{lib}.{verb}"
        for lib in ("requests", "httpx")
        for verb in ("get", "post", "put", "patch", "delete", "head", "options", "stream")
    }
    | {
        "urllib.request.urlopen",
        "urllib.request.Request",
        "urllib.urlopen",
        "urllib2.urlopen",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "urllib3.request",
    }
)


def _arg(call: ast.Call, index: int, *names: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _const(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _process_hits(call: ast.Call, qname: str, ev: Evaluator) -> list[Hit]:
    command = _arg(call, 0, "args")
    if command is None:
        return []
    shell = _kw(call, "shell")
    shell_mode = qname.endswith("shell") or (
        shell is not None and _const(shell) is not False and _const(shell) != 0
    )
    if shell_mode:
        return [Hit("cmdi", ev.value(command), qname)]
    elements = ev.list_values(command)
    if elements is None:
        return [Hit("cmdi", ev.value(command), qname, NOT_INVOCATION)]
    if not elements:
        return []
    first = ev.first_constant(command)
    if isinstance(first, str) and first.rsplit("/", 1)[-1] in SHELLS:
        return [Hit("cmdi", join_all(elements), qname)]
    # No shell: only the program matters, and one named by the environment or the command line
    # is configuration.
    return [Hit("cmdi", elements[0], qname, NOT_INVOCATION)]


def _declares_non_html(headers: ast.expr) -> bool:
    """A headers dict literal whose Content-Type is not HTML."""
    if not isinstance(headers, ast.Dict):
        return False
    for key, value in zip(headers.keys, headers.values, strict=True):
        named = isinstance(key, ast.Constant) and str(key.value).lower() == "content-type"
        if named and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return "html" not in value.value
    return False


WEB_RESPONSE_PACKAGES = frozenset(
    {
        "flask",
        "werkzeug",
        "django",
        "starlette",
        "fastapi",
        "aiohttp",
        "quart",
        "sanic",
        "bottle",
        "pyramid",
        "falcon",
        "tornado",
        "litestar",
        "webob",
        "markupsafe",
        "jinja2",
    }
)
"""Where an HTML response (or markup) class comes from; an imported ``Response`` of another
package (an HTTP client's response model) writes no HTML to a browser."""


def _xss_hits(call: ast.Call, name: str, short: str, ev: Evaluator) -> list[Hit]:
    if name.startswith("rest_framework."):
        return []  # DRF renders its data as JSON (or the browsable API, which escapes it)
    resolved = name != short and "." in name
    if resolved and name.split(".")[0] not in WEB_RESPONSE_PACKAGES:
        return []
    body0 = call.args[0] if call.args else None
    if isinstance(body0, (ast.Dict, ast.List, ast.DictComp, ast.ListComp)):
        return []  # a JSON body
    if short in ("Response", "HttpResponse", "make_response"):
        for name in ("mimetype", "content_type", "media_type"):
            kind = _const(_kw(call, name))
            if isinstance(kind, str) and "html" not in kind:
                return []
        for headers in [*call.args[1:], *(k.value for k in call.keywords if k.arg == "headers")]:
            if _declares_non_html(headers):
                return []  # make_response(body, 200, {"Content-Type": "application/json"})
    body = _arg(call, 0, "content", "response", "body", "source")
    if body is None:  # aiohttp: Response(text=..., content_type="text/html")
        declared = _const(_kw(call, "content_type"))
        body = _kw(call, "text") if isinstance(declared, str) and "html" in declared else None
    if body is None:
        return []
    if isinstance(body, ast.Tuple) and body.elts:
        body = body.elts[0]
    return [Hit("xss", ev.value(body), short)]


def _xml_hits(call: ast.Call, qname: str, short: str, ev: Evaluator) -> list[Hit]:
    source = _arg(call, 0, "source", "text", "string")
    if source is None:
        return []
    if qname.startswith("lxml.etree.") and short in LXML_PARSE:
        parser = _arg(call, 1, "parser")
        if parser is not None and ev.parser_state(parser) == "safe":
            return []
        return [Hit("xxe", ev.value(source), qname)]
    if qname in STDLIB_PARSER_CALLS:
        parser = _arg(call, 1, "parser")
        if parser is not None and ev.parser_state(parser) == "xxe":
            return [Hit("xxe", ev.value(source), qname)]
        return []
    func = call.func
    parser_object = func.value if isinstance(func, ast.Attribute) else None
    parsing = short in ("parse", "feed", "parseString") and parser_object is not None
    if parsing and parser_object is not None and ev.parser_state(parser_object) == "xxe":
        return [Hit("xxe", ev.value(source), short)]
    return []


def _imported(node: ast.expr, ev: Evaluator) -> bool:
    """``os.path.open``/``webbrowser.open``: a method of an imported module, not of a path
    object (a local ``p = BASE / name`` qualifies as ``p.open`` but names no module)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ev.imports


def _in_memory(node: ast.expr) -> bool:
    """``zipfile.ZipFile(io.BytesIO(data))``, ``send_file(io.BytesIO(...))``: a buffer, no path."""
    return isinstance(node, ast.Call) and ast.unparse(node.func).rsplit(".", 1)[-1] in (
        "BytesIO",
        "StringIO",
    )


def code_path(node: ast.expr) -> str:
    """What a file path names when it is code, from its constant parts (``f"{name}.py"``,
    ``os.path.join(TEMPLATES_DIR, name)``): an entry of ``CODE_FILE_SUFFIXES`` or ""."""
    for part in ast.walk(node):
        text = ""
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text = part.value.lower()
        elif isinstance(part, (ast.Name, ast.Attribute)):
            text = (part.id if isinstance(part, ast.Name) else part.attr).lower()
            if "template" in text:
                return "a template"
            continue
        for suffix, what in CODE_FILE_SUFFIXES.items():
            if text.endswith(suffix):
                return what
        if "templates/" in text or text.rstrip("/").endswith("templates"):
            return "a template"
    return ""


def code_file(call: ast.Call, bound: dict[str, list[ast.expr]]) -> str:
    """What an ``open(path, "w")`` call writes when ``path`` names code (see ``code_path``);
    ``bound``: the values assigned to each name in the function (``path = ...`` first)."""
    mode = _arg(call, 1, "mode")
    writing = (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and bool(set(mode.value) & WRITE_MODES)
    )
    target = _arg(call, 0, "file")
    if not writing or target is None:
        return ""
    if isinstance(target, ast.Name) and target.id in bound:
        return next((w for w in map(code_path, bound[target.id]) if w), "")
    return code_path(target)


def _code_write_hits(call: ast.Call, short: str, receiver: ast.expr, ev: Evaluator) -> list[Hit]:
    """Untrusted text written into a module that is imported later, or into a template that is
    compiled when rendered: code injection once the file is loaded."""
    if short in ("write", "writelines"):
        what = ev.code_file(receiver)
    elif short in ("write_text", "write_bytes"):
        what = code_path(receiver)
    else:
        return []
    data = _arg(call, 0, "data", "s")
    if not what or data is None or not ev.value(data).tainted:
        return []  # a generator writing its own code is not a finding, not even unconfirmed
    return [Hit("codeinj", ev.value(data), f"{short}() into {what} (run when it is loaded)")]


RENDERERS: dict[str, tuple[int, int]] = {
    "render_template": (0, -1),
    "django.shortcuts.render": (1, 2),
    "render": (1, 2),
    "TemplateResponse": (1, 2),
    "render_to_response": (0, 1),
    "render_to_string": (0, 1),
}
"""Render calls: the position of the template name and of the context dict (-1: keywords)."""


def _template_hits(call: ast.Call, name: str, short: str, ev: Evaluator) -> list[Hit]:
    """Data passed to a template that prints it with ``|safe`` or without autoescaping."""
    where = RENDERERS.get(name) or RENDERERS.get(short)
    if where is None or (short == "render" and not name.startswith("django.")):
        return []
    template = _arg(call, where[0], "template_name")
    if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
        return []
    unescaped = ev.template_unescaped(template.value)
    if not unescaped:
        return []
    values: dict[str, ast.expr] = {k.arg: k.value for k in call.keywords if k.arg}
    context = _arg(call, where[1], "context") if where[1] >= 0 else None
    if isinstance(context, ast.Dict):
        for key, value in zip(context.keys, context.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                values[key.value] = value
    return [
        Hit("xss", ev.value(value), f"`{{{{ {key} }}}}` printed unescaped by {template.value}")
        for key, value in values.items()
        if key in unescaped
    ]


def sink_hits(call: ast.Call, qname: str | None, short: str, ev: Evaluator) -> list[Hit]:
    """Every sink check that applies to ``call`` (tainted or not: a sink's result is not the payload)."""
    name = qname or ""
    func = call.func
    receiver = func.value if isinstance(func, ast.Attribute) else None
    hits: list[Hit] = []
    if short in SQL_METHODS and receiver is not None and not name.startswith(("subprocess", "os.")):
        query = _arg(call, 0, "sql", "statement", "query", "operation", "raw_query")
        if query is not None:
            hits.append(Hit("sqli", ev.value(query), f"{short}()"))
    if short == "extra" and receiver is not None:
        values = [
            ev.value(k.value) for k in call.keywords if k.arg in ("where", "select", "tables")
        ]
        # ``extra(select, where, params, tables, ...)``: positional too (not ``params``)
        values += [ev.value(a) for i, a in enumerate(call.args[:4]) if i != 2]
        hits.append(Hit("sqli", join_all(values), "extra()"))
    if short == "RawSQL" and call.args:
        hits.append(Hit("sqli", ev.value(call.args[0]), "RawSQL"))
    if name in SHELL_CALLS:
        command = _arg(call, 0, "cmd", "command")
        if command is not None:
            hits.append(Hit("cmdi", ev.value(command), name))
    elif name in PROCESS_CALLS:
        hits += _process_hits(call, name, ev)
    elif name.startswith(("os.exec", "os.spawn", "os.posix_spawn")):
        hits.append(Hit("cmdi", join_all([ev.value(a) for a in call.args]), name))
    if name in CODE_CALLS and isinstance(func, ast.Name):
        code = _arg(call, 0, "source", "expression")
        if code is not None:
            hits.append(Hit("codeinj", ev.value(code), name))
    if name in IMPORT_CALLS:
        module = _arg(call, 0, "name")
        if module is not None:
            hits.append(Hit("codeinj", ev.value(module), f"{name}() (the named module is run)"))
    if name in LIBRARY_EVALS:
        code = _arg(call, 0, "expression", "expr")
        if code is not None:
            hits.append(Hit("codeinj", ev.value(code), name))
    if name in DESERIALIZE_CALLS:
        data = _arg(call, 0, "data", "file", "filename", "string")
        if data is not None:
            hits.append(Hit("deserialization", ev.value(data), name))
    if name in ("yaml.load", "yaml.load_all"):
        loader = _arg(call, 1, "Loader")
        loader_name = ast.unparse(loader).rsplit(".", 1)[-1] if loader is not None else ""
        if loader_name not in SAFE_YAML_LOADERS and call.args:
            hits.append(Hit("deserialization", ev.value(call.args[0]), name))
    if name in PATH_CALLS or short in ("send_file", "FileResponse"):
        paths = [a for a in call.args[:2] if not _in_memory(a)]
        hits += [Hit("pathtraver", ev.value(a), name or short) for a in paths]
        target = _kw(call, "file") or _kw(call, "path") or _kw(call, "path_or_file")
        if target is not None:
            hits.append(Hit("pathtraver", ev.value(target), name or short))
    elif (
        short in PATH_METHODS
        and receiver is not None
        and not _imported(receiver, ev)
        and not (short == "open" and ARCHIVE_RECEIVER.search(ast.unparse(receiver)))
    ):
        hits.append(Hit("pathtraver", ev.value(receiver), short))
    if receiver is not None:
        hits += _code_write_hits(call, short, receiver, ev)
    if name in ("flask.send_from_directory", "flask.helpers.send_from_directory"):
        # the file name is kept inside the folder; the folder itself must not be chosen
        folder = _arg(call, 0, "directory")
        if folder is not None:
            hits.append(Hit("pathtraver", ev.value(folder), name))
    if short in REDIRECT_NAMES:
        target = _arg(call, 0, "location", "url", "to", "redirect_to")
        if target is not None:
            hits.append(Hit("redirect", ev.value(target), short))
    jinja_env = receiver is not None and (
        name.startswith("jinja2.") or re.search(r"env|jinja", ast.unparse(receiver), re.I)
    )
    if name in TEMPLATE_COMPILERS or (short == "from_string" and jinja_env):
        source = _arg(call, 0, "source", "text")
        if source is not None:  # server-side template injection: the template is code
            hits.append(Hit("codeinj", ev.value(source), f"{short} (a template compiled from it)"))
    if short in XSS_NAMES:
        hits += _xss_hits(call, name, short, ev)
    if short in RENDERERS:
        hits += _template_hits(call, name, short, ev)
    hits += _xml_hits(call, name, short, ev)
    if short in LDAP_METHODS and any(i.startswith("ldap") for i in ev.imports.values()):
        args = [
            *call.args[:3],
            *(
                k.value
                for k in call.keywords
                if "filter" in (k.arg or "") or "base" in (k.arg or "")
            ),
        ]
        hits.append(Hit("ldapi", join_all([ev.value(a) for a in args]), short))
    if (short in ("xpath", "xpathEval") and receiver is not None) or name in XPATH_COMPILERS:
        path = _arg(call, 0, "_path", "path")
        if path is not None:
            hits.append(Hit("xpathi", ev.value(path), short))
    finder = short in ("findall", "iterfind", "findtext", "find") and bool(call.args)
    if (
        finder
        and receiver is not None
        and not name.startswith("re.")
        and ev.is_xml_object(receiver)
    ):
        hits.append(Hit("xpathi", ev.value(call.args[0]), short))
    if name in SSRF_CALLS or name in ("requests.request", "httpx.request"):
        index = 1 if name.endswith(".request") and name != "urllib3.request" else 0
        url = _arg(call, index, "url", "host")
        if url is not None:
            hits.append(Hit("ssrf", ev.value(url), name))
    if short in HTTP_VERBS and receiver is not None and ev.is_http_client(receiver):
        index = 1 if short in ("request", "stream") else 0
        url = _arg(call, index, "url", "str_or_url")
        if url is not None:
            hits.append(Hit("ssrf", ev.value(url), f"{short}()"))
    header_call = short in ("add", "set", "add_header", "setdefault") and len(call.args) >= 2
    if header_call and isinstance(receiver, ast.Attribute) and receiver.attr == "headers":
        hits.append(Hit("header", ev.value(call.args[1]), "headers"))
    hits += _header_hits(call, name, short, receiver, ev)
    return hits


def _header_hits(
    call: ast.Call, name: str, short: str, receiver: ast.expr | None, ev: Evaluator
) -> list[Hit]:
    """Response headers named or valued by the request beyond ``x.headers[...] = v``:
    ``send_header`` of an ``http.server`` handler, a WSGI ``start_response`` list, header
    names given to ``Headers.add``, ``headers.extend`` and ``make_response``'s header dict."""
    args = call.args
    if short == "send_header" and len(args) >= 2 and receiver is not None:
        return [Hit("header", join_all([ev.value(args[0]), ev.value(args[1])]), "send_header")]
    if isinstance(call.func, ast.Name) and call.func.id == "start_response" and len(args) >= 2:
        return [Hit("header", ev.value(args[1]), "start_response")]
    headers_object = (isinstance(receiver, ast.Attribute) and receiver.attr == "headers") or (
        isinstance(receiver, ast.Name) and "header" in receiver.id.lower()
    )
    if short in ("add", "set", "add_header", "setdefault") and args and headers_object:
        return [Hit("header", ev.value(args[0]), "a header name")]
    if short in ("extend", "update") and args and headers_object:
        return [Hit("header", ev.value(args[0]), "headers")]
    if short in ("make_response", "Response") and not name.startswith("rest_framework."):
        keys = [
            key
            for value in args[1:]
            if isinstance(value, ast.Dict)
            for key in value.keys
            if key is not None
        ]
        if keys:
            return [Hit("header", join_all([ev.value(k) for k in keys]), "a header name")]
    return []
