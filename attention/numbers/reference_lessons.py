"""The lessons' quantities and the designed model's every field, recomputed by loops.

The lecture chapters' numbers (a causal mask, a temperature, a permuted sentence, positions,
a sentence of only some of the tokens) as functions of their source arguments, and every
field of the designed model's example from its ``x`` and weight matrices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attention.numbers.reference import (
    Matrix,
    as_lists,
    columns,
    ref_attention,
    ref_matmul,
    ref_multi_head,
    ref_positional_encoding,
    ref_scores,
    ref_softmax,
)

if TYPE_CHECKING:
    from attention.worked.example import WorkedExample

__all__ = ["count_cells", "designed_values", "single"]


def _head0_weights(
    x: Matrix, w_q: Matrix, w_k: Matrix, d_head: int, mask: list[list[bool]] | None = None
) -> Matrix:
    q = columns(ref_matmul(x, w_q), 0, d_head)
    k = columns(ref_matmul(x, w_k), 0, d_head)
    return ref_attention(q, k, [[0.0] for _ in x], mask)[1]


def _order(args: Sequence[float], n: int) -> list[int]:
    order = [int(a) for a in args]
    if sorted(order) != list(range(n)) or any(a != int(a) for a in args):
        raise ValueError(f"{tuple(args)} is not an order of the {n} tokens")
    return order


def single(args: Sequence[float]) -> float:
    if len(args) != 1:
        raise ValueError(f"takes one argument, got {len(args)}")
    return float(args[0])


def count_cells(args: Sequence[float]) -> float:
    """Query-key pairs for ``n`` tokens, counted one by one."""
    n = int(single(args))
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
        "tempered_weights": lambda a: [ref_softmax(row, single(a)) for row in scaled],
        "permuted_weights": lambda a: permuted(a, positions=False),
        "positioned_weights": lambda a: permuted(a, positions=True),
        "positional_encoding": no_args(ref_positional_encoding(n, d_model)),
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
        q, k, v = (columns(ref_matmul(rows, w), 0, d_head) for w in (w_q, w_k, w_v))
        return ref_attention(q, k, v)

    return {
        "selected_weights": lambda a: attend(a)[1],
        "selected_outputs": lambda a: attend(a)[0],
    }


def designed_values(example: WorkedExample) -> dict[str, Any]:
    """Every field of the designed model's example, and the lessons, from ``x`` and W."""
    x = as_lists(example.x)
    w_q, w_k, w_v, w_o = (as_lists(w) for w in (example.w_q, example.w_k, example.w_v, example.w_o))
    n_heads = example.n_heads
    d_head = len(w_q[0]) // n_heads
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
        **_lessons(x, w_q, w_k, d_head, scaled),
        **_selections(x, w_q, w_k, w_v, d_head),
    }  # fmt: skip
