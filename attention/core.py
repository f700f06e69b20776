"""Scaled dot-product and multi-head attention in numpy, one small function per formula.

:func:`multi_head_attention` is the project's one forward pass through an attention layer:
the designed model, the lessons and the trained models all call it, and it keeps every
intermediate (:class:`AttentionRecord`) so the video can show each step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AttentionParams",
    "AttentionRecord",
    "softmax",
    "attention_scores",
    "scaled_dot_product_attention",
    "causal_mask",
    "split_heads",
    "merge_heads",
    "multi_head_attention",
    "positional_encoding",
]

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def softmax(x: NDArray[np.floating], axis: int = -1, temperature: float = 1.0) -> Array:
    """Exponentiate and normalise along ``axis``; stable for scores of any size.

    Examples
    --------
    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    z = np.asarray(x, dtype=np.float64) / temperature
    # Subtracting the row maximum keeps exp() <= 1, so 1e4 scores cannot overflow;
    # a -inf maximum (fully masked row) is replaced by 0 so inf - inf never appears.
    z_max = np.max(z, axis=axis, keepdims=True)
    z_max = np.where(np.isfinite(z_max), z_max, 0.0)
    e = np.exp(z - z_max)
    return np.asarray(e / np.sum(e, axis=axis, keepdims=True), dtype=np.float64)


def causal_mask(n: int) -> BoolArray:  # -> [n, n]
    """True where query ``i`` may look at key ``j``: itself and earlier tokens (``j <= i``).

    Examples
    --------
    >>> causal_mask(2).tolist()
    [[True, False], [True, True]]
    """
    return np.tril(np.ones((n, n), dtype=np.bool_))


def positional_encoding(n: int, d: int) -> Array:  # -> [n, d]
    """Sinusoidal positions (Vaswani et al. 2017): ``PE[pos, 2i] = sin(pos / 10000^(2i/d))``,
    ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``.

    Added to the embeddings, they give each position its own signature, so attention can
    tell "the cat sat on the mat" from "the mat sat on the cat".

    Examples
    --------
    >>> positional_encoding(2, 2).round(4).tolist()
    [[0.0, 1.0], [0.8415, 0.5403]]
    """
    pos = np.arange(n, dtype=np.float64)[:, None]  # [n, 1]
    col = np.arange(d)[None, :]  # [1, d]
    angle = pos / 10000.0 ** ((col - col % 2) / d)  # [n, d]; columns 2i and 2i+1 share one
    return np.asarray(np.where(col % 2 == 0, np.sin(angle), np.cos(angle)), dtype=np.float64)


def attention_scores(
    q: NDArray[np.floating],  # [..., n_q, d_k]
    k: NDArray[np.floating],  # [..., n_k, d_k]
) -> Array:  # -> [..., n_q, n_k]
    """Every query dotted with every key, ``q @ k.T``, before scaling.

    Examples
    --------
    >>> attention_scores(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0], [1.0, 0.0]])).tolist()
    [[11.0, 1.0]]
    """
    return np.asarray(q, dtype=np.float64) @ np.swapaxes(np.asarray(k, dtype=np.float64), -1, -2)


def scaled_dot_product_attention(
    q: NDArray[np.floating],  # [..., n_q, d_k]
    k: NDArray[np.floating],  # [..., n_k, d_k]
    v: NDArray[np.floating],  # [..., n_k, d_v]
    mask: BoolArray | None = None,  # [n_q, n_k], broadcastable; False = hidden
    temperature: float = 1.0,
) -> tuple[Array, Array]:  # -> ([..., n_q, d_v], [..., n_q, n_k])
    """``softmax(q @ k.T / sqrt(d_k) / temperature) @ v``; returns ``(output, weights)``.

    Masked positions (``mask`` False) get exactly zero weight.

    Examples
    --------
    >>> q = k = np.eye(2); v = np.array([[1.0], [3.0]])
    >>> out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(2))
    >>> out[0].tolist(), w[0].tolist()
    ([1.0], [1.0, 0.0])
    """
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])  # [..., n_q, n_k]
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1, temperature=temperature)
    return weights @ v, weights


