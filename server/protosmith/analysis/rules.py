"""Rule codes of the static review: PS2xx quality, PS3xx security (with CWE), PS4xx performance."""

from __future__ import annotations

from dataclasses import dataclass

from protosmith.rules import Rule


@dataclass(frozen=True)
class SecurityClass:
    """A vulnerability class: its rule code, CWE, default severity and a human title."""

    code: str
    kind: str
    title: str
    cwe: int
    severity: str
    summary: str
    fix: str


SECURITY_CLASSES: tuple[SecurityClass, ...] = (
    SecurityClass(
        "PS301",
        "sqli",
        "SQL injection",
        89,
        "critical",
        "Untrusted input is built into an SQL statement (string formatting, concatenation) and executed.",
        'Pass values as query parameters: `cursor.execute("... WHERE id = ?", (value,))`.',
    ),
    SecurityClass(
        "PS302",
        "cmdi",
        "OS command injection",
        78,
        "critical",
        "Untrusted input reaches a shell command, or the program run by a process without a shell (there a program named by an environment variable or the command line is configuration, not input; arguments after the program are not flagged).",
        "Use a list of arguments with a constant program and `shell=False`; quote with `shlex.quote` if a shell is unavoidable.",
    ),
    SecurityClass(
        "PS303",
        "codeinj",
        "Code injection",
        94,
        "critical",
        "Untrusted input reaches `eval`, `exec` or `compile`, names the module to import "
        "(`importlib.import_module`, `__import__`), or is compiled as a template "
        "(`jinja2.Template(text)`, `render_template_string(text)`: server-side template injection).",
        "Never evaluate input; parse it (`json.loads`, `ast.literal_eval`) or dispatch through an "
        "allow-list; pass input to a fixed template as data (`render(name=value)`).",
    ),
    SecurityClass(
        "PS304",
        "deserialization",
        "Unsafe deserialization",
        502,
        "critical",
        "Untrusted input is deserialized with pickle, marshal, shelve, jsonpickle or `yaml.load` without a safe loader.",
        "Use a data-only format (`json.loads`, `yaml.safe_load`).",
    ),
    SecurityClass(
        "PS305",
        "pathtraver",
        "Path traversal",
        22,
        "major",
        "Untrusted input chooses a file path that is opened, written, listed or deleted (a path from the environment or the command line is the invoking user's choice: not flagged).",
        "Reduce the name with `os.path.basename`/`secure_filename`, or resolve it and check it stays inside the base folder.",
    ),
    SecurityClass(
        "PS306",
        "redirect",
        "Open redirect",
        601,
        "major",
        "Untrusted input chooses the target of an HTTP redirect.",
        "Redirect only to allow-listed targets or check with `url_has_allowed_host_and_scheme`.",
    ),
    SecurityClass(
        "PS307",
        "xss",
        "Cross-site scripting",
        79,
        "major",
        "Untrusted input is written into HTML without escaping (response bodies, `Markup`, `mark_safe`, `render_template_string`) or templates are rendered without autoescaping.",
        "Render through templates with autoescaping, or escape with `html.escape`/`markupsafe.escape`.",
    ),
    SecurityClass(
        "PS308",
        "xxe",
        "XML external entity expansion",
        611,
        "major",
        "Untrusted XML is parsed by a parser that resolves external entities.",
        "Use `defusedxml`, or disable entity resolution (`resolve_entities=False`, no `feature_external_ges`).",
    ),
    SecurityClass(
        "PS309",
        "ldapi",
        "LDAP injection",
        90,
        "major",
        "Untrusted input is built into an LDAP search filter or DN.",
        "Escape with `ldap.filter.escape_filter_chars` / `escape_dn_chars`.",
    ),
    SecurityClass(
        "PS310",
        "xpathi",
        "XPath injection",
        643,
        "major",
        "Untrusted input is built into an XPath or ElementPath expression.",
        "Use XPath variables (`tree.xpath('//u[@name=$n]', n=value)`) or an allow-list.",
    ),
    SecurityClass(
        "PS311",
        "ssrf",
        "Server-side request forgery",
        918,
        "major",
        "Untrusted input chooses the URL or host of an outgoing request.",
        "Fix the scheme and host; allow-list destinations.",
    ),
    SecurityClass(
        "PS312",
        "header",
        "HTTP header injection",
        113,
        "minor",
        "Untrusted input is written into a response header.",
        "Reject CR/LF and validate the value against an allow-list.",
    ),
    SecurityClass(
        "PS313",
        "securecookie",
        "Cookie without Secure flag",
        614,
        "minor",
        "A cookie is set with `secure=False`, or a session-like cookie is set without `secure=True`.",
        "Pass `secure=True` (and `httponly=True`, `samesite`).",
    ),
    SecurityClass(
        "PS314",
        "httponly",
        "Cookie without HttpOnly flag",
        1004,
        "minor",
        "A session-like cookie is readable from JavaScript (`httponly` missing or False, on `set_cookie` or on an aiohttp_session storage).",
        "Pass `httponly=True`.",
    ),
    SecurityClass(
        "PS315",
        "hash",
        "Weak hash",
        328,
        "minor",
        "MD5, SHA-1 or another broken hash is used (minor); where it protects a password, token or signature it is major. Calls that say `usedforsecurity=False` are not flagged.",
        "Use SHA-256 or better; for passwords use a KDF (`hashlib.scrypt`, argon2, bcrypt). Pass `usedforsecurity=False` for checksums.",
    ),
    SecurityClass(
        "PS316",
        "weakrand",
        "Weak randomness for a secret",
        330,
        "major",
        "A non-cryptographic PRNG (`random`) produces a token, session value, password, salt or OTP.",
        "Use `secrets.token_urlsafe()`, `secrets.randbelow()` or `random.SystemRandom()`.",
    ),
    SecurityClass(
        "PS317",
        "secret",
        "Hard-coded credential",
        798,
        "major",
        "A password, secret key, token or API key is written in the source. A literal used as a key (Flask `secret_key`, Django `SECRET_KEY`, a JWT, HMAC or cipher key passed as an argument, `AES.new(b'...')`) counts whatever it looks like; a name alone (`token = 'csrf_token'`) is not a secret.",
        "Read it from the environment or a secret store.",
    ),
    SecurityClass(
        "PS318",
        "debug",
        "Debug mode enabled",
        489,
        "major",
        "The application runs with debug mode on (`app.run(debug=True)`, `web.Application(debug=True)`, `DEBUG = True`), exposing a debugger and internals.",
        "Turn debug off outside development (read it from the environment).",
    ),
    SecurityClass(
        "PS319",
        "tls",
        "TLS verification disabled",
        295,
        "major",
        "Certificate verification is switched off (`verify=False`, unverified SSL contexts, `CERT_NONE`).",
        "Keep verification on; pass a CA bundle with `verify=path` if needed.",
    ),
    SecurityClass(
        "PS320",
        "trustbound",
        "Trust boundary violation",
        501,
        "minor",
        "Untrusted input is stored in the server-side session, where later code treats it as trusted.",
        "Validate the value (type, allow-list) before storing it in the session.",
    ),
    SecurityClass(
        "PS321",
        "jwtverify",
        "JWT signature not verified",
        347,
        "major",
        "A JSON Web Token is decoded with signature verification switched off (`jwt.decode(..., verify=False)`, `options={'verify_signature': False}`), so anyone can forge its claims.",
        "Verify the signature: pass the key and `algorithms=[...]` to `jwt.decode` and keep `verify_signature` on.",
    ),
    SecurityClass(
        "PS322",
        "ciphermode",
        "Weak cipher mode",
        327,
        "major",
        "A block cipher runs in ECB mode (`AES.new(key, AES.MODE_ECB)` in PyCryptodome/PyCrypto, `modes.ECB()` in `cryptography`): equal plaintext blocks give equal ciphertext blocks, so the data's structure shows through.",
        "Use an authenticated mode (`AES.MODE_GCM`, `modes.GCM(nonce)`, or `cryptography`'s `Fernet`/`AESGCM`).",
    ),
)
BY_KIND = {c.kind: c for c in SECURITY_CLASSES}
BY_CODE = {c.code: c for c in SECURITY_CLASSES}

