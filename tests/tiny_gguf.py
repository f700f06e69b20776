"""A tiny random llama GGUF, written with the gguf package's own writer, for the loader's tests.

Two layers, width 8, 2 query heads sharing 1 key/value head, a byte-level vocabulary of the
256 byte symbols plus a few merges and one control token. The query and key matrices are
stored permuted as llama.cpp's converter stores them (:func:`llama_cpp_permute`, written
here from the converter's formula, independently of :func:`attention.models.gguf.unpermute_rows`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

N_LAYERS, D_MODEL, N_HEADS, N_KV_HEADS, D_FF = 2, 8, 2, 1, 12
MERGES = ["Ġ t", "h e", "Ġt he", "Ġ c", "a t", "Ġc at"]
END_OF_TEXT = "<|endoftext|>"


def llama_cpp_permute(w: np.ndarray, n_heads: int) -> np.ndarray:
    """llama.cpp's convert_hf_to_gguf ``permute``: within each head, row ``i`` of the first
    half goes to ``2i`` and row ``i`` of the second half to ``2i + 1``."""
    rows = w.shape[0]
    return w.reshape(n_heads, 2, rows // n_heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def byte_symbols() -> list[str]:
    """The 256 characters byte-level BPE writes bytes as (GPT-2's table)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]  # fmt: skip
    chars, extra = [], 0
    for b in range(256):
        if b in printable:
            chars.append(chr(b))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    return chars


def vocabulary() -> list[str]:
    """The control token, the byte symbols, then one token per merge."""
    return [END_OF_TEXT, *byte_symbols(), *(m.replace(" ", "") for m in MERGES)]


def tensors(seed: int = 0) -> dict[str, np.ndarray]:
    """Every tensor, float32, rows = outputs, query/key rows in the original (HF) order."""
    rng = np.random.default_rng(seed)
    d, kv = D_MODEL, N_KV_HEADS * (D_MODEL // N_HEADS)

    def w(*shape: int) -> np.ndarray:
        return rng.normal(0.0, 0.5, shape).astype(np.float32)

    out = {"token_embd.weight": w(len(vocabulary()), d),
           "output_norm.weight": (1.0 + w(d) / 5).astype(np.float32)}  # fmt: skip
    for i in range(N_LAYERS):
        p = f"blk.{i}."
        out |= {p + "attn_norm.weight": (1.0 + w(d) / 5).astype(np.float32),
                p + "attn_q.weight": w(d, d), p + "attn_k.weight": w(kv, d),
                p + "attn_v.weight": w(kv, d), p + "attn_output.weight": w(d, d),
                p + "ffn_norm.weight": (1.0 + w(d) / 5).astype(np.float32),
                p + "ffn_gate.weight": w(D_FF, d), p + "ffn_up.weight": w(D_FF, d),
                p + "ffn_down.weight": w(d, D_FF)}  # fmt: skip
    return out


def write_tiny_gguf(
    path: Path, *, architecture: str = "llama", seed: int = 0, drop: str | None = None
) -> dict[str, np.ndarray]:
    """Write the tiny model to ``path`` (``drop``: a tensor left out); returns its tensors."""
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), architecture)
    writer.add_block_count(N_LAYERS)
    writer.add_context_length(64)
    writer.add_embedding_length(D_MODEL)
    writer.add_feed_forward_length(D_FF)
    writer.add_head_count(N_HEADS)
    writer.add_head_count_kv(N_KV_HEADS)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    tokens = vocabulary()
    writer.add_token_list(tokens)
    writer.add_token_types([3] + [1] * (len(tokens) - 1))
    writer.add_token_merges(MERGES)
    writer.add_add_bos_token(False)
    weights = tensors(seed)
    for name, value in weights.items():
        if name == drop:
            continue
        stored = value
        if ".attn_q." in name or ".attn_k." in name:
            stored = llama_cpp_permute(value, N_HEADS if ".attn_q." in name else N_KV_HEADS)
        writer.add_tensor(name, np.ascontiguousarray(stored))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return weights
