"""A llama-family decoder in numpy: SmolLM2-135M and its kin, read from a GGUF file.

The forward pass, picoGPT style, in float64: the token's embedding row; then per layer
RMSNorm, the query, key and value projections, rotary position embedding on queries and keys,
grouped-query attention (several query heads share one key/value head) under the causal mask,
the output projection added back, RMSNorm again and a SwiGLU feed-forward added back; a last
RMSNorm, and the embedding matrix again (tied) turns the last position into one score per
token of the vocabulary: the next token's logits. Every attention weight comes from
:func:`attention.core.scaled_dot_product_attention` with :func:`attention.core.causal_mask`.
Checked against PyTorch + transformers in ``tests/test_llama.py`` (the fixture and the script
that made it are in ``tests/reference/``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attention.core import (
    AttentionParams,
    AttentionRecord,
    attention_scores,
    causal_mask,
    merge_heads,
    scaled_dot_product_attention,
    split_heads,
)
from attention.digests import cached_file_sha256
from attention.models.gguf import LlamaShape, LlamaWeights, load_gguf
from attention.models.model import (
    ForwardRecord,
    ModelConfig,
    ModelError,
    TokenizedSentence,
    frozen,
    frozen_layer,
)
from attention.models.pretrained import _word_at
from attention.tokens import token_spans

__all__ = [
    "MAX_PROMPT_TOKENS",
    "LlamaModel",
    "rms_norm",
    "rotary",
    "rotary_tables",
    "rotate_half",
    "silu",
]

Array = NDArray[np.float64]

MAX_PROMPT_TOKENS = 64  # a prompt and the tokens generated after it: every head's n x n grid
LOGIT_ROWS = 8192  # the vocabulary is scored in blocks of this many rows (memory, not speed)


def rms_norm(x: Array, gain: NDArray[np.floating], eps: float) -> Array:  # [n, d] -> [n, d]
    """Divide each row by its root mean square, then scale each column by ``gain``.

    Examples
    --------
    >>> rms_norm(np.array([[3.0, 4.0]]), np.ones(2), 0.0).round(6).tolist()
    [[0.848528, 1.131371]]
    """
    scale = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)  # [n, 1]
    return np.asarray(x / scale * np.asarray(gain, dtype=np.float64))


def rotary_tables(n: int, d_head: int, base: float) -> tuple[Array, Array]:  # -> 2 x [n, d_head]
    """Cosines and sines of the rotary embedding: position ``p`` turns dimensions ``i`` and
    ``i + d_head/2`` together by the angle ``p / base^(2i/d_head)``.

    Examples
    --------
    >>> cos, sin = rotary_tables(2, 2, 10000.0)
    >>> cos.round(4).tolist(), sin.round(4).tolist()
    ([[1.0, 1.0], [0.5403, 0.5403]], [[0.0, 0.0], [0.8415, 0.8415]])
    """
    inv_freq = 1.0 / base ** (np.arange(0, d_head, 2, dtype=np.float64) / d_head)  # [d_head/2]
    angles = np.arange(n, dtype=np.float64)[:, None] * inv_freq[None, :]  # [n, d_head/2]
    angles = np.concatenate([angles, angles], axis=-1)  # [n, d_head]
    return np.cos(angles), np.sin(angles)


def rotate_half(x: Array) -> Array:  # [..., d] -> [..., d]
    """``(x1, x2) -> (-x2, x1)`` on the two halves of the last axis: a quarter turn of
    each pair ``(i, i + d/2)``.

    Examples
    --------
    >>> rotate_half(np.array([1.0, 2.0, 3.0, 4.0])).tolist()
    [-3.0, -4.0, 1.0, 2.0]
    """
    x1, x2 = np.split(x, 2, axis=-1)
    return np.concatenate([-x2, x1], axis=-1)


def rotary(x: Array, cos: Array, sin: Array) -> Array:  # [heads, n, d_head] -> same
    """Turn each position's vector by its angles (rotary position embedding).

    Examples
    --------
    >>> cos, sin = rotary_tables(2, 2, 10000.0)
    >>> rotary(np.array([[[1.0, 0.0], [1.0, 0.0]]]), cos, sin).round(4).tolist()
    [[[1.0, 0.0], [0.5403, 0.8415]]]
    """
    return x * cos + rotate_half(x) * sin


def silu(x: Array) -> Array:
    """``x * sigmoid(x)``, the gate of SwiGLU (the sigmoid as ``(1 + tanh(x/2)) / 2``,
    which cannot overflow).

    Examples
    --------
    >>> silu(np.array([0.0, 1.0])).round(6).tolist()
    [0.0, 0.731059]
    """
    return np.asarray(x * (0.5 + 0.5 * np.tanh(0.5 * x)), dtype=np.float64)


def _f64(w: NDArray[np.floating]) -> Array:
    return np.asarray(w, dtype=np.float64)


def layer_attention(
    tensors: Mapping[str, NDArray[np.floating]], layer: int, n_heads: int
) -> AttentionParams:
    """Layer ``layer``'s projections in float64, rows = inputs (kept: records share them).

    ``w_k`` and ``w_v`` have ``n_kv_heads`` blocks of columns, not ``n_heads``.
    """
    p = f"blk.{layer}."
    return AttentionParams(
        w_q=frozen(tensors[p + "attn_q.weight"].T),  # [d_model, n_heads * d_head]
        w_k=frozen(tensors[p + "attn_k.weight"].T),  # [d_model, n_kv_heads * d_head]
        w_v=frozen(tensors[p + "attn_v.weight"].T),
        w_o=frozen(tensors[p + "attn_output.weight"].T),  # [n_heads * d_head, d_model]
        n_heads=n_heads,
    )


def feed_forward(x: Array, tensors: Mapping[str, NDArray[np.floating]], layer: int) -> Array:
    """SwiGLU of layer ``layer``: ``down(silu(gate(x)) * up(x))``, ``[n, d_model]`` -> same."""
    t, p = tensors, f"blk.{layer}."
    gate = x @ _f64(t[p + "ffn_gate.weight"]).T  # [n, d_ff]
    up = x @ _f64(t[p + "ffn_up.weight"]).T  # [n, d_ff]
    return np.asarray((silu(gate) * up) @ _f64(t[p + "ffn_down.weight"]).T)


class LlamaModel:
    """A llama-family GGUF, e.g. SmolLM2-135M-Instruct (``--model smollm2``).

    Parameters
    ----------
    path
        The ``.gguf`` file.
    name
        The name the user gave (default: the path).
    sha256
        If given, the file must have this SHA-256 (a pinned download).
    cache_dir
        Where its dequantized weights are cached (default:
        :func:`attention.models.gguf.model_cache_dir`).

    Examples
    --------
    >>> from attention.models.registry import load_model
    >>> model = load_model("smollm2")                                    # doctest: +SKIP
    >>> record = model.forward(model.tokenize("The capital of France is"))  # doctest: +SKIP
    >>> model.piece(int(record.next_logits.argmax()))                  # doctest: +SKIP
    ' Paris'
    """

    def __init__(
        self,
        path: Path,
        name: str = "",
        sha256: str | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = name or str(path)
        if not self.path.is_file():
            raise ModelError(f"model file {self.path} does not exist; give a llama-family .gguf")
        self.sha256 = cached_file_sha256(self.path)
        if sha256 is not None and self.sha256 != sha256:
            raise ModelError(
                f"{self.path} is not the file this model was checked with (SHA-256 "
                f"{sha256[:12]}..., this file's {self.sha256[:12]}...); reinstall it (make setup)"
            )
        weights: LlamaWeights = load_gguf(self.path, self.sha256, cache_dir)
        self.shape: LlamaShape = weights.shape
        self.tensors = weights.tensors
        self.bos_id = weights.bos_id
        from tokenizers import Tokenizer

        self.tokenizer: Any = Tokenizer.from_str(weights.tokenizer_json)
        self.attention = tuple(
            layer_attention(self.tensors, i, self.shape.n_heads) for i in range(self.shape.n_layers)
        )
        s = self.shape
        self.config = ModelConfig(
            kind="decoder", n_layers=s.n_layers, n_heads=s.n_heads, d_model=s.d_model,
            d_head=s.d_head, causal=True, n_kv_heads=s.n_kv_heads,
            description=f"llama: {s.n_layers} layers of {s.n_heads} query heads sharing "
            f"{s.n_kv_heads} key/value heads, d_model {s.d_model}, vocabulary {s.vocab_size}",
        )  # fmt: skip

    @property
    def identity(self) -> str:
        """The GGUF file's SHA-256: clips and ledgers are cached under it."""
        return "gguf:" + self.sha256[:24]

    # --- tokens -------------------------------------------------------------------------

    def piece(self, token_id: int) -> str:
        """The text of one token (a byte-level piece that ends inside a character shows �).

        Examples
        --------
        >>> from attention.models.registry import load_model
        >>> load_model("smollm2").piece(7042)                          # doctest: +SKIP
        ' Paris'
        """
        return str(self.tokenizer.decode([token_id], skip_special_tokens=False))

    def tokenize(self, sentence: str) -> TokenizedSentence:
        """The prompt's tokens as the model reads them (no BOS token unless the file asks).

        Raises :class:`ModelError` (one line) for an empty prompt, one with no word, or one
        over :data:`MAX_PROMPT_TOKENS` tokens.
        """
        text = unicodedata.normalize("NFC", sentence)
        if not text.strip():
            raise ModelError(
                "the prompt is empty; give the words the model should continue, e.g. "
                "--sentence 'The capital of France is'"
            )
        ids = list(self.tokenizer.encode(text, add_special_tokens=False).ids)
        if self.bos_id is not None:
            ids.insert(0, self.bos_id)
        if len(ids) > MAX_PROMPT_TOKENS:
            raise ModelError(
                f"the prompt is {len(ids)} tokens for this model, over the {MAX_PROMPT_TOKENS} "
                "this explainer supports (every head's grid is tokens x tokens); shorten it"
            )
        tokens = self.from_ids(ids)
        if not tokens.words:
            raise ModelError(
                f"prompt {sentence!r} has no word (only punctuation or spaces); give at least "
                "one word for the model to continue"
            )
        return tokens

    def from_ids(self, ids: Sequence[int]) -> TokenizedSentence:
        """The sentence token ids ``ids`` spell: its text, tokens and words (for a prompt
        extended by generated tokens, or a sequence of chosen tokens).

        Examples
        --------
        >>> from attention.models.registry import load_model
        >>> load_model("smollm2").from_ids([504, 2495]).tokens          # doctest: +SKIP
        ('The', ' cat')
        """
        ids = [int(i) for i in ids]
        if not 1 <= len(ids) <= MAX_PROMPT_TOKENS or not all(
            0 <= i < self.shape.vocab_size for i in ids
        ):
            raise ModelError(
                f"token ids must be 1 to {MAX_PROMPT_TOKENS} ids below {self.shape.vocab_size}"
            )
        # each token's characters: where the text of the ids before it ends, and it ends
        ends = [len(self.tokenizer.decode(ids[: k + 1], skip_special_tokens=False))
                for k in range(len(ids))]  # fmt: skip
        starts = [0, *ends[:-1]]
        text = str(self.tokenizer.decode(ids, skip_special_tokens=False))
        spans = token_spans(text)
        words = tuple(text[a:b] for a, b in spans)
        word_of = tuple(_word_at(a, b, spans) for a, b in zip(starts, ends, strict=True))
        tokens = tuple(self.piece(i) for i in ids)
        return TokenizedSentence(text, tokens, words, word_of, tuple(ids))

    # --- the forward pass ---------------------------------------------------------------

    def _attend(
        self, reads: Array, layer: int, cos: Array, sin: Array, mask: NDArray[np.bool_]
    ) -> AttentionRecord:
        """One layer's grouped-query attention on what it reads (already normalised)."""
        s, params = self.shape, self.attention[layer]
        group = s.n_heads // s.n_kv_heads
        q = rotary(split_heads(reads @ params.w_q, s.n_heads), cos, sin)  # [n_heads, n, d_head]
        k = rotary(split_heads(reads @ params.w_k, s.n_kv_heads), cos, sin)  # [n_kv, n, d_head]
        v = split_heads(reads @ params.w_v, s.n_kv_heads)  # [n_kv, n, d_head]
        k, v = np.repeat(k, group, axis=0), np.repeat(v, group, axis=0)  # [n_heads, n, d_head]
        heads, weights = scaled_dot_product_attention(q, k, v, mask)  # each query head alone
        scores = attention_scores(q, k)  # [n_heads, n, n]
        concat = merge_heads(heads)  # [n, n_heads * d_head]
        output = concat @ params.w_o  # [n, d_model]
        return AttentionRecord(q, k, v, scores, scores / np.sqrt(s.d_head), weights, heads,
                               concat, output)  # fmt: skip

    def logits(self, last: Array) -> Array:  # [d_model] -> [vocab_size]
        """One score per vocabulary token: ``embedding @ last`` (the output matrix is the
        embedding matrix, tied), a block of rows at a time."""
        table = self.tensors["token_embd.weight"]  # [vocab_size, d_model], float32
        return np.concatenate([
            _f64(table[start : start + LOGIT_ROWS]) @ last
            for start in range(0, self.shape.vocab_size, LOGIT_ROWS)
        ])  # fmt: skip

    def forward(self, tokens: TokenizedSentence) -> ForwardRecord:
        """Every layer's every query head, and the next token's logits."""
        s, t = self.shape, self.tensors
        ids = list(tokens.ids)
        n = len(ids)
        x = _f64(t["token_embd.weight"][ids])  # [n, d_model]
        first = x
        cos, sin = rotary_tables(n, s.d_head, s.rope_base)  # [n, d_head] each
        mask = causal_mask(n)  # [n, n]
        layers, reads_of = [], []
        for layer in range(s.n_layers):
            p = f"blk.{layer}."
            reads = rms_norm(x, t[p + "attn_norm.weight"], s.rms_eps)
            record = self._attend(reads, layer, cos, sin, mask)
            x = x + record.output
            x = x + feed_forward(rms_norm(x, t[p + "ffn_norm.weight"], s.rms_eps), t, layer)
            layers.append(record)
            reads_of.append(reads)
        last = rms_norm(x, t["output_norm.weight"], s.rms_eps)  # [n, d_model]
        sources = tuple(
            f"{'word ' + repr(tokens.words[w]) if w is not None else 'no word'}: token "
            f"{piece!r}, id {i}, row {i} of the embedding"
            for piece, i, w in zip(tokens.tokens, ids, tokens.word_of, strict=True)
        )
        return ForwardRecord(
            tokens,
            frozen(first),
            tuple(frozen_layer(r) for r in layers),
            self.attention,
            frozen(np.stack([*reads_of, last])),  # [n_layers + 1, n, d_model]
            sources,
            causal=True,
            next_logits=frozen(self.logits(last[-1])),
        )
