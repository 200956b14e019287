"""What must never leave the machine, nor reach a log or a run record: the one redactor.

Every place that hides secrets uses this module, with one set of patterns:

- :func:`is_secret_path`: files matched by a deny list of globs (``.env``, ``*.pem``,
  ``id_rsa``...; extend it with ``PROTOSMITH_SECRET_GLOBS``) are never sent to a remote model.
- :func:`redact_for_remote`: workspace text bound for a remote model (LLM review, refinement
  context, anything sent to an OpenAI-compatible endpoint) loses every string shaped like a
  credential (:data:`CREDENTIAL_PATTERNS`) and every secret-looking assignment, private key block
  and password in a URL (:data:`ASSIGNMENT_PATTERNS`). Line numbers are kept, so a model's
  citations still point at the right lines. On by default; ``PROTOSMITH_REDACT=0`` turns it
  off for endpoints the user trusts (a model on their own machine needs none of it).
- :func:`redact_text`: the same, always on, for the language server's log.
- :func:`redact_record`: run journals and the LLM cache. Their strings are read back as code
  (a resumed run rewrites the files it recorded), so they lose known key values and credential
  shapes only: rewriting ``password = "..."`` in a generated test would change the code.

Known values (the API key variable's value, see :func:`known_secrets`) are removed everywhere.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath, PurePosixPath
from typing import Any

REDACTED = "[REDACTED]"
GLOBS_ENV = "PROTOSMITH_SECRET_GLOBS"
"""Extra deny-list globs, separated by commas or the path separator."""
REDACT_ENV = "PROTOSMITH_REDACT"
"""``0``, ``false``, ``no`` or ``off`` turns redaction off."""

DEFAULT_SECRET_GLOBS: tuple[str, ...] = (
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "*.asc",
    "*.gpg",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".pgpass",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".dockercfg",
    "credentials",
    "credentials.json",
    "*credentials*.json",
    "service-account*.json",
    "secrets.json",
    "secrets.y*ml",
    "secrets.toml",
    "*.secret",
    "*.secrets",
    "*.tfvars",
    "*.tfstate",
    ".aws/*",
    ".ssh/*",
    ".docker/config.json",
    ".kube/config",
)

_NAME = r"[A-Za-z0-9_.\-]*"
_SECRET_WORD = r"(?:password|passwd|pwd|passphrase|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|client[_\-]?secret|authorization|credential)"
_MIN_SECRET_LENGTH = 4
"""Shorter known values are not replaced: they would match ordinary text."""

CREDENTIAL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"), REDACTED),
    (re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/\-]{8,}=*"), rf"\g<1> {REDACTED}"),
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b"), REDACTED),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b"), REDACTED),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}\b"), REDACTED),
    (re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"), REDACTED),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}\b"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), REDACTED),
    (re.compile(r"\b(?:sk|rk|pk)_live_[0-9A-Za-z]{16,}\b"), REDACTED),
)
"""Strings shaped like API keys and tokens (OpenAI ``sk-...``, ``Bearer ...``, cloud and forge
keys): a credential wherever they appear, so they are removed from every text."""

ASSIGNMENT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # key = "value" / key: 'value' / "key": "value", where the key names a secret
    (
        re.compile(
            rf"""(?ix)
            (?P<head>["']?{_NAME}{_SECRET_WORD}{_NAME}["']?\s*(?::=|=|:)\s*[rbuRBU]?)
            (?P<quote>["'`])(?P<value>[^"'`\n]{{1,512}})(?P=quote)
            """
        ),
        rf"\g<head>\g<quote>{REDACTED}\g<quote>",
    ),
    # KEY=value in .env style, unquoted (api_key=..., export API_TOKEN=...)
    (
        re.compile(
            rf"(?im)^(?P<head>\s*(?:export\s+)?{_NAME}{_SECRET_WORD}{_NAME}=)(?P<value>[^\s\"'#]{{4,}})"
        ),
        rf"\g<head>{REDACTED}",
    ),
    (re.compile(r"(?i)(aws_secret_access_key\s*[:=]\s*)[A-Za-z0-9/+=]{40}"), rf"\g<1>{REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"), REDACTED),
    (re.compile(r"(?i)\b(Basic)\s+[A-Za-z0-9._~+/\-]{12,}=*"), rf"\g<1> {REDACTED}"),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^/\s@]+@"), rf"\g<1>{REDACTED}@"),
)
"""Secret-looking assignments, JWTs, Basic credentials and passwords in URLs: removed from text
that nobody reads back as code (what goes to a remote model, the server's log)."""

_SECRET_FIELDS = frozenset({"api_key", "apikey", "authorization", "password", "secret"})
"""Keys of a record whose value is replaced whole."""
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END (?P=kind)-----|\Z)",
    re.DOTALL,
)


def _split(value: str) -> list[str]:
    return [
        part.strip() for part in re.split(rf"[,{re.escape(os.pathsep)}]", value) if part.strip()
    ]


def secret_globs(
    extra: Iterable[str] = (), env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The deny list: the defaults, ``PROTOSMITH_SECRET_GLOBS``, then ``extra``."""
    env = os.environ if env is None else env
    return (*DEFAULT_SECRET_GLOBS, *_split(env.get(GLOBS_ENV, "")), *extra)


def is_secret_path(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    globs: Iterable[str] | None = None,
) -> bool:
    """True when ``path`` is on the deny list: such a file is never sent to a remote model.

    A glob without a slash matches the file name in any folder (``*.pem``); a glob with one
    matches the path relative to ``root`` or any trailing part of it (``.ssh/*``).
    """
    pure = PurePath(path)
    if root is not None:
        try:
            pure = pure.relative_to(PurePath(root))
        except ValueError:
            pass
    parts = PurePosixPath(pure.as_posix()).parts
    name = parts[-1] if parts else ""
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    for glob in secret_globs() if globs is None else globs:
        pattern = glob.replace("\\", "/").lstrip("/")
        if "/" not in pattern.rstrip("/"):
            if fnmatch.fnmatchcase(name, pattern):
                return True
        elif any(fnmatch.fnmatchcase(tail, pattern) for tail in tails):
            return True
    return False


def redaction_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Redaction is on unless ``PROTOSMITH_REDACT`` says off."""
    env = os.environ if env is None else env
    return env.get(REDACT_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _blank_block(match: re.Match[str]) -> str:
    """A private key block becomes one marker line per original line (line numbers kept)."""
    lines = match.group(0).count("\n")
    return "\n".join([f"{REDACTED} private key"] + [REDACTED] * lines)


def known_secrets(*env_names: str | None, env: Mapping[str, str] | None = None) -> list[str]:
    """The values of the named environment variables (API keys), where long enough to redact."""
    env = os.environ if env is None else env
    values = (env.get(name, "") for name in env_names if name)
    return [value for value in values if len(value) >= _MIN_SECRET_LENGTH]


def _replace_known(text: str, known: Iterable[str]) -> str:
    for value in known:
        if value and len(value) >= _MIN_SECRET_LENGTH:
            text = text.replace(value, REDACTED)
    return text


def _apply(text: str, patterns: Iterable[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in patterns:
        text = pattern.sub(replacement, text)
    return text


def redact_credentials(text: str, known: Iterable[str] = ()) -> str:
    """``text`` without the ``known`` values and credential-shaped strings; nothing else changes."""
    return _apply(_replace_known(text, known), CREDENTIAL_PATTERNS)


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with everything secret-looking replaced by ``[REDACTED]``; lines are kept."""
    text = _PRIVATE_KEY.sub(_blank_block, _replace_known(text, known))
    return _apply(_apply(text, ASSIGNMENT_PATTERNS), CREDENTIAL_PATTERNS)


def redact_for_remote(text: str, *, known: Iterable[str] = (), enabled: bool | None = None) -> str:
    """``text`` with secret-looking strings (and the ``known`` values) replaced by ``[REDACTED]``.

    Call it on every piece of workspace text bound for a remote model. The number of lines
    never changes. ``enabled=None`` follows ``PROTOSMITH_REDACT``.
    """
    if not (redaction_enabled() if enabled is None else enabled):
        return text
    return redact_text(text, known)


def redact_record(value: Any, known: Iterable[str] = ()) -> Any:
    """A copy of ``value`` (JSON-like) with secret fields blanked and credentials removed from
    every string (see the module docstring for why not more)."""
    known = tuple(known)
    if isinstance(value, str):
        return redact_credentials(value, known)
    if isinstance(value, dict):
        return {
            key: REDACTED
            if str(key).lower() in _SECRET_FIELDS and value[key]
            else redact_record(value[key], known)
            for key in value
        }
    if isinstance(value, list | tuple):
        return [redact_record(item, known) for item in value]
    return value


def filter_for_remote(
    files: Mapping[str, str], *, root: str | os.PathLike[str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Files safe to send: deny-listed paths dropped (returned second), the rest redacted."""
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for path, text in files.items():
        if is_secret_path(path, root=root):
            dropped.append(path)
        else:
            kept[path] = redact_for_remote(text)
    return kept, dropped
