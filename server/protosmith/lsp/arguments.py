"""The argument of every protosmith command, as one pydantic model each, and the shared errors.

Every command takes one argument object (``arguments: [{...}]``); a code action that carries a
command builds that object from the same model, and a code action resolved lazily carries its
``data`` as one of the models at the end of this module. :func:`parse` validates it
against the command's model, so a handler gets typed values and a client that sends the wrong
shape gets -32602 with a message that names the field and shows the expected form. Errors that
the server raises on purpose are answered with their code and message and logged without a
traceback (see :mod:`protosmith.lsp.protocol`).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams


class InvalidArguments(JsonRpcInvalidParams):
    """A command argument is missing or wrong; the message says which and how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class Unavailable(JsonRpcException):
    """A service or backend cannot run here; the message says why and what to do.

    Code -32803 (RequestFailed): the request was valid, but it cannot be done now.
    """

    CODE = -32803

    def __init__(self, message: str) -> None:
        super().__init__(code=self.CODE, message=message)


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Point(BaseModel):
    """An LSP position as the client sends it (its negotiated unit)."""

    line: int = Field(ge=0)
    character: int = Field(ge=0)


class ClientRange(BaseModel):
    """An LSP range as the client sends it; converted to code points against the document."""

    start: Point
    end: Point


class Arguments(BaseModel):
    """Base of the command arguments: unknown keys are ignored, types are strict enough."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    EXAMPLE: ClassVar[str] = "{}"


class GenerateArgs(Arguments):
    """``protosmith.generate``: the spec (else the only workspace spec) and a run to resume."""

    spec: NonEmpty | None = None
    resume: NonEmpty | None = None
    EXAMPLE: ClassVar[str] = '{"spec": "file:///project/protosmith.toml"}'


class ReviewArgs(Arguments):
    """``protosmith.review``: a file or folder URI; ``llm`` forces the LLM pass on or off."""

    uri: NonEmpty
    llm: bool | None = None
    EXAMPLE: ClassVar[str] = '{"uri": "file:///project/app.py"}'


class RefineTarget(Arguments):
    """What "Refine selection" hands the client: the file and range; it asks for the instruction."""

    uri: NonEmpty
    range: ClientRange | None = None


class RefineArgs(RefineTarget):
    """``protosmith.refine``: what to change, where; the editor client asks the user."""

    instruction: NonEmpty
    EXAMPLE: ClassVar[str] = '{"uri": ..., "range": ..., "instruction": "extract a function"}'


class RunArgs(Arguments):
    """``protosmith.cancel`` and ``protosmith.showRun``: a run id, else every or the latest run."""

    run_id: NonEmpty | None = None
    EXAMPLE: ClassVar[str] = '{"run_id": "generate-1a2b3c4d"}'


class IgnoreArgs(Arguments):
    """``protosmith.ignoreFinding``: the rule, the zero-based line, and an optional reason."""

    uri: NonEmpty
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+$")]
    line: int = Field(ge=0)
    reason: str = ""
    EXAMPLE: ClassVar[str] = (
        '{"uri": ..., "code": "PS301", "line": 12, "reason": "input is a constant"}'
    )


class FileArgs(Arguments):
    """``protosmith.fixAll``: the file."""

    uri: NonEmpty
    EXAMPLE: ClassVar[str] = '{"uri": "file:///project/app.py"}'


ArgsT = TypeVar("ArgsT", bound=Arguments)


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:3]:
        where = ".".join(str(part) for part in item["loc"]) or "argument"
        problems.append(f"'{where}': {'missing' if item['type'] == 'missing' else item['msg']}")
    return "; ".join(problems)


def parse(command: str, model: type[ArgsT], args: tuple[Any, ...]) -> ArgsT:
    """The command's one argument object, validated; :class:`InvalidArguments` otherwise."""
    if len(args) > 1 or (args and args[0] is not None and not isinstance(args[0], dict)):
        raise InvalidArguments(f"{command} takes one argument object, e.g. [{model.EXAMPLE}]")
    raw = args[0] if args and args[0] is not None else {}
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise InvalidArguments(
            f"{command}: {_describe(error)}; expected [{model.EXAMPLE}]"
        ) from error


class FixAllData(Arguments):
    """A fix-all code action's ``data``: its edits are computed in codeAction/resolve."""

    kind: Literal["fixAll"] = "fixAll"
    uri: NonEmpty


class LlmFixData(Arguments):
    """An instruction-only fix's ``data``: what codeAction/resolve needs to compute the edit."""

    kind: Literal["llmFix"] = "llmFix"
    uri: NonEmpty
    code: NonEmpty
    instruction: NonEmpty
    range: ClientRange
    """The finding's range as the client has it: the lines the model is pointed at."""


ActionData = Annotated[FixAllData | LlmFixData, Field(discriminator="kind")]
_ACTION_DATA: TypeAdapter[FixAllData | LlmFixData] = TypeAdapter(ActionData)


def action_data(data: Any) -> FixAllData | LlmFixData | None:
    """A lazily resolved code action's data; None for an action with nothing to resolve."""
    if not isinstance(data, dict) or data.get("kind") not in ("fixAll", "llmFix"):
        return None
    try:
        return _ACTION_DATA.validate_python(data)
    except ValidationError as error:
        raise InvalidArguments(f"malformed code action data: {_describe(error)}") from error
