"""An independent attention implementation in plain Python floats and loops, for checking."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attention.example import WorkedExample

__all__ = [
    "RefLayer",
    "ref_attention",
    "ref_multi_head",
    "ref_positional_encoding",
    "ref_matmul",
    "ref_scores",
    "ref_softmax",
    "reference_values",
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


def _columns(a: Sequence[Sequence[float]], start: int, stop: int) -> Matrix:
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
        q.append(_columns(q_all, lo, hi))
        k.append(_columns(k_all, lo, hi))
        v.append(_columns(v_all, lo, hi))
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


def _head0_weights(
    x: Matrix, w_q: Matrix, w_k: Matrix, d_head: int, mask: list[list[bool]] | None = None
) -> Matrix:
    q = _columns(ref_matmul(x, w_q), 0, d_head)
    k = _columns(ref_matmul(x, w_k), 0, d_head)
    return ref_attention(q, k, [[0.0] for _ in x], mask)[1]


def _order(args: Sequence[float], n: int) -> list[int]:
    order = [int(a) for a in args]
    if sorted(order) != list(range(n)) or any(a != int(a) for a in args):
        raise ValueError(f"{tuple(args)} is not an order of the {n} tokens")
    return order


def _single(args: Sequence[float]) -> float:
    if len(args) != 1:
        raise ValueError(f"takes one argument, got {len(args)}")
    return float(args[0])


def _count_cells(args: Sequence[float]) -> float:
    """Query-key pairs for ``n`` tokens, counted one by one."""
    n = int(_single(args))
    return float(sum(1 for _query in range(n) for _key in range(n)))


def _lessons(x: Matrix, w_q: Matrix, w_k: Matrix, d_head: int, scaled: Matrix) -> dict[str, Any]:
    """The lesson quantities as functions of their source arguments (``name(args)``)."""
    n, d_model = len(x), len(x[0])

    def permuted(args: Sequence[float], positions: bool) -> Matrix:
        rows = [list(x[i]) for i in _order(args, n)]
        if positions:
            pe = ref_positional_encoding(n, d_model)
            rows = [
                [a + b for a, b in zip(r, p, strict=True)] for r, p in zip(rows, pe, strict=True)
            ]
        return _head0_weights(rows, w_q, w_k, d_head)

    def no_args(value: Any) -> Any:
        def get(args: Sequence[float]) -> Any:
            if args:
                raise ValueError("takes no arguments")
            return value

        return get

    causal = [[j <= i for j in range(n)] for i in range(n)]
    return {
        "causal_weights": no_args(_head0_weights(x, w_q, w_k, d_head, causal)),
        "tempered_weights": lambda a: [ref_softmax(row, _single(a)) for row in scaled],
        "temperature": _single,
        "permuted_weights": lambda a: permuted(a, positions=False),
        "positioned_weights": lambda a: permuted(a, positions=True),
        "positional_encoding": no_args(ref_positional_encoding(n, d_model)),
        "attention_cells": _count_cells,
        "tokens_times": lambda a: float(int(_single(a)) * n),
    }


def _selections(x: Matrix, w_q: Matrix, w_k: Matrix, w_v: Matrix, d_head: int) -> dict[str, Any]:
    """Head 0 on a sentence of only some of the tokens (``selected_weights(2, 0, 1)``)."""

    def attend(args: Sequence[float]) -> tuple[Matrix, Matrix]:
        picked = [int(a) for a in args]
        if (
            not picked
            or len(set(picked)) != len(picked)
            or any(not 0 <= p < len(x) or p != a for p, a in zip(picked, args, strict=True))
        ):
            raise ValueError(f"{tuple(args)} are not distinct token positions")
        rows = [x[p] for p in picked]
        q, k, v = (_columns(ref_matmul(rows, w), 0, d_head) for w in (w_q, w_k, w_v))
        return ref_attention(q, k, v)

    return {
        "selected_weights": lambda a: attend(a)[1],
        "selected_outputs": lambda a: attend(a)[0],
    }


def _as_lists(a: Any) -> Matrix:
    return [[float(v) for v in row] for row in a]


def reference_values(example: WorkedExample) -> dict[str, Any]:
    """Recompute every field of ``example`` from its ``x`` and weight matrices only.

    Returns nested lists of floats keyed by field name, plus the scalars ``sqrt_d_head``,
    ``d_head``, ``d_model``, ``n_heads`` and ``n_tokens``, and the lessons' quantities
    (``causal_weights``, ``tempered_weights``, ...) as functions of their source arguments.

    Examples
    --------
    >>> from attention.example import worked_example
    >>> round(reference_values(worked_example())["sqrt_d_head"], 4)
    2.0
    """
    x = _as_lists(example.x)
    w_q, w_k, w_v, w_o = (
        _as_lists(w) for w in (example.w_q, example.w_k, example.w_v, example.w_o)
    )
    n_heads = example.n_heads
    d_model = len(w_q[0])
    d_head = d_model // n_heads
    layer = ref_multi_head(x, w_q, w_k, w_v, w_o, n_heads)
    q, k, v = layer.q[0], layer.k[0], layer.v[0]
    scores = ref_scores(q, k)
    root = math.sqrt(d_head)
    scaled = [[s / root for s in row] for row in scores]
    return {
        "x": x, "w_q": w_q, "w_k": w_k, "w_v": w_v, "w_o": w_o,
        "q": q, "k": k, "v": v,
        "scores": scores,
        "scaled_scores": scaled,
        "weights": layer.weights[0],
        "outputs": layer.heads[0],
        "head_weights": layer.weights,
        "head_outputs": layer.heads,
        "concat": layer.concat,
        "mha_output": layer.output,
        "sqrt_d_head": root,
        "d_head": d_head,
        "d_model": d_model,
        "n_heads": n_heads,
        "n_tokens": len(x),
        **_lessons(x, w_q, w_k, d_head, scaled),
        **_selections(x, w_q, w_k, w_v, d_head),
    }  # fmt: skip