OTHER_SECURITY = "PS390"
OTHER_LANGUAGE_SECURITY = "PS391"
OTHER_LANGUAGE_BUG = "PS208"
SYNTAX = "PS201"
LIKELY_BUG = "PS202"
UNUSED = "PS203"
BUGBEAR = "PS204"
STYLE = "PS205"
SIMPLIFY = "PS206"
COMPLEXITY = "PS207"

NESTED_LOOP = "PS401"
STRING_CONCAT = "PS402"
IO_IN_LOOP = "PS403"
SORT_IN_LOOP = "PS404"
LIST_MEMBERSHIP = "PS405"
LOOP_INVARIANT = "PS406"
RUFF_PERF = "PS407"

ANALYSIS_RULES: tuple[Rule, ...] = (
    *(
        Rule(c.code, c.kind, f"{c.title}. {c.summary}", c.fix, c.severity, c.cwe)
        for c in SECURITY_CLASSES
    ),
    Rule(
        OTHER_SECURITY,
        "bandit-other",
        "Another security weakness reported by bandit (binding to all interfaces, temporary files, missing timeouts...). The result carries bandit's test id and CWE.",
        "Follow the linked bandit guidance.",
        "minor",
    ),
    Rule(
        OTHER_LANGUAGE_SECURITY,
        "other-language-security",
        "A security weakness in JavaScript, TypeScript, Go or Rust reported by that language's analyzer (eslint-plugin-security and eslint's eval rules, gosec). The result carries the analyzer's rule id and the CWE.",
        "Follow the analyzer's guidance for the rule id in the message; keep untrusted input out of the flagged call.",
        "major",
    ),
    Rule(
        OTHER_LANGUAGE_BUG,
        "other-language-bug",
        "A likely bug in JavaScript, TypeScript, Go or Rust reported by that language's analyzer (eslint's correctness rules, go vet, cargo clippy).",
        "Correct the code as the analyzer's message says.",
        "minor",
    ),
    Rule(
        SYNTAX,
        "syntax-error",
        "The file does not parse, so nothing else in it could be checked.",
        "Fix the syntax error.",
        "critical",
    ),
    Rule(
        LIKELY_BUG,
        "likely-bug",
        "Code that fails at run time or does something else than it says (undefined names, invalid comparisons, redefined functions): ruff's pyflakes rules.",
        "Apply the attached fix or correct the name.",
        "major",
    ),
    Rule(
        UNUSED,
        "unused-code",
        "Unused imports and variables (ruff F401, F841).",
        "Remove them (ruff's fix is attached).",
        "minor",
    ),
    Rule(
        BUGBEAR,
        "bug-risk",
        "Bug-prone patterns (mutable defaults, loop variable capture, `except` too broad): ruff's flake8-bugbear rules.",
        "Apply the attached fix or rewrite as the message says.",
        "minor",
    ),
    Rule(
        STYLE,
        "style",
        "Statement-level style problems that hide mistakes (multiple statements per line, bare `except`, comparison to None with ==).",
        "Apply the attached fix.",
        "minor",
    ),
    Rule(
        SIMPLIFY,
        "simplify",
        "Code that has a simpler, more idiomatic form (ruff SIM and UP rules).",
        "Apply the attached fix.",
        "info",
    ),
    Rule(
        COMPLEXITY,
        "complexity",
        "A function whose cyclomatic complexity is above 12 (ruff C901).",
        "Split the function.",
        "minor",
    ),
    Rule(
        NESTED_LOOP,
        "nested-loop",
        "A loop nested over the same or another input collection: quadratic time as inputs grow.",
        "Index one side in a dict or set and look up in one pass.",
        "minor",
    ),
    Rule(
        STRING_CONCAT,
        "string-concat-in-loop",
        "A string is grown with `+=` inside a loop: quadratic copying.",
        "Collect parts in a list and `''.join()` them once.",
        "minor",
    ),
    Rule(
        IO_IN_LOOP,
        "io-in-loop",
        "A database query, HTTP request or file open inside a loop (the N+1 pattern).",
        "Batch the work: one query with `IN`, a bulk API call, or open once outside the loop.",
        "major",
    ),
    Rule(
        SORT_IN_LOOP,
        "sort-in-loop",
        "A collection is sorted inside a loop.",
        "Sort once before the loop, or keep a heap/bisect-ordered structure.",
        "minor",
    ),
    Rule(
        LIST_MEMBERSHIP,
        "list-membership-in-loop",
        "Membership is tested against a list inside a loop: linear scans make the loop quadratic.",
        "Build a set once before the loop.",
        "minor",
    ),
    Rule(
        LOOP_INVARIANT,
        "loop-invariant-work",
        "Work that does not change between iterations (regex compilation, `list.pop(0)`, `len()` of a growing list) is redone in a loop.",
        "Hoist it out of the loop; use `collections.deque` for queues.",
        "minor",
    ),
    Rule(
        RUFF_PERF,
        "ruff-performance",
        "A performance anti-pattern reported by ruff's perflint rules.",
        "Apply the attached fix.",
        "info",
    ),
)
