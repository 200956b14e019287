"""Security rules that need no dataflow: secrets in source, debug mode, TLS, cookie flags, weak hashes."""

from __future__ import annotations

import ast
import re

from protosmith.analysis.findings import (
    Category,
    Evidence,
    Finding,
    Fix,
    Position,
    Range,
    Severity,
    TextEdit,
    Tier,
)
from protosmith.analysis.rules import BY_KIND
from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.rules import node_range
from protosmith.analysis.taint.state import MISSING

SECRET_VAR = re.compile(
    r"(^|_)(password|passwd|pwd|secret|secret_key|token|api_key|apikey|access_key|private_key|"
    r"auth_token|client_secret|access_token|refresh_token)$",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(
    r"^(|x+|\*+|\.+|-+|changeme|change_me|placeholder|none|null|dummy|example|redacted|"
    r"<.*>|\$\{.*\}|\{\{.*\}\}|%\(.*\)s|your[_-].*|.*_here|todo|tbd|fixme)$",
    re.IGNORECASE,
)
PLACEHOLDER_TEMPLATE = re.compile(r"^(<.*>|\$\{.*\}|\{\{.*\}\}|%\(.*\)s)$")
SESSIONISH = re.compile(r"session|sess|sid|token|auth|jwt|remember|login|csrf|xsrf", re.IGNORECASE)
NON_SECURITY_HASH = re.compile(
    r"etag|checksum|cache|fingerprint|file_?hash|md5sum|content_hash|dedup|shard|bucket",
    re.IGNORECASE,
)
SECRET_WORDS = frozenset(
    {
        "password", "passwd", "pwd", "pw", "pass", "passphrase", "secret", "token", "otp", "pin",
        "session", "sid", "credential", "credentials", "auth", "authenticate", "login", "sign",
        "signed", "signing", "signature", "hmac", "mac", "salt", "apikey", "jwt",
    }
)  # fmt: skip
SECRET_KEY = re.compile(r"(api|secret|private|signing|access|session|auth)_?key", re.IGNORECASE)
KEY_NAME = re.compile(r"(^|_)(secret_key|signing_key|jwt_secret(_key)?|secret)$", re.IGNORECASE)
"""Names whose literal value is a signing key (Flask ``secret_key``, Django ``SECRET_KEY``):
the value counts whatever it looks like, because the framework signs with it."""
REGEX_LIKE = re.compile(r"\[[^\]]+\][+*?{]|\\[dswDSW]|^\^.*\$$|\(\?[:P=!<]")
NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*([_.:-][A-Za-z0-9]+)+$")
KEY_ARGUMENTS: dict[str, tuple[int, str]] = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key"),
    "itsdangerous.TimestampSigner": (0, "secret_key"),
    "itsdangerous.Signer": (0, "secret_key"),
    "itsdangerous.Serializer": (0, "secret_key"),
    "cryptography.fernet.Fernet": (0, "key"),
    **{
        f"cryptography.hazmat.primitives.ciphers.algorithms.{cipher}": (0, "key")
        for cipher in ("AES", "AES128", "AES256", "TripleDES", "Camellia", "ChaCha20", "SM4")
    },
    **{
        f"{package}.Cipher.{cipher}.new": (0, "key")
        for package in ("Crypto", "Cryptodome")
        for cipher in (
            "AES",
            "DES",
            "DES3",
            "Blowfish",
            "ARC2",
            "ARC4",
            "CAST",
            "ChaCha20",
            "ChaCha20_Poly1305",
            "Salsa20",
        )
    },
}
"""Calls whose argument is a signing or cipher key: a literal there is a hard-coded key."""
JWT_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"})
WEAK_HASHES = frozenset({"md5", "sha1", "md4", "md2", "sha", "ripemd160"})
DEBUG_APPS = frozenset(
    {
        "aiohttp.web.Application",
        "aiohttp.web_app.Application",
        "tornado.web.Application",
        "starlette.applications.Starlette",
        "fastapi.FastAPI",
    }
)
"""Application constructors whose ``debug=True`` serves tracebacks (like Flask's ``run``)."""
JINJA_SETUPS = frozenset({"aiohttp_jinja2.setup"})
"""Calls that build a Jinja2 environment from their keywords; they autoescape by default."""
TLS_OFF_CALLS = frozenset({"ssl._create_unverified_context", "ssl._create_stdlib_context"})


