"""Pretrained transformers read from a local Hugging Face folder, run by our own attention.

A folder as ``save_pretrained`` writes it: ``config.json``, ``model.safetensors`` and
``tokenizer.json``. The weights are read with safetensors' numpy API and the tokenizer with
``tokenizers`` (no torch); every layer's attention is :func:`attention.core.multi_head_attention`
in float64, so the trained model's numbers come from the same function as the designed one's.
Two families (:data:`ARCHITECTURES`): BERT (post-LayerNorm, every token sees every token) and
GPT-2 (pre-LayerNorm, causal). Checked against PyTorch + transformers in
``tests/test_pretrained.py`` (the fixture and the script that made it are in
``tests/reference/``).
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attention.core import AttentionParams, AttentionRecord, causal_mask, multi_head_attention
from attention.digests import cached_file_sha256
from attention.models.model import (
    ForwardRecord,
    ModelConfig,
    ModelError,
    TokenizedSentence,
    frozen,
    frozen_layer,
)
from attention.tokens import MAX_TOKENS, MIN_TOKENS, token_spans

__all__ = ["ACTIVATIONS", "ARCHITECTURES", "FILES", "PretrainedModel", "gelu", "layer_norm"]

Array = NDArray[np.float64]
FILES = ("config.json", "model.safetensors", "tokenizer.json")

_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x: Array) -> Array:
    """The exact GELU, ``x Φ(x)`` with the error function (BERT's ``"gelu"``).

    Examples
    --------
    >>> gelu(np.array([0.0, 1.0])).round(6).tolist()
    [0.0, 0.841345]
    """
    erf = np.asarray(_erf(x / math.sqrt(2.0)), dtype=np.float64)
    return np.asarray(0.5 * x * (1.0 + erf))


def gelu_tanh(x: Array) -> Array:
    """GELU's tanh approximation (GPT-2's ``"gelu_new"``).

    Examples
    --------
    >>> round(float(gelu_tanh(np.array([1.0]))[0]), 6)
    0.841192
    """
    inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)
    return np.asarray(0.5 * x * (1.0 + np.tanh(inner)))


# the activation a config names (hidden_act / activation_function) -> the function
ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "gelu": gelu,
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "relu": lambda x: np.maximum(x, 0.0),
}


def layer_norm(x: Array, gain: Array, bias: Array, eps: float) -> Array:  # [n, d] -> [n, d]
    """Normalise each row to mean 0 and variance 1 (biased variance), then scale and shift.

    Examples
    --------
    >>> layer_norm(np.array([[1.0, 3.0]]), np.ones(2), np.zeros(2), 1e-12).round(6).tolist()
    [[-1.0, 1.0]]
    """
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + eps) * gain + bias)


Weights = Mapping[str, NDArray[np.floating]]


class _Tensors:
    """The folder's tensors by name, as float64, a missing one a one-line ModelError."""

    def __init__(self, tensors: Weights, where: Path, family: str, prefixes: tuple[str, ...]):
        self.tensors, self.where, self.family = tensors, where, family
        # "bert.encoder..." (a task head's checkpoint) or "transformer.h..." read the same
        self.prefix = next((p for p in prefixes if any(k.startswith(p) for k in tensors)), "")

    def __call__(self, name: str) -> Array:
        try:
            return np.asarray(self.tensors[self.prefix + name], dtype=np.float64)
        except KeyError:
            raise ModelError(
                f"{self.where}: model.safetensors has no tensor {self.prefix + name!r}, which a "
                f"{self.family} model needs; is it a {self.family} checkpoint?"
            ) from None


@dataclass(frozen=True)
class Architecture:
    """One family of folders: its config's names for the shape, and its forward pass."""

    family: str
    layers: str
    heads: str
    width: str
    activation: str
    eps: str
    causal: bool
    prefixes: tuple[str, ...]
    run: Callable[[_Tensors, Mapping[str, Any], list[int]], tuple[Array, list[Layer], Array]]


@dataclass(frozen=True)
class Layer:
    """One layer's attention as run: what it read, its projections, its record."""

    reads: Array  # (n, d_model)
    params: AttentionParams
    record: AttentionRecord


def _bert(
    w: _Tensors, config: Mapping[str, Any], ids: list[int]
) -> tuple[Array, list[Layer], Array]:
    """BERT: embeddings + LayerNorm, then post-LN layers (attention, then feed-forward)."""
    eps, act = float(config["layer_norm_eps"]), ACTIVATIONS[config["hidden_act"]]
    n = len(ids)
    e = "embeddings."
    x = w(e + "word_embeddings.weight")[ids] + w(e + "position_embeddings.weight")[:n]
    x = layer_norm(x + w(e + "token_type_embeddings.weight")[0], *_ln(w, e + "LayerNorm"), eps)
    first, layers = x, []
    for index in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{index}."
        a = p + "attention."  # Linear layers store (out, in): q = x W^T + b
        params = AttentionParams(
            w(a + "self.query.weight").T, w(a + "self.key.weight").T,
            w(a + "self.value.weight").T, w(a + "output.dense.weight").T,
            n_heads=int(config["num_attention_heads"]),
            b_q=w(a + "self.query.bias"), b_k=w(a + "self.key.bias"),
            b_v=w(a + "self.value.bias"), b_o=w(a + "output.dense.bias"),
        )  # fmt: skip
        record = multi_head_attention(x, params)
        layers.append(Layer(x, params, record))
        x = layer_norm(x + record.output, *_ln(w, p + "attention.output.LayerNorm"), eps)
        inner = act(x @ w(p + "intermediate.dense.weight").T + w(p + "intermediate.dense.bias"))
        out = inner @ w(p + "output.dense.weight").T + w(p + "output.dense.bias")
        x = layer_norm(x + out, *_ln(w, p + "output.LayerNorm"), eps)
    return first, layers, x


