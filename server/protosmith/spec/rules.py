"""PS1xx: problems in a spec file. Listed in :mod:`protosmith.rulebook`, which docs/rules.md is generated from."""

from __future__ import annotations

from protosmith.rules import Rule

TOML_SYNTAX = "PS100"
UNKNOWN_KEY = "PS101"
MISSING_KEY = "PS102"
INVALID_VALUE = "PS103"
DUPLICATE_SCENARIO = "PS104"
OUTPUT_ESCAPES = "PS105"
EMPTY_ACCEPTANCE = "PS106"
UNREADABLE = "PS107"
UNKNOWN_LANGUAGE = "PS108"
MISPLACED_KEY = "PS109"
TOO_COMPLEX = "PS110"
SECRET_IN_SPEC = "PS111"

SPEC_RULES = (
    Rule(
        TOML_SYNTAX,
        "toml-syntax",
        "The file is not valid TOML, so nothing else in it can be checked.",
        "Fix the syntax at the reported position: close strings, arrays and tables, quote text "
        "values, and declare each key and table once.",
        severity="critical",
    ),
    Rule(
        UNKNOWN_KEY,
        "unknown-key",
        "A key or table that the spec does not define; the spec is strict so typos are caught.",
        "Correct the spelling (the message suggests the closest known key) or move free-form "
        "data under [context] or [conventions].",
    ),
    Rule(
        MISSING_KEY,
        "missing-key",
        "A required key or table is absent: [project] with name, and at least one [[scenarios]] "
        "entry with name and acceptance.",
        "Add the key to the table named in the message (`protosmith init` drafts a complete spec).",
    ),
    Rule(
        INVALID_VALUE,
        "invalid-value",
        "A value has the wrong type or is outside its allowed range (e.g. a number where text "
        "is expected, priority other than high/medium/low, a negative budget).",
        "Use the type and range named in the message; `protosmith schema` prints every field.",
    ),
    Rule(
        DUPLICATE_SCENARIO,
        "duplicate-scenario",
        "Two [[scenarios]] entries share a name; findings and tests refer to scenarios by name.",
        "Rename one of them so every scenario name is unique.",
    ),
    Rule(
        OUTPUT_ESCAPES,
        "output-outside-workspace",
        "project.output is absolute, contains '..', is the workspace root, or resolves (through "
        "a symbolic link) outside the workspace; generated files must stay inside it.",
        'Use a relative sub-folder such as "prototype".',
        severity="critical",
        cwe=22,
    ),
    Rule(
        EMPTY_ACCEPTANCE,
        "empty-acceptance",
        "A scenario has no acceptance criteria, or a blank one; every criterion is traced to code "
        "and tests, so a scenario without them cannot be verified.",
        "Add at least one concrete, testable sentence to `acceptance`.",
    ),
    Rule(
        UNREADABLE,
        "unreadable-file",
        "The spec file is missing, is a directory, cannot be read, or is not UTF-8 text.",
        "Check the path and permissions, and save the file as UTF-8.",
        severity="critical",
    ),
    Rule(
        UNKNOWN_LANGUAGE,
        "unknown-language",
        "project.languages names a language protosmith cannot generate "
        "(known: python, javascript, typescript, go, rust, java, csharp).",
        "Use one of the known language names.",
    ),
    Rule(
        MISPLACED_KEY,
        "misplaced-top-level-key",
        "A top-level key such as `goals` was written after a table header, so TOML reads it as "
        "part of that table.",
        "Move the key above the first [table] header of the file.",
    ),
    Rule(
        TOO_COMPLEX,
        "spec-too-complex",
        "The file is too large or nested too deeply to process safely.",
        "Keep the spec to prose-sized text; put large material in files the spec refers to.",
    ),
    Rule(
        SECRET_IN_SPEC,
        "secret-in-spec",
        "A key that looks like a credential (api_key, token, password, secret) in a table that "
        "does not define it; specs are committed and shared, so secrets must not live in them.",
        "Remove the secret and name the environment variable that holds it with "
        '`[llm] api_key_env = "OPENAI_API_KEY"`.',
        severity="critical",
        cwe=798,
    ),
)