ECB_PACKAGES = ("Crypto.Cipher.", "Cryptodome.Cipher.")
"""PyCryptodome (``Crypto`` or ``Cryptodome``) and PyCrypto: ``AES.new(key, AES.MODE_ECB)``."""


class PatternChecker(ast.NodeVisitor):
    """Visits one module and collects pattern findings."""

    def __init__(self, ctx: ModuleContext, text: str, path: str) -> None:
        self.ctx = ctx
        self.lines = text.splitlines()
        self.path = path
        self.findings: list[Finding] = []
        self.function: list[str] = []
        self.bodies: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.conditions: list[ast.expr] = []
        """Tests of the ``if`` statements around the node being visited."""
        self.verify_params: dict[str, dict[str, int]] = {}
        """Module functions that pass a parameter on as ``verify=`` (name → parameter → index)."""
        self.verify_defs: list[ast.AST] = []
        """Their definitions (a method of the same name is another function)."""

    def add(
        self,
        kind: str,
        node: ast.AST,
        message: str,
        *,
        severity: Severity | None = None,
        fix: Fix | None = None,
        confidence: float = 0.8,
        tier: Tier = Tier.CONFIRMED,
    ) -> None:
        security = BY_KIND[kind]
        self.findings.append(
            Finding(
                code=security.code,
                category=Category.SECURITY,
                severity=severity or Severity(security.severity),
                message=f"{security.title}: {message}",
                path=self.path,
                range=node_range(node),
                evidence=Evidence(source="protosmith", rule_id=kind),
                cwe=security.cwe,
                confidence=confidence,
                fix=fix or Fix(title=f"Fix {security.title.lower()}", instruction=security.fix),
                tier=tier,
            )
        )

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        forwarded = self.verify_params.get(node.name, {}) if node in self.verify_defs else {}
        positional = [*node.args.posonlyargs, *node.args.args]
        defaults = dict(
            zip(
                positional[len(positional) - len(node.args.defaults) :],
                node.args.defaults,
                strict=True,
            )
        )
        defaults.update(
            {a: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d}
        )
        for arg, default in defaults.items():
            if arg.arg in forwarded and _false(default):
                self.add(
                    "tls",
                    default,
                    f"`{node.name}()` turns certificate checks off unless its caller passes "
                    f"`{arg.arg}=True`: the default `False` is passed on as `verify=`",
                )
        self.function.append(node.name)
        self.bodies.append(node)
        self.generic_visit(node)
        self.bodies.pop()
        self.function.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self.conditions.append(node.test)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)
        self.conditions.pop()

    def _caller_option(self) -> bool:
        """Inside an ``if`` on a parameter of the enclosing function (``if not verify:``): a
        library doing what its caller asked, not a decision of this code."""
        if not self.bodies:
            return False
        arguments = self.bodies[-1].args
        params = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
        params.discard("self")
        for test in self.conditions:
            for node in ast.walk(test):
                if isinstance(node, ast.Name) and node.id in params:
                    return True
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "self"
                ):
                    return True  # ``if not self.verify:`` an option the caller set
        return False

    # -- hard-coded secrets and configuration flags -----------------------------------------
    def _secret(self, name: str, value: ast.expr, node: ast.AST) -> None:
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return
        text = value.value.strip()
        leaf = _leaf(name)
        if not SECRET_VAR.search(leaf) or not text:
            return
        if KEY_NAME.search(leaf) and not PLACEHOLDER_TEMPLATE.match(text):
            self.add("secret", node, f"`{leaf}` is a signing key written in the source")
            return
        if PLACEHOLDER.match(text) or " " in text or _names_itself(leaf, text):
            return
        if REGEX_LIKE.search(text):
            return  # a pattern (``token = r"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"``), not a credential
        self.add("secret", node, f"`{leaf}` is assigned a literal value")

    def _key_argument(self, node: ast.Call, qname: str) -> None:
        """A literal passed where a call takes its signing key (``jwt.encode(p, "k")``)."""
        position, keyword = KEY_ARGUMENTS[qname]
        key = next((k.value for k in node.keywords if k.arg == keyword), None)
        if key is None and len(node.args) > position:
            key = node.args[position]
        if isinstance(key, ast.Constant) and isinstance(key.value, (str, bytes)) and key.value:
            self.add("secret", key, f"a literal key is passed to `{qname}()`")

    def _ecb_mode(self, node: ast.Call, qname: str) -> None:
        """A block cipher in ECB mode: ``modes.ECB()`` (cryptography), or ``MODE_ECB`` passed to
        a PyCryptodome/PyCrypto ``new()``."""
        if qname.endswith("ciphers.modes.ECB"):
            self.add("ciphermode", node, "`modes.ECB()` encrypts equal blocks alike")
            return
        if not qname.startswith(ECB_PACKAGES) or not qname.endswith(".new"):
            return
        for argument in [*node.args, *(k.value for k in node.keywords if k.arg == "mode")]:
            mode = self.ctx.qualify(argument) or ""
            if mode.startswith(ECB_PACKAGES) and mode.endswith(".MODE_ECB"):
                self.add("ciphermode", argument, "`MODE_ECB` encrypts equal blocks alike")
                return

    def _jwt_unverified(self, node: ast.Call, keywords: dict[str, ast.keyword]) -> bool:
        """``jwt.decode`` with the signature check off; True when it reported."""
        verify = keywords.get("verify")
        if verify is not None and _false(verify.value):
            self.add("jwtverify", verify, "`jwt.decode(..., verify=False)` accepts forged tokens")
            return True
        options = keywords.get("options")
        if options is not None and isinstance(options.value, ast.Dict):
            for key, value in zip(options.value.keys, options.value.values, strict=True):
                named = isinstance(key, ast.Constant) and key.value == "verify_signature"
                if named and _false(value):
                    self.add(
                        "jwtverify",
                        value,
                        "`options={'verify_signature': False}` accepts forged tokens",
                    )
                    return True
        return False

    def _flag(self, name: str, value: ast.expr, node: ast.AST) -> None:
        leaf = name.rsplit(".", 1)[-1].strip("'\"[]").upper()
        truthy = isinstance(value, ast.Constant) and value.value is True
        falsy = isinstance(value, ast.Constant) and value.value is False
        if (
            leaf == "DEBUG"
            and truthy
            and (self.path.endswith("settings.py") or "." in name or "[" in name)
        ):
            self.add("debug", node, f"`{name}` is set to True")
        if leaf == "SESSION_COOKIE_SECURE" and falsy:
            self.add("securecookie", node, "`SESSION_COOKIE_SECURE` is False")
        if leaf == "SESSION_COOKIE_HTTPONLY" and falsy:
            self.add("httponly", node, "`SESSION_COOKIE_HTTPONLY` is False")
        if name.startswith("self."):
            return  # a class's own default for an option (an SSLContext wrapper), not a context
        if leaf in ("CHECK_HOSTNAME",) and falsy and not self._caller_option():
            self.add("tls", node, "hostname checking is disabled")
        tls_off = leaf == "VERIFY_MODE" and ast.unparse(value).endswith("CERT_NONE")
        if tls_off and not self._caller_option():
            self.add("tls", node, "certificate verification is disabled (`CERT_NONE`)")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            name = ast.unparse(target)
            self._secret(name, node.value, node)
            self._flag(name, node.value, node)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._secret(key.value, value, value)
        self.generic_visit(node)

    # -- calls ------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        qname = self.ctx.qualify(node.func) or ""
        short = qname.rsplit(".", 1)[-1] if qname else getattr(node.func, "attr", "")
        keywords = {k.arg: k for k in node.keywords if k.arg}
        for keyword in node.keywords:
            if keyword.arg and keyword.arg not in ("user", "username"):
                self._secret(keyword.arg, keyword.value, keyword.value)
        if qname in KEY_ARGUMENTS:
            self._key_argument(node, qname)
        jwt_reported = qname in JWT_DECODERS and self._jwt_unverified(node, keywords)
        debug_call = short == "run" or qname in DEBUG_APPS
        if debug_call and "debug" in keywords and _true(keywords["debug"].value):
            self.add("debug", keywords["debug"], "the application runs with `debug=True`")
        verify = keywords.get("verify")
        if verify is not None and _false(verify.value) and not jwt_reported:
            self.add(
                "tls",
                verify,
                "`verify=False` disables certificate checks",
                fix=self._remove_keyword(verify),
            )
        self._verify_passed_on(node)
        self._ecb_mode(node, qname)
        if qname in TLS_OFF_CALLS and not self._caller_option():
            self.add(
                "tls", node, f"`{qname}()` creates a context that does not verify certificates"
            )
        if short == "set_cookie":
            self._cookie(node, *self._with_unpacked(node, keywords))
        if qname.startswith("aiohttp_session.") and short.endswith("Storage"):
            self._session_storage(keywords)
        jinja = self._alias(node.func, qname)
        if jinja in ("jinja2.Environment", "jinja2.Template", "jinja2.environment.Environment"):
            autoescape = keywords.get("autoescape")
            if autoescape is None or self._falsy(autoescape.value):
                environment = jinja.endswith("Environment")
                self.add(
                    "xss",
                    node,
                    f"a Jinja2 {'environment' if environment else 'template'} is created "
                    "without autoescaping",
                    severity=Severity.MINOR,
                    # a lone Template may render text, not HTML: unconfirmed as XSS
                    tier=Tier.CONFIRMED if environment else Tier.UNCONFIRMED,
                )
        setup_off = keywords.get("autoescape") if qname in JINJA_SETUPS else None
        if setup_off is not None and self._falsy(setup_off.value):
            self.add(
                "xss",
                setup_off,
                f"`{qname}()` builds the template environment without autoescaping",
                severity=Severity.MINOR,
            )
        self._hash(node, qname, short, keywords)
        self.generic_visit(node)

    def _session_storage(self, keywords: dict[str, ast.keyword]) -> None:
        """An aiohttp_session storage: the cookie it sets is the session, so a flag it turns
        off is turned off on the session cookie (its defaults are ``httponly=True``)."""
        httponly = keywords.get("httponly")
        if httponly is not None and _false(httponly.value):
            self.add("httponly", httponly, "the session storage sets `httponly=False`")
        secure = keywords.get("secure")
        if secure is not None and _false(secure.value):
            self.add("securecookie", secure, "the session storage sets `secure=False`")

    def _verify_passed_on(self, node: ast.Call) -> None:
        """``fetch(url, False)`` where ``fetch`` passes that parameter on as ``verify=``: the
        literal is this code's choice (forwarding a caller's option is not a finding)."""
        if not isinstance(node.func, ast.Name):
            return
        helper = node.func.id
        for param, index in self.verify_params.get(helper, {}).items():
            keyword = next((k.value for k in node.keywords if k.arg == param), None)
            before = node.args[: index + 1]
            if keyword is None and any(isinstance(a, ast.Starred) for a in before):
                continue  # ``fetch(*args)``: positions unknown
            value = keyword if keyword is not None or index >= len(node.args) else node.args[index]
            if value is not None and _false(value):
                self.add(
                    "tls",
                    value,
                    f"`{helper}()` passes `{param}` on as `verify=`: "
                    "certificate checks are disabled",
                )

    def _alias(self, func: ast.expr, qname: str) -> str:
        """``qname``, or what a module-level alias of it names (``E = Environment``)."""
        if isinstance(func, ast.Name) and not qname.startswith("jinja2."):
            bound = self.ctx.module_value(func.id)
            if isinstance(bound, (ast.Name, ast.Attribute)):
                return self.ctx.qualify(bound) or qname
        return qname

    def _falsy(self, value: ast.expr) -> bool:
        """A literal or module constant that is false (``autoescape=0``, ``z = 0``; ``''``)."""
        if isinstance(value, ast.Name):
            known = self.ctx.constants().get(value.id, MISSING)
            return known is not MISSING and not known and known is not None
        return _false(value) or (isinstance(value, ast.Constant) and value.value == "")

    def _with_unpacked(
        self, node: ast.Call, keywords: dict[str, ast.keyword]
    ) -> tuple[dict[str, ast.keyword], bool]:
        """``keywords`` plus those of ``**OPTIONS`` where OPTIONS is a module-level dict literal,
        and whether they are all known (an unreadable ``**`` may hold any missing one)."""
        combined = dict(keywords)
        pending = [k.value for k in node.keywords if k.arg is None]
        complete = True
        for _ in range(8):  # ``**{**DEFAULTS, **overrides}``, a few levels at most
            if not pending:
                break
            unpacked = self._dict_display(pending.pop(0))
            if unpacked is None:
                complete = False
                continue
            for key, value in zip(unpacked.keys, unpacked.values, strict=True):
                if key is None:
                    pending.append(value)  # a nested ``**mapping``
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    unpacked_keyword = ast.keyword(arg=key.value, value=value)
                    ast.copy_location(unpacked_keyword, node)  # reported at the call
                    combined.setdefault(key.value, unpacked_keyword)
                else:
                    complete = False
        return combined, complete and not pending

    def _dict_display(self, node: ast.expr) -> ast.Dict | None:
        """``node`` as a dict display: itself, or what a name is bound to once in the enclosing
        function (``options = {**COOKIE_OPTIONS, **overrides}``) or else in the module."""
        if isinstance(node, ast.Name):
            local = self.ctx.assignments_in(self.bodies[-1]).get(node.id) if self.bodies else None
            if local:
                node = local[0] if len(local) == 1 else node
            else:
                node = self.ctx.module_value(node.id) or node
        return node if isinstance(node, ast.Dict) else None

    def _cookie(self, node: ast.Call, keywords: dict[str, ast.keyword], complete: bool) -> None:
        name = node.args[0] if node.args else keywords["key"].value if "key" in keywords else None
        value = (
            node.args[1]
            if len(node.args) > 1
            else keywords["value"].value
            if "value" in keywords
            else None
        )
        label = " ".join(ast.unparse(n) for n in (name, value) if n is not None)
        sessionish = bool(SESSIONISH.search(label))
        secure = keywords.get("secure")
        if secure is not None and _false(secure.value):
            self.add("securecookie", secure, "the cookie is set with `secure=False`")
        elif secure is None and sessionish and complete:
            self.add("securecookie", node, "a session-like cookie is set without `secure=True`")
        httponly = keywords.get("httponly")
        if httponly is not None and _false(httponly.value) and sessionish:
            self.add("httponly", httponly, "a session-like cookie is set with `httponly=False`")
        elif httponly is None and sessionish and complete:
            self.add("httponly", node, "a session-like cookie is set without `httponly=True`")

    def _hash(
        self, node: ast.Call, qname: str, short: str, keywords: dict[str, ast.keyword]
    ) -> None:
        algorithm = ""
        if qname.startswith("hashlib.") and short in WEAK_HASHES:
            algorithm = short
        elif qname == "hashlib.new":
            chosen = keywords["name"].value if "name" in keywords else None
            chosen = chosen if chosen is not None or not node.args else node.args[0]
            if isinstance(chosen, ast.Constant):
                algorithm = str(chosen.value).lower().replace("-", "")
        elif (
            qname.startswith(("Crypto.Hash.", "Cryptodome.Hash."))
            and qname.split(".")[2].lower() in WEAK_HASHES
        ):
            algorithm = qname.split(".")[2].lower()
        elif (
            qname.startswith("cryptography.hazmat.primitives.hashes.")
            and short.lower() in WEAK_HASHES
        ):
            algorithm = short.lower()
        if algorithm not in WEAK_HASHES:
            return
        used = keywords.get("usedforsecurity")
        if used is None and qname == "hashlib.new" and len(node.args) > 2:
            used = ast.keyword(arg="usedforsecurity", value=node.args[2])
        if used is not None and _false(used.value):
            return
        line = self.lines[node.lineno - 1] if node.lineno <= len(self.lines) else ""
        context = " ".join([*self.function, line, *self._feeding_lines(node)])
        secret = _protects_secret(context) and not NON_SECURITY_HASH.search(context)
        # Reported wherever data is hashed: minor (unconfirmed as a vulnerability: the purpose
        # is unknown), major where it protects a secret.
        self.add(
            "hash",
            node,
            f"{algorithm.upper()} is broken for security use"
            + (" and here it protects a secret" if secret else ""),
            severity=Severity.MAJOR if secret else Severity.MINOR,
            confidence=0.8 if secret else 0.6,
            tier=Tier.CONFIRMED if secret else Tier.UNCONFIRMED,
            fix=Fix(
                title="Use a strong hash",
                instruction="Use hashlib.sha256 (or better) for integrity and signatures; for passwords use a "
                "KDF (hashlib.scrypt, argon2, bcrypt). If this is a non-security checksum, pass usedforsecurity=False.",
            ),
        )

    def _feeding_lines(self, call: ast.Call) -> list[str]:
        """The lines that assign what ``call`` hashes, a few steps back in the same function
        (``bar = store["pw"]`` ← ``param = request.form.get("password")``)."""
        if not self.bodies:
            return []
        assigned = self.ctx.assignments_in(self.bodies[-1])
        names = {n.id for a in call.args for n in ast.walk(a) if isinstance(n, ast.Name)}
        lines: list[str] = []
        for _ in range(3):
            values = [v for name in names for v in assigned.get(name, [])]
            lines += [self.lines[v.lineno - 1] for v in values if v.lineno <= len(self.lines)]
            names = {n.id for v in values for n in ast.walk(v) if isinstance(n, ast.Name)}
        return lines

    def _remove_keyword(self, keyword: ast.keyword) -> Fix | None:
        line = keyword.lineno - 1
        if keyword.end_lineno != keyword.lineno or line >= len(self.lines):
            return None
        text = self.lines[line].encode("utf-8")  # ast columns are UTF-8 bytes
        start = text.rfind(b",", 0, keyword.col_offset)
        if start < 0:
            return None
        end = keyword.end_col_offset or keyword.col_offset
        edit = TextEdit(
            path=self.path,
            range=Range(
                start=Position(line=line, character=start), end=Position(line=line, character=end)
            ),
            new_text="",
        )
        return Fix(title="Remove verify=False", edits=[edit])