def _gpt2(
    w: _Tensors, config: Mapping[str, Any], ids: list[int]
) -> tuple[Array, list[Layer], Array]:
    """GPT-2: token + position embeddings, pre-LN blocks under a causal mask, a final LN."""
    eps = float(config["layer_norm_epsilon"])
    act = ACTIVATIONS[config.get("activation_function", "gelu_new")]
    n, d = len(ids), int(config["n_embd"])
    x = w("wte.weight")[ids] + w("wpe.weight")[:n]
    first, layers, mask = x, [], causal_mask(n)
    for index in range(int(config["n_layer"])):
        p = f"h.{index}."
        c_attn, b_attn = w(p + "attn.c_attn.weight"), w(p + "attn.c_attn.bias")  # (d, 3d): q|k|v
        params = AttentionParams(
            c_attn[:, :d], c_attn[:, d : 2 * d], c_attn[:, 2 * d :], w(p + "attn.c_proj.weight"),
            n_heads=int(config["n_head"]),
            b_q=b_attn[:d], b_k=b_attn[d : 2 * d], b_v=b_attn[2 * d :],
            b_o=w(p + "attn.c_proj.bias"),
        )  # fmt: skip
        reads = layer_norm(x, *_ln(w, p + "ln_1"), eps)
        record = multi_head_attention(reads, params, mask)
        layers.append(Layer(reads, params, record))
        x = x + record.output
        fed = layer_norm(x, *_ln(w, p + "ln_2"), eps)
        inner = act(fed @ w(p + "mlp.c_fc.weight") + w(p + "mlp.c_fc.bias"))
        x = x + inner @ w(p + "mlp.c_proj.weight") + w(p + "mlp.c_proj.bias")
    return first, layers, layer_norm(x, *_ln(w, "ln_f"), eps)


def _ln(w: _Tensors, name: str) -> tuple[Array, Array]:
    """A LayerNorm's gain and bias (BERT calls them weight/bias, as GPT-2 does)."""
    return w(f"{name}.weight"), w(f"{name}.bias")


# config.json's model_type -> how to read and run it
ARCHITECTURES: dict[str, Architecture] = {
    "bert": Architecture(
        "BERT", "num_hidden_layers", "num_attention_heads", "hidden_size", "hidden_act",
        "layer_norm_eps", causal=False, prefixes=("bert.",), run=_bert,
    ),
    "gpt2": Architecture(
        "GPT-2", "n_layer", "n_head", "n_embd", "activation_function", "layer_norm_epsilon",
        causal=True, prefixes=("transformer.",), run=_gpt2,
    ),
}  # fmt: skip


def _check_pinned(folder: Path, pinned: Mapping[str, str]) -> None:
    """ModelError naming the first file of ``pinned`` with other bytes (a missing one is
    reported by :func:`_config`, with what a model folder holds)."""
    for name, sha256 in pinned.items():
        path = folder / name
        if path.is_file() and cached_file_sha256(path) != sha256:
            raise ModelError(
                f"{path} is not the file this model was checked with (SHA-256 "
                f"{sha256[:12]}...); reinstall it (make setup)"
            )


def _config(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise ModelError(
            f"model folder {folder} does not exist; give --model hand, minilm, or a folder "
            "with config.json, model.safetensors and tokenizer.json"
        )
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"model folder {folder} has no {' or '.join(missing)}; a model folder holds "
            f"{', '.join(FILES)} (what save_pretrained writes, with safetensors weights)"
        )
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{folder}/config.json cannot be read as JSON ({error})") from None
    kind = config.get("model_type") if isinstance(config, dict) else None
    if kind not in ARCHITECTURES:
        raise ModelError(
            f"{folder}: model_type {kind!r} is not supported; supported architectures: "
            f"{', '.join(ARCHITECTURES)} (BERT-family encoders and GPT-2-family decoders)"
        )
    return dict(config)


