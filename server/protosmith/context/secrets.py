"""What must never leave the machine: secret files (by path) and secret-looking strings.

Two checks stand between the workspace and a remote model (LLM review, refinement context,
anything sent to an OpenAI-compatible endpoint):

- :func:`is_secret_path`: files matched by a deny list of globs (``.env``, ``*.pem``,
  ``id_rsa``...; extend it with ``PROTOSMITH_SECRET_GLOBS``) are never sent at all.
- :func:`redact_for_remote`: in everything else, strings shaped like credentials (cloud and
  API keys, tokens, private key blocks, ``password = "..."`` literals, passwords in URLs)
  are replaced by ``[REDACTED]`` before the text leaves. Line numbers are kept, so a model's
  citations still point at the right lines. On by default; ``PROTOSMITH_REDACT=0`` turns it
  off for endpoints the user trusts (a model on their own machine needs none of it).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath, PurePosixPath

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
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
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
    # KEY=value in .env style, unquoted
    (
        re.compile(
            rf"(?im)^(?P<head>\s*(?:export\s+)?{_NAME}{_SECRET_WORD}{_NAME}=)(?P<value>[^\s\"'#]{{4,}})"
        ),
        rf"\g<head>{REDACTED}",
    ),
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b"), REDACTED),
    (re.compile(r"(?i)(aws_secret_access_key\s*[:=]\s*)[A-Za-z0-9/+=]{40}"), rf"\g<1>{REDACTED}"),
    (re.compile(r"\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_\-]{16,}"), REDACTED),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b"), REDACTED),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}\b"), REDACTED),
    (re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"), REDACTED),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}\b"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), REDACTED),
    (re.compile(r"\b(?:sk|rk|pk)_live_[0-9A-Za-z]{16,}\b"), REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"), REDACTED),
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/\-]{12,}=*"), rf"\g<1> {REDACTED}"),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^/\s@]+@"), rf"\g<1>{REDACTED}@"),
)
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


def redact_for_remote(text: str, *, known: Iterable[str] = (), enabled: bool | None = None) -> str:
    """``text`` with secret-looking strings (and the ``known`` values) replaced by ``[REDACTED]``.

    Call it on every piece of workspace text bound for a remote model. The number of lines
    never changes. ``enabled=None`` follows ``PROTOSMITH_REDACT``.
    """
    if not (redaction_enabled() if enabled is None else enabled):
        return text
    for value in known:
        if value and len(value) >= 4:
            text = text.replace(value, REDACTED)
    text = _PRIVATE_KEY.sub(_blank_block, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
