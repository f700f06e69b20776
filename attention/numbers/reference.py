"""An independent attention implementation in plain Python floats and loops, for checking.

What a ledger may name is recomputed from these by
:func:`attention.numbers.recompute.reference_values`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LazyRows",
    "Matrix",
    "RefLayer",
    "as_lists",
    "columns",
    "ref_attention",
    "ref_multi_head",
    "ref_positional_encoding",
    "ref_matmul",
    "ref_scores",
    "ref_softmax",
]

Vector = list[float]
Matrix = list[list[float]]


def ref_softmax(row: Sequence[float], temperature: float = 1.0) -> Vector:
    """Softmax of one row: ``exp(x_i - max) / sum_j exp(x_j - max)``.

    Examples
    --------
    >>> ref_softmax([0.0, 0.0])
    [0.5, 0.5]
    """
    scaled = [float(x) / temperature for x in row]
    top = max(s for s in scaled if s != -math.inf)
    exps = [0.0 if s == -math.inf else math.exp(s - top) for s in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def ref_matmul(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> Matrix:
    """Matrix product by three loops.

    Examples
    --------
    >>> ref_matmul([[1.0, 2.0]], [[3.0], [4.0]])
    [[11.0]]
    """
    inner, cols = len(b), len(b[0])
    return [
        [sum(float(row[t]) * float(b[t][j]) for t in range(inner)) for j in range(cols)]
        for row in a
    ]


def _transpose(a: Sequence[Sequence[float]]) -> Matrix:
    return [[float(a[i][j]) for i in range(len(a))] for j in range(len(a[0]))]


def columns(a: Sequence[Sequence[float]], start: int, stop: int) -> Matrix:
    return [[float(v) for v in row[start:stop]] for row in a]


def ref_scores(q: Sequence[Sequence[float]], k: Sequence[Sequence[float]]) -> Matrix:
    """Raw scores ``q_i · k_j``."""
    return ref_matmul(q, _transpose(k))


def ref_attention(
    q: Sequence[Sequence[float]],
    k: Sequence[Sequence[float]],
    v: Sequence[Sequence[float]],
    mask: Sequence[Sequence[bool]] | None = None,
    temperature: float = 1.0,
) -> tuple[Matrix, Matrix]:
    """Single-head attention for 2-D inputs; returns ``(output, weights)``.

    Examples
    --------
    >>> out, w = ref_attention([[1.0]], [[1.0], [1.0]], [[2.0], [4.0]])
    >>> out, w
    ([[3.0]], [[0.5, 0.5]])
    """
    root = math.sqrt(len(q[0]))
    weights = []
    for i, row in enumerate(ref_scores(q, k)):
        scaled = [s / root if mask is None or mask[i][j] else -math.inf for j, s in enumerate(row)]
        weights.append(ref_softmax(scaled, temperature))
    return ref_matmul(weights, v), weights


@dataclass(frozen=True)
class RefLayer:
    """One multi-head layer computed by loops: per head q, k, v, weights and outputs."""

    q: list[Matrix]  # per head: (n, d_head)
    k: list[Matrix]
    v: list[Matrix]
    weights: list[Matrix]  # per head: (n, n)
    heads: list[Matrix]  # per head: (n, d_head)
    concat: Matrix  # (n, d_model)
    output: Matrix  # (n, d_model)


def _plus(a: Matrix, bias: Sequence[float] | None) -> Matrix:
    return (
        a if bias is None else [[v + float(b) for v, b in zip(row, bias, strict=True)] for row in a]
    )


def ref_multi_head(
    x: Sequence[Sequence[float]],
    w_q: Sequence[Sequence[float]],
    w_k: Sequence[Sequence[float]],
    w_v: Sequence[Sequence[float]],
    w_o: Sequence[Sequence[float]],
    n_heads: int,
    mask: Sequence[Sequence[bool]] | None = None,
    biases: Sequence[Sequence[float] | None] = (None, None, None, None),
) -> RefLayer:
    """Multi-head attention by loops: head ``h`` uses columns ``h*d_head:(h+1)*d_head``.

    ``biases`` are added after the q, k, v and output projections (None: no bias).

    Examples
    --------
    >>> eye, causal = [[1.0, 0.0], [0.0, 1.0]], [[True, False], [True, True]]
    >>> ref_multi_head(eye, eye, eye, eye, eye, n_heads=2, mask=causal).weights[0]
    [[1.0, 0.0], [0.5, 0.5]]
    """
    d_head = len(w_q[0]) // n_heads
    b_q, b_k, b_v, b_o = biases
    q_all = _plus(ref_matmul(x, w_q), b_q)
    k_all = _plus(ref_matmul(x, w_k), b_k)
    v_all = _plus(ref_matmul(x, w_v), b_v)
    q, k, v, weights, heads = [], [], [], [], []
    for h in range(n_heads):
        lo, hi = h * d_head, (h + 1) * d_head
        q.append(columns(q_all, lo, hi))
        k.append(columns(k_all, lo, hi))
        v.append(columns(v_all, lo, hi))
        out, w = ref_attention(q[h], k[h], v[h], mask)
        weights.append(w)
        heads.append(out)
    concat = [[value for h in range(n_heads) for value in heads[h][i]] for i in range(len(x))]
    return RefLayer(q, k, v, weights, heads, concat, _plus(ref_matmul(concat, w_o), b_o))


def ref_positional_encoding(n: int, d: int) -> Matrix:
    """Sinusoidal positions by the paper's formula, one entry at a time.

    Column ``c`` pairs up as ``2i = c - c % 2``: sin for even columns, cos for odd ones.

    Examples
    --------
    >>> [round(v, 4) for v in ref_positional_encoding(2, 2)[1]]
    [0.8415, 0.5403]
    """
    table = []
    for pos in range(n):
        row = []
        for c in range(d):
            angle = pos / math.pow(10000.0, (c - c % 2) / d)
            row.append(math.sin(angle) if c % 2 == 0 else math.cos(angle))
        table.append(row)
    return table


def as_lists(a: Any) -> Matrix:
    return [[float(v) for v in row] for row in a]


class LazyRows(Sequence[Any]):
    """A sequence whose items are computed when first read (each once): a model's layers
    and heads are recomputed by the loops only where a ledger entry points.

    Examples
    --------
    >>> squares = LazyRows(3, lambda i: i * i)
    >>> len(squares), squares[2], list(squares)
    (3, 4, [0, 1, 4])
    """

    def __init__(self, length: int, item: Any) -> None:
        self._length, self._item = length, item
        self._done: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if not 0 <= index < self._length:
            raise IndexError(index)
        if index not in self._done:
            self._done[index] = self._item(index)
        return self._done[index]