def _leaf(name: str) -> str:
    """The name a value is stored under: ``app.secret_key`` → ``secret_key``,
    ``app.config['SECRET_KEY']`` → ``SECRET_KEY``."""
    subscript = re.search(r"\[\s*['\"]([^'\"]+)['\"]\s*\]$", name)
    if subscript:
        return subscript.group(1)
    return name.rsplit(".", 1)[-1].strip("'\"[]")


def _names_itself(leaf: str, text: str) -> bool:
    """The literal is a name, not a secret: it repeats the variable's name (``password =
    'password'``), is a constant-style identifier, or a dotted/dashed/underscored identifier
    naming the same thing (``token = 'csrf_token'``, ``TOKEN_HEADER = 'X-Auth-Token'``)."""
    lowered = text.lower()
    if lowered in (leaf.lower(), leaf.lower().replace("_", "")):
        return True
    if text.upper() == text and "_" in text and text.isidentifier():
        return True
    if NAME_LIKE.match(text):
        words = set(re.split(r"[_.:-]", lowered))
        leaf_words = set(re.split(r"_", leaf.lower())) - {""}
        return bool(words & leaf_words & SECRET_WORDS | words & {"token", "key", "password"})
    return False


def _true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0) and node.value is not None


def verify_forwarders(tree: ast.Module, ctx: ModuleContext) -> dict[str, dict[str, int]]:
    """Module-level functions that pass one of their parameters on as ``verify=`` (not to a
    JWT decoder): name → parameter → its position."""
    found: dict[str, dict[str, int]] = {}
    for func in tree.body:
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        positional = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
        params = {*positional, *(a.arg for a in func.args.kwonlyargs)}
        for node in ast.walk(func):
            if not isinstance(node, ast.Call) or (ctx.qualify(node.func) or "") in JWT_DECODERS:
                continue
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "verify" and isinstance(value, ast.Name) and value.id in params:
                    index = positional.index(value.id) if value.id in positional else 1 << 20
                    found.setdefault(func.name, {})[value.id] = index
    return found


def check_patterns(tree: ast.Module, ctx: ModuleContext, text: str, path: str) -> list[Finding]:
    """All pattern findings of one module."""
    checker = PatternChecker(ctx, text, path)
    checker.verify_params = verify_forwarders(tree, ctx)
    checker.verify_defs = [
        f
        for f in tree.body
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        and f.name in checker.verify_params
    ]
    checker.visit(tree)
    return checker.findings


def _protects_secret(context: str) -> bool:
    """Whether the names around a hash (its line, the enclosing functions) say it protects a
    password, token, signature or session, rather than keying a cache or an avatar."""
    if SECRET_KEY.search(context):
        return True
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", context)
    return any(word.lower() in SECRET_WORDS for word in words)
