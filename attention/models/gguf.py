"""A llama-family GGUF file read into numpy: its shape, its weights dequantized, its tokenizer.

The file is parsed with the ``gguf`` package (pure Python: llama.cpp's own reader and
dequantizer), which takes seconds; so the dequantized tensors are written once to a cache
folder keyed by the file's SHA-256 (:func:`model_cache_dir`), and every later process
memory-maps them. The cache is written whole into a temporary folder and renamed into place:
a reader sees a complete cache or none, and a damaged one is rebuilt.

The tensors are what llama.cpp computes from the quantized blocks (``d * q + m`` in
float32, as ggml does), kept as float32 because that is exactly what they are; the forward
pass (:mod:`attention.models.llama`) multiplies them in float64. Two conventions are undone here:
the rows of a weight matrix are its outputs (``y = x @ w.T``), and the query and key rows,
which llama.cpp's converter interleaves so that rotary embeddings turn adjacent pairs, are
put back in the original order, whose rotary embedding turns the two halves of each head
(:func:`unpermute_rows`). The tokenizer, byte-level BPE, is rebuilt from the vocabulary and
merges in the file's metadata with ``tokenizers``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attention.models.model import ModelError

__all__ = [
    "ARCHITECTURE",
    "CACHE_ENV",
    "LlamaShape",
    "LlamaWeights",
    "load_gguf",
    "model_cache_dir",
    "tensor_names",
    "unpermute_rows",
]

Float32 = NDArray[np.float32]

ARCHITECTURE = "llama"
CACHE_ENV = "ATTENTION_MODEL_CACHE"  # where the dequantized weights go; default below
DEFAULT_CACHE = Path("media/cache/models")  # beside the explainer's media/cache
CACHE_FORMAT = 1  # bump when what the cache holds changes: older caches are rebuilt
CONTROL = 3  # llama.cpp's token type of a special token (<|endoftext|>, <|im_start|>, ...)

# tokenizer.ggml.pre -> how text is cut before BPE (llama.cpp's llama-vocab.cpp regexes):
# "smollm" isolates every digit (\p{N}), then applies GPT-2's regex; "gpt2" only the latter
PRE_TOKENIZERS = ("smollm", "gpt2")


@dataclass(frozen=True)
class LlamaShape:
    """A llama model's shape, from its GGUF metadata.

    Examples
    --------
    >>> LlamaShape(30, 576, 9, 3, 1536, 49152, 8192, 1e5, 1e-5).d_head
    64
    """

    n_layers: int
    d_model: int
    n_heads: int
    n_kv_heads: int  # key/value heads; query head h reads key/value head h // (n_heads // this)
    d_ff: int
    vocab_size: int
    context_length: int
    rope_base: float
    rms_eps: float

    @property
    def d_head(self) -> int:
        """Size of one head's query, key and value vectors."""
        return self.d_model // self.n_heads


@dataclass(frozen=True)
class LlamaWeights:
    """A GGUF's contents: shape, tensors by GGUF name (float32, rows = outputs), tokenizer."""

    shape: LlamaShape
    tensors: Mapping[str, Float32]
    tokenizer_json: str  # a ``tokenizers`` Tokenizer, serialized
    bos_id: int | None  # the token put before every prompt, or None (SmolLM2: none)


def tensor_names(n_layers: int) -> tuple[str, ...]:
    """Every tensor a llama model needs, by GGUF name (the output matrix is the embedding's).

    Examples
    --------
    >>> tensor_names(1)[:3]
    ('token_embd.weight', 'output_norm.weight', 'blk.0.attn_norm.weight')
    """
    per_layer = ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm",
                 "ffn_gate", "ffn_up", "ffn_down")  # fmt: skip
    blocks = (f"blk.{i}.{part}.weight" for i in range(n_layers) for part in per_layer)
    return ("token_embd.weight", "output_norm.weight", *blocks)


def unpermute_rows(w: Float32, n_heads: int) -> Float32:  # [n_heads * d_head, d_in]
    """Undo llama.cpp's interleaving of a query or key matrix's rows, head by head.

    The converter moves row ``i`` of a head's first half to ``2i`` and row ``i`` of its
    second half to ``2i + 1``, so that its rotary embedding can turn adjacent pairs; this
    puts them back, so that the rotary embedding turns dimension ``i`` with ``i + d_head/2``.

    Examples
    --------
    >>> unpermute_rows(np.arange(4, dtype=np.float32).reshape(4, 1), 1)[:, 0].tolist()
    [0.0, 2.0, 1.0, 3.0]
    """
    rows, d_in = w.shape
    half = rows // n_heads // 2
    # [n_heads, half, 2, d_in] -> [n_heads, 2, half, d_in]: pairs back into halves
    return np.ascontiguousarray(
        w.reshape(n_heads, half, 2, d_in).swapaxes(1, 2).reshape(rows, d_in)
    )