def split_heads(x: Array, n_heads: int) -> Array:  # [n, d_model] -> [n_heads, n, d_head]
    """Cut the feature axis into ``n_heads`` consecutive blocks, one per head.

    Examples
    --------
    >>> split_heads(np.arange(4.0).reshape(1, 4), 2).tolist()
    [[[0.0, 1.0]], [[2.0, 3.0]]]
    """
    n, d_model = x.shape
    assert d_model % n_heads == 0, f"d_model={d_model} is not divisible by n_heads={n_heads}"
    return x.reshape(n, n_heads, d_model // n_heads).transpose(1, 0, 2)


def merge_heads(x: Array) -> Array:  # [n_heads, n, d_head] -> [n, n_heads * d_head]
    """Concatenate the heads' feature blocks in order (inverse of :func:`split_heads`).

    Examples
    --------
    >>> merge_heads(np.array([[[0.0, 1.0]], [[2.0, 3.0]]])).tolist()
    [[0.0, 1.0, 2.0, 3.0]]
    """
    n_heads, n, d_head = x.shape
    return x.transpose(1, 0, 2).reshape(n, n_heads * d_head)


@dataclass(frozen=True)
class AttentionParams:
    """One attention layer's projections: ``q = x @ w_q + b_q`` (rows of ``w_*`` are inputs).

    The biases are optional (the designed model has none; BERT and GPT-2 have them).
    """

    w_q: Array  # [d_model, d_model]
    w_k: Array
    w_v: Array
    w_o: Array  # [d_model, d_model], rows = the merged heads' columns
    n_heads: int
    b_q: Array | None = None  # [d_model]
    b_k: Array | None = None
    b_v: Array | None = None
    b_o: Array | None = None

    @property
    def d_head(self) -> int:
        """Size of one head's query, key and value vectors."""
        return int(np.shape(self.w_q)[1]) // self.n_heads


@dataclass(frozen=True)
class AttentionRecord:
    """Every intermediate of one multi-head attention layer, heads first."""

    q: Array  # [n_heads, n, d_head]
    k: Array  # [n_heads, n, d_head]
    v: Array  # [n_heads, n, d_head]
    scores: Array  # [n_heads, n, n]: q·k, before scaling
    scaled_scores: Array  # [n_heads, n, n]: scores / sqrt(d_head), before any mask
    weights: Array  # [n_heads, n, n]: softmax over keys (rows = queries)
    heads: Array  # [n_heads, n, d_head]: each head's output, weights @ v
    concat: Array  # [n, n_heads * d_head]: the heads merged in order
    output: Array  # [n, d_model]: concat @ w_o + b_o


def _project(x: Array, w: Array, b: Array | None, n_heads: int) -> Array:
    y = x @ np.asarray(w, dtype=np.float64)  # [n, d_model]
    if b is not None:
        y = y + np.asarray(b, dtype=np.float64)
    return split_heads(y, n_heads)  # [n_heads, n, d_head]


def multi_head_attention(
    x: NDArray[np.floating],  # [n, d_model]
    params: AttentionParams,
    mask: BoolArray | None = None,  # [n, n]; False = hidden
) -> AttentionRecord:
    """Project, attend in each head separately, concatenate the heads, project out.

    Examples
    --------
    >>> x = np.eye(2); rec = multi_head_attention(x, AttentionParams(x, x, x, x, n_heads=2))
    >>> rec.weights.shape, rec.output.shape
    ((2, 2, 2), (2, 2))
    """
    x64: Array = np.asarray(x, dtype=np.float64)
    n_heads = params.n_heads
    q = _project(x64, params.w_q, params.b_q, n_heads)  # [n_heads, n, d_head]
    k = _project(x64, params.w_k, params.b_k, n_heads)
    v = _project(x64, params.w_v, params.b_v, n_heads)
    scores = attention_scores(q, k)  # [n_heads, n, n]
    heads, weights = scaled_dot_product_attention(q, k, v, mask)  # each head on its own
    scaled = scores / np.sqrt(q.shape[-1])
    concat = merge_heads(heads)  # [n, d_model]
    output = concat @ np.asarray(params.w_o, dtype=np.float64)
    if params.b_o is not None:
        output = output + np.asarray(params.b_o, dtype=np.float64)
    return AttentionRecord(q, k, v, scores, scaled, weights, heads, concat, output)
