"""One redactor for the remote model, the server's log and run records, with one set of patterns."""

from __future__ import annotations

import logging
import sys

import pytest

from protosmith.context.secrets import (
    REDACTED,
    known_secrets,
    redact_for_remote,
    redact_record,
    redact_text,
)
from protosmith.lsp.logging import RedactSecrets

ENV_KEY = "hunter2-env-value-41c7"
"""A key whose shape matches no pattern: only knowing the variable's value at run time hides it."""

CREDENTIALS = [
    ("key sk-abcdefgh12 rejected", "sk-abcdefgh12"),
    ("key sk-proj-ABCDEFGHIJKLMNOPQRSTUV1234 rejected", "sk-proj-ABCDEFGHIJKLMNOPQRSTUV1234"),
    ("Authorization: Bearer abc.def-123_x", "abc.def-123_x"),
    ("token ghp_" + "a" * 36, "ghp_" + "a" * 36),
]
"""Credential shapes: removed from every text, run records included."""

ASSIGNMENTS = [
    ("api_key=abcd1234efgh", "abcd1234efgh"),
    ('password = "hunter2"', "hunter2"),
    ("url = 'postgres://admin:topsecret@db:5432/app'", "topsecret"),
]
"""Secret-looking assignments: removed from what leaves the machine and from the log."""


def _log_line(message: str, env_names: set[str]) -> str:
    redactor = RedactSecrets()
    redactor.env_names |= env_names
    record = logging.LogRecord("protosmith", logging.INFO, __file__, 1, message, None, None)
    assert redactor.filter(record)
    return record.getMessage()


@pytest.mark.parametrize(("text", "secret"), CREDENTIALS + ASSIGNMENTS)
def test_the_log_and_the_remote_model_never_see_a_secret(text: str, secret: str) -> None:
    for redacted in (
        redact_text(text),
        redact_for_remote(text, enabled=True),
        _log_line(text, set()),
    ):
        assert secret not in redacted and REDACTED in redacted


@pytest.mark.parametrize(("text", "secret"), CREDENTIALS)
def test_run_records_never_hold_a_credential(text: str, secret: str) -> None:
    record = redact_record({"message": text, "nested": [text]})
    assert secret not in str(record)


def test_run_records_keep_code_they_read_back() -> None:
    code = 'def test_login():\n    password = "hunter2"\n    assert login("ada", password)\n'
    assert redact_record({"files": {"test_login.py": code}}) == {"files": {"test_login.py": code}}
    assert redact_record({"api_key": "x" * 10, "usage": 3}) == {"api_key": REDACTED, "usage": 3}


def test_env_var_values_known_at_run_time_are_redacted_everywhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MY_PROVIDER_KEY", ENV_KEY)
    monkeypatch.setenv("SHORT_KEY", "abc")
    known = known_secrets("MY_PROVIDER_KEY", "SHORT_KEY", None, "UNSET_KEY_VARIABLE")
    assert known == [ENV_KEY]  # too short to replace safely, unset or unnamed: left out
    text = f"401 for key {ENV_KEY}"
    assert ENV_KEY not in redact_text(text, known)
    assert ENV_KEY not in redact_for_remote(text, known=known, enabled=True)
    assert ENV_KEY not in str(redact_record({"error": text}, known))
    assert ENV_KEY not in _log_line(text, {"MY_PROVIDER_KEY"})
    assert ENV_KEY in _log_line(text, set())


def test_the_log_redacts_tracebacks_too() -> None:
    redactor = RedactSecrets()
    try:
        raise RuntimeError("upstream said: Bearer abcdefghijklmnop")
    except RuntimeError:
        record = logging.LogRecord(
            "protosmith", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    assert redactor.filter(record)
    assert record.exc_text is not None and "abcdefghijklmnop" not in record.exc_text


def test_ordinary_text_is_left_alone() -> None:
    ordinary = "task-abcdefghijklmnopqrstuvwxyz and a Bearer; max_tokens = 128; risk-assessment"
    assert redact_text(ordinary) == ordinary
    assert redact_record(ordinary) == ordinary