def model_cache_dir() -> Path:
    """Where dequantized weights are cached: ``$ATTENTION_MODEL_CACHE`` or media/cache/models.

    Examples
    --------
    >>> model_cache_dir().name in ("models", Path(os.environ.get(CACHE_ENV, "x")).name)
    True
    """
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


# --- reading the file ---------------------------------------------------------------------


def _reader(path: Path) -> Any:
    from gguf import GGUFReader

    try:
        return GGUFReader(path)
    except Exception as error:  # a damaged file fails in numpy, struct or the reader itself
        why = " ".join(str(error).split()) or type(error).__name__
        raise ModelError(
            f"{path} cannot be read as GGUF ({why}); the file is damaged or not a GGUF model: "
            "copy or install it again"
        ) from None


def _field(reader: Any, path: Path, key: str) -> Any:
    field = reader.fields.get(key)
    if field is None:
        raise ModelError(f"{path}: the GGUF metadata has no {key!r}, which a llama model needs")
    return field.contents()


def _shape(reader: Any, path: Path) -> LlamaShape:
    architecture = reader.fields.get("general.architecture")
    found = architecture.contents() if architecture is not None else None
    if found != ARCHITECTURE:
        raise ModelError(
            f"{path} is a GGUF of architecture {found!r}; supported: {ARCHITECTURE!r} "
            "(a llama-family decoder such as SmolLM2)"
        )
    a = ARCHITECTURE

    def number(key: str) -> Any:
        return _field(reader, path, f"{a}.{key}")

    shape = LlamaShape(
        n_layers=int(number("block_count")),
        d_model=int(number("embedding_length")),
        n_heads=int(number("attention.head_count")),
        n_kv_heads=int(number("attention.head_count_kv")),
        d_ff=int(number("feed_forward_length")),
        vocab_size=len(_field(reader, path, "tokenizer.ggml.tokens")),
        context_length=int(number("context_length")),
        rope_base=float(number("rope.freq_base")),
        rms_eps=float(number("attention.layer_norm_rms_epsilon")),
    )
    if shape.n_heads % shape.n_kv_heads or shape.d_model % shape.n_heads:
        raise ModelError(
            f"{path}: {shape.n_heads} query heads cannot share {shape.n_kv_heads} key/value "
            f"heads of a {shape.d_model}-wide model evenly"
        )
    return shape


def _expected_shapes(shape: LlamaShape) -> dict[str, tuple[int, ...]]:
    d, kv = shape.d_model, shape.n_kv_heads * shape.d_head
    per_layer = {"attn_norm": (d,), "attn_q": (d, d), "attn_k": (kv, d), "attn_v": (kv, d),
                 "attn_output": (d, d), "ffn_norm": (d,), "ffn_gate": (shape.d_ff, d),
                 "ffn_up": (shape.d_ff, d), "ffn_down": (d, shape.d_ff)}  # fmt: skip
    out = {"token_embd.weight": (shape.vocab_size, d), "output_norm.weight": (d,)}
    for i in range(shape.n_layers):
        out.update({f"blk.{i}.{part}.weight": size for part, size in per_layer.items()})
    return out


def _dequantized(reader: Any, path: Path, shape: LlamaShape) -> dict[str, Float32]:
    from gguf.quants import dequantize

    stored = {t.name: t for t in reader.tensors}
    expected = _expected_shapes(shape)
    missing = [name for name in expected if name not in stored]
    if missing:
        raise ModelError(
            f"{path} has no tensor {missing[0]!r} ({len(missing)} missing), which a llama model "
            f"of {shape.n_layers} layers needs"
        )
    out: dict[str, Float32] = {}
    for name, size in expected.items():
        tensor = stored[name]
        try:
            w = np.asarray(dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
        except NotImplementedError:
            raise ModelError(
                f"{path}: tensor {name!r} is quantized as {tensor.tensor_type.name}, which the "
                "gguf package cannot dequantize"
            ) from None
        if w.shape != size:
            raise ModelError(
                f"{path}: tensor {name!r} is {w.shape}, not {size} as the metadata says"
            )
        if ".attn_q." in name or ".attn_k." in name:
            w = unpermute_rows(w, shape.n_heads if ".attn_q." in name else shape.n_kv_heads)
        out[name] = w
    return out


def _tokenizer_json(reader: Any, path: Path) -> tuple[str, int | None]:
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    kind = _field(reader, path, "tokenizer.ggml.model")
    pre = reader.fields.get("tokenizer.ggml.pre")
    pre_kind = pre.contents() if pre is not None else "gpt2"
    if kind != "gpt2" or pre_kind not in PRE_TOKENIZERS:
        raise ModelError(
            f"{path}: tokenizer {kind!r} with pre-tokenizer {pre_kind!r} is not supported; "
            f"supported: byte-level BPE ('gpt2') with pre-tokenizer {' or '.join(PRE_TOKENIZERS)}"
        )
    tokens = list(_field(reader, path, "tokenizer.ggml.tokens"))
    merges = [tuple(m.split(" ", 1)) for m in _field(reader, path, "tokenizer.ggml.merges")]
    types = reader.fields.get("tokenizer.ggml.token_type")
    kinds = list(types.contents()) if types is not None else [1] * len(tokens)
    bpe = models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges)
    tokenizer = Tokenizer(bpe)
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.pre_tokenizer = (
        pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
        if pre_kind == "smollm"
        else byte_level
    )
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(
        [AddedToken(t, special=True, normalized=False)
         for t, k in zip(tokens, kinds, strict=True) if k == CONTROL]
    )  # fmt: skip
    add_bos = reader.fields.get("tokenizer.ggml.add_bos_token")
    bos = reader.fields.get("tokenizer.ggml.bos_token_id")
    bos_id = int(bos.contents()) if add_bos is not None and add_bos.contents() and bos else None
    return tokenizer.to_str(), bos_id