class PretrainedModel:
    """A BERT- or GPT-2-family model from a local folder (``--model <folder>``).

    Parameters
    ----------
    folder
        The model folder.
    name
        The name the user gave (default: the folder).
    pinned
        If given, file name -> SHA-256 that each of those files must have (a pinned
        download); checked before any of them is read.

    Examples
    --------
    >>> from attention.models.registry import load_model
    >>> model = load_model("minilm")                                    # doctest: +SKIP
    >>> model.forward(model.tokenize("The cat sat")).stacked("weights").shape  # doctest: +SKIP
    (6, 12, 5, 5)
    """

    def __init__(
        self, folder: Path, name: str = "", pinned: Mapping[str, str] | None = None
    ) -> None:
        self.folder = Path(folder)
        self.name = name or str(folder)
        _check_pinned(self.folder, pinned or {})
        self.raw_config = _config(self.folder)
        self.architecture = ARCHITECTURES[self.raw_config["model_type"]]
        self.tensors = _Tensors(
            self._weights(), self.folder, self.architecture.family, self.architecture.prefixes
        )
        self.tokenizer = self._tokenizer()
        arch, raw = self.architecture, self.raw_config
        heads, width = int(raw[arch.heads]), int(raw[arch.width])
        if raw.get(arch.activation, "gelu_new") not in ACTIVATIONS:
            raise ModelError(
                f"{self.folder}: activation {raw.get(arch.activation)!r} is not supported; "
                f"supported: {', '.join(ACTIVATIONS)}"
            )
        self.config = ModelConfig(
            kind="trained", n_layers=int(raw[arch.layers]), n_heads=heads, d_model=width,
            d_head=width // heads, causal=arch.causal,
            description=f"{arch.family}: {raw[arch.layers]} layers of {heads} heads, "
            f"d_model {width}",
        )  # fmt: skip

    def _weights(self) -> Weights:
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        try:
            return load_file(str(self.folder / "model.safetensors"))
        except (SafetensorError, OSError, ValueError) as error:
            raise ModelError(
                f"{self.folder}/model.safetensors cannot be read ({' '.join(str(error).split())});"
                " the file is damaged or not safetensors: copy or download it again"
            ) from None

    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        except Exception as error:  # tokenizers raises its own Exception subclass
            raise ModelError(
                f"{self.folder}/tokenizer.json cannot be read ({' '.join(str(error).split())})"
            ) from None
        tokenizer.no_padding()  # MiniLM's tokenizer.json pads every input to 128 tokens
        tokenizer.no_truncation()
        return tokenizer

    @property
    def identity(self) -> str:
        """The SHA-256 of its three files: clips and ledgers are cached under it."""
        sums = [cached_file_sha256(self.folder / name) for name in FILES]
        return "pretrained:" + hashlib.sha256("".join(sums).encode()).hexdigest()[:24]

    def tokenize(self, sentence: str) -> TokenizedSentence:
        """The model's own tokens ([CLS], pieces, [SEP]) and the words they came from.

        Words are the sentence's words as a reader sees them (:func:`attention.tokens.
        token_spans`); a token belongs to the word its characters overlap most, and a token
        the model adds, or a punctuation mark, to none.
        """
        text = unicodedata.normalize("NFC", sentence)
        spans = token_spans(text)
        words = tuple(text[a:b] for a, b in spans)
        self._check_words(sentence, words)
        encoding = self.tokenizer.encode(text)
        word_of = tuple(_word_at(start, end, spans) for start, end in encoding.offsets)
        limit = int(self.raw_config.get("max_position_embeddings", self.raw_config.get(
            "n_positions", 1 << 30)))  # fmt: skip
        if len(encoding.ids) > limit:
            raise ModelError(
                f"sentence is {len(encoding.ids)} tokens for this model, over its limit of "
                f"{limit}; shorten it"
            )
        added = tuple(bool(flag) for flag in encoding.special_tokens_mask)  # [CLS], [SEP]
        return TokenizedSentence(text, tuple(encoding.tokens), words, word_of,
                                 tuple(encoding.ids), added)  # fmt: skip

    def _check_words(self, sentence: str, words: tuple[str, ...]) -> None:
        if not MIN_TOKENS <= len(words) <= MAX_TOKENS:
            raise ModelError(
                f"sentence {sentence!r} has {len(words)} words; give {MIN_TOKENS} to "
                f"{MAX_TOKENS} words (more do not fit on screen)"
            )

    def forward(self, tokens: TokenizedSentence) -> ForwardRecord:
        """Every layer, every head, computed with :func:`attention.core.multi_head_attention`."""
        ids = list(tokens.ids)
        first, layers, last = self.architecture.run(self.tensors, self.raw_config, ids)
        hidden = np.stack([*(layer.reads for layer in layers), last])  # (n_layers + 1, n, d)
        sources = tuple(
            f"{'special' if w is None else 'word ' + repr(tokens.words[w])} token {t!r}, id {i}"
            for t, i, w in zip(tokens.tokens, ids, tokens.word_of, strict=True)
        )
        return ForwardRecord(
            tokens,
            frozen(first),
            tuple(frozen_layer(layer.record) for layer in layers),
            tuple(layer.params for layer in layers),
            frozen(hidden),
            sources,
            self.architecture.causal,
        )


def _word_at(start: int, end: int, spans: tuple[tuple[int, int], ...]) -> int | None:
    """The word whose span overlaps the characters ``start:end`` most (None: no overlap)."""
    overlaps = [max(0, min(end, b) - max(start, a)) for a, b in spans]
    best = max(range(len(spans)), key=lambda i: overlaps[i], default=None)
    return best if best is not None and overlaps[best] > 0 else None
