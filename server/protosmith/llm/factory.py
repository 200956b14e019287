"""Build the backend the settings ask for; heavy libraries are imported only here, lazily."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError, BackendUnavailable
from protosmith.settings import Settings

LLAMA_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
LOCAL_INSTALL_HINT = (
    f"add local inference: CMAKE_ARGS=\"{LLAMA_CMAKE_ARGS}\" pip install 'protosmith[local]' "
    "(compiles llama.cpp, a few minutes), or use --backend openai --base-url URL"
)
SCRIPTED_ENV = "PROTOSMITH_ALLOW_SCRIPTED"


def llama_cpp_installed() -> bool:
    """True when llama-cpp-python can be imported (checked without importing it)."""
    try:
        return find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


def resolve_local_model(settings: Settings) -> Path:
    """The GGUF to load: ``settings.model`` if given, else the embedded Gemma 3 270M."""
    if settings.model:
        path = Path(settings.model).expanduser()
        if not path.is_file():
            raise BackendUnavailable(
                f"model file not found: {path}",
                hint="pass --model with the path of a .gguf file, or omit it for the embedded model",
            )
        return path
    from protosmith.llm.embedded import embedded_model_path

    return embedded_model_path()


def create_backend(settings: Settings) -> Backend:
    """The backend for ``settings.backend``; raises :class:`BackendUnavailable` with the fix."""
    if settings.backend == "scripted":
        if os.environ.get(SCRIPTED_ENV) != "1":
            raise BackendError(
                "the scripted backend is for tests only",
                hint=f"set {SCRIPTED_ENV}=1 to use it, or choose --backend local or openai",
            )
        if not settings.script:
            raise BackendError("the scripted backend needs a script", hint="set PROTOSMITH_SCRIPT")
        from protosmith.llm.scripted import load_script

        return load_script(settings.script)
    if settings.backend == "openai":
        if find_spec("openai") is None:
            raise BackendUnavailable(
                "the openai package is not installed", hint="pip install 'openai>=3,<4'"
            )
        from protosmith.llm.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    if not llama_cpp_installed():
        raise BackendUnavailable(
            "local inference is not installed (llama-cpp-python is missing)",
            hint=LOCAL_INSTALL_HINT,
        )
    from protosmith.llm.local import LocalBackend

    chat_format = settings.chat_format
    model_path = resolve_local_model(settings)
    if chat_format is None and not settings.model:
        from protosmith.llm.embedded import CHAT_FORMAT

        chat_format = CHAT_FORMAT
    return LocalBackend(
        model_path,
        n_ctx=settings.context_tokens or settings.n_ctx,
        n_gpu_layers=settings.n_gpu_layers,
        chat_format=chat_format,
        tiny=not settings.model,
        seed=settings.seed,
    )