# --- the cache ----------------------------------------------------------------------------

_WEIGHTS, _INDEX, _TOKENIZER = "weights.npy", "index.json", "tokenizer.json"


def _write_cache(folder: Path, weights: LlamaWeights, sha256: str) -> None:
    """Write ``weights`` into ``folder`` (a new, private folder): one float32 array and its
    index, written last."""
    total = sum(int(w.size) for w in weights.tensors.values())
    flat = np.lib.format.open_memmap(folder / _WEIGHTS, mode="w+", dtype=np.float32, shape=(total,))
    index: dict[str, Any] = {}
    offset = 0
    for name, w in weights.tensors.items():
        flat[offset : offset + w.size] = w.ravel()
        index[name] = [offset, list(w.shape)]
        offset += int(w.size)
    flat.flush()
    del flat
    (folder / _TOKENIZER).write_text(weights.tokenizer_json, encoding="utf-8")
    meta = {"format": CACHE_FORMAT, "sha256": sha256, "shape": asdict(weights.shape),
            "bos_id": weights.bos_id, "total": total, "tensors": index}  # fmt: skip
    (folder / _INDEX).write_text(json.dumps(meta), encoding="utf-8")


def _read_cache(folder: Path, sha256: str) -> LlamaWeights | None:
    """The cached weights in ``folder``, memory-mapped; None if absent, stale or damaged."""
    try:
        meta = json.loads((folder / _INDEX).read_text(encoding="utf-8"))
        if meta["format"] != CACHE_FORMAT or meta["sha256"] != sha256:
            return None
        flat = np.load(folder / _WEIGHTS, mmap_mode="r")
        if flat.dtype != np.float32 or flat.shape != (int(meta["total"]),):
            return None
        tensors = {
            name: flat[offset : offset + int(np.prod(size))].reshape(size)
            for name, (offset, size) in meta["tensors"].items()
        }
        return LlamaWeights(
            LlamaShape(**meta["shape"]),
            tensors,
            (folder / _TOKENIZER).read_text(encoding="utf-8"),
            meta["bos_id"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _parse(path: Path) -> LlamaWeights:
    reader = _reader(path)
    shape = _shape(reader, path)
    tokenizer, bos_id = _tokenizer_json(reader, path)
    return LlamaWeights(shape, _dequantized(reader, path, shape), tokenizer, bos_id)


def load_gguf(path: Path, sha256: str, cache_dir: Path | None = None) -> LlamaWeights:
    """The weights of the GGUF at ``path`` (whose SHA-256 is ``sha256``), from the cache in
    ``cache_dir`` (default :func:`model_cache_dir`) or parsed and cached.

    A cache that cannot be written (a read-only folder) is not an error: the weights are then
    kept in memory for this process only. Raises :class:`ModelError` (one line) for a file
    that is not a llama GGUF this module can read.
    """
    root = cache_dir if cache_dir is not None else model_cache_dir()
    folder = root / f"gguf-{sha256}"
    cached = _read_cache(folder, sha256)
    if cached is not None:
        return cached
    weights = _parse(path)
    temporary = root / f".gguf-{sha256}.{os.getpid()}.tmp"
    try:
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        _write_cache(temporary, weights, sha256)
        if folder.exists():  # a damaged or stale cache: moved aside, then removed
            stale = root / f".gguf-{sha256}.{os.getpid()}.stale"
            folder.rename(stale)
            shutil.rmtree(stale, ignore_errors=True)
        temporary.rename(folder)
    except OSError:
        pass  # another process won the rename, or the folder is read-only
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return _read_cache(folder, sha256) or weights
