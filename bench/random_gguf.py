"""Write a llama-architecture GGUF with random weights, for device checks that cannot carry a model.

A device machine reached through a size-limited copy cannot receive the embedded model, and
nothing there may download one. A model of random weights exercises exactly what a GPU check
needs (loading, layer offload, prefill and decode speed) without any of its output mattering.
It needs ``gguf`` (llama.cpp's gguf-py) and numpy; both come with a llama-cpp-python checkout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

SPECIALS = ("<unk>", "<s>", "</s>")
WORDS = [
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "is",
    "for",
    "on",
    "def",
    "class",
    "return",
    "import",
    "self",
    "if",
    "else",
    "print",
    "test",
    "value",
    "name",
    "data",
    "file",
    "error",
    "none",
    "true",
    "false",
    "list",
    "dict",
    "json",
    "http",
    "user",
    "id",
]


def _vocab() -> tuple[list[str], list[float], list[int]]:
    """A SentencePiece vocabulary: specials, the 256 byte fallbacks, letters and a few words."""
    tokens: list[str] = list(SPECIALS)
    types = [2, 3, 3]  # unknown, control, control
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [6] * 256  # byte
    pieces = ["\u2581"] + [chr(c) for c in range(33, 127)] + ["\u2581" + w for w in WORDS]
    tokens += pieces
    types += [1] * len(pieces)  # normal
    scores = [0.0] * (len(SPECIALS) + 256) + [-float(i) for i in range(len(pieces))]
    return tokens, scores, types


def write_model(
    path: Path, *, n_embd: int = 1024, n_layer: int = 12, n_head: int = 16, n_ff: int = 2816
) -> Path:
    """Write the model to ``path`` (F16 weights, 4096-token context); return the path."""
    import gguf  # llama.cpp's own writer; only this bench needs it

    rng = np.random.default_rng(0)
    tokens, scores, types = _vocab()
    n_vocab = len(tokens)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("protosmith-random-check")
    writer.add_block_count(n_layer)
    writer.add_context_length(4096)
    writer.add_embedding_length(n_embd)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)

    def norm() -> np.ndarray:
        return np.ones(n_embd, dtype=np.float32)

    writer.add_tensor("token_embd.weight", weight(n_vocab, n_embd))
    for layer in range(n_layer):
        block = f"blk.{layer}."
        writer.add_tensor(block + "attn_norm.weight", norm())
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{block}{name}.weight", weight(n_embd, n_embd))
        writer.add_tensor(block + "ffn_norm.weight", norm())
        writer.add_tensor(block + "ffn_gate.weight", weight(n_ff, n_embd))
        writer.add_tensor(block + "ffn_up.weight", weight(n_ff, n_embd))
        writer.add_tensor(block + "ffn_down.weight", weight(n_embd, n_ff))
    writer.add_tensor("output_norm.weight", norm())
    head = weight(n_vocab, n_embd)
    head[: len(SPECIALS)] = 0  # never end early: every check decodes the tokens it asks for
    writer.add_tensor("output.weight", head)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--embd", type=int, default=1024)
    args = parser.parse_args()
    write_model(args.path, n_layer=args.layers, n_embd=args.embd, n_ff=args.embd * 11 // 4)
    print(f"{args.path}: {args.path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
