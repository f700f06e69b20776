"""A decoder's shown numbers recomputed by loops: its heads, next token, generation, induction.

A llama head is recomputed one multiply at a time from what its layer read (the forward
pass's own ``hidden[layer]``, already RMS-normalised): the query from its own block of
columns, the key from its key/value head's block (grouped-query attention: query head ``h``
reads key/value head ``h // (n_heads // n_kv_heads)``), both turned by the rotary angles
``p / base^(2i/d)`` written out with :func:`math.cos` and :func:`math.sin` (pairs ``i`` and
``i + d/2``), the scaled scores, and a softmax over the keys ``j <= i`` only (the causal
mask: the later weights are exactly 0). The next token's probabilities are a loop softmax of
the recorded logits (generation's steps: :mod:`attention.numbers.reference_steps`); the
induction and previous-token scores are counted over the loop
weights by the rules written in :mod:`attention.story.decoder_patterns`' docstring.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attention.models.registry import load_model
from attention.numbers.reference import LazyRows, Matrix, as_lists
from attention.story.decoder_numbers import TOP_K, repeated_ids

if TYPE_CHECKING:
    from attention.models.model import ForwardRecord
    from attention.worked.example import WorkedExample

__all__ = [
    "column_block",
    "decoder_reference",
    "induction_share",
    "loop_head",
    "loop_top_probabilities",
    "rotate",
]


def column_block(w: Any, start: int, width: int) -> Matrix:
    """Columns ``start .. start + width`` of ``w`` as ``width`` lists (one per column),
    read column by column (not the whole matrix).

    Examples
    --------
    >>> column_block([[1, 2, 3], [4, 5, 6]], 1, 2)
    [[2.0, 5.0], [3.0, 6.0]]
    """
    return [[float(row[c]) for row in w] for c in range(start, start + width)]


def rotate(vec: Sequence[float], position: int, base: float) -> list[float]:
    """Rotary position embedding of one vector at ``position``: pairs ``(i, i + d/2)``
    turned by ``position / base ** (2i / d)``."""
    half = len(vec) // 2
    out = list(vec)
    for i in range(half):
        angle = position / base ** (2 * i / len(vec))
        c, s = math.cos(angle), math.sin(angle)
        out[i] = vec[i] * c - vec[i + half] * s
        out[i + half] = vec[i + half] * c + vec[i] * s
    return out


def loop_head(record: ForwardRecord, layer: int, head: int, base: float,
              n_kv_heads: int) -> dict[str, Matrix]:  # fmt: skip
    """Head ``head`` of layer ``layer`` by loops (see the module): its turned queries and
    keys, values, scaled scores (every pair, as the record keeps them), weights and blend.

    Examples
    --------
    >>> from attention.models.registry import load_model
    >>> m = load_model("smollm2")                                       # doctest: +SKIP
    >>> r = m.forward(m.tokenize("The cat sat"))                        # doctest: +SKIP
    >>> loop_head(r, 0, 0, 100000.0, 3)["weights"][0]                   # doctest: +SKIP
    [1.0, 0.0, 0.0]
    """
    params = record.params[layer]
    n_heads = params.n_heads
    d = params.w_q.shape[1] // n_heads
    kv = head // (n_heads // n_kv_heads)
    x = as_lists(record.hidden[layer])
    w_q, w_k = column_block(params.w_q, head * d, d), column_block(params.w_k, kv * d, d)
    w_v = column_block(params.w_v, kv * d, d)

    def project(row: list[float], cols: Matrix) -> list[float]:
        return [sum(a * b for a, b in zip(row, col, strict=True)) for col in cols]

    q = [rotate(project(row, w_q), p, base) for p, row in enumerate(x)]
    k = [rotate(project(row, w_k), p, base) for p, row in enumerate(x)]
    v = [project(row, w_v) for row in x]
    root = math.sqrt(d)
    logits = [[sum(a * b for a, b in zip(qi, kj, strict=True)) / root for kj in k] for qi in q]
    weights = []
    for i, row in enumerate(logits):
        top = max(row[: i + 1])
        exps = [math.exp(s - top) for s in row[: i + 1]]  # the keys j <= i only
        total = sum(exps)
        weights.append([e / total for e in exps] + [0.0] * (len(x) - i - 1))
    contexts = [[sum(wi[j] * v[j][c] for j in range(len(x))) for c in range(d)] for wi in weights]
    return {"queries": q, "keys": k, "values": v, "logits": logits, "weights": weights,
            "contexts": contexts}  # fmt: skip


def loop_top_probabilities(logits: Sequence[float], k: int = TOP_K) -> list[tuple[int, float]]:
    """The ``k`` likeliest tokens ``(id, probability)`` of a loop softmax, likeliest first,
    ties by the smaller id.

    Examples
    --------
    >>> [(i, round(p, 4)) for i, p in loop_top_probabilities([0.0, 1.0, 1.0], 2)]
    [(1, 0.4223), (2, 0.4223)]
    """
    values = [float(v) for v in logits]
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    ranked = sorted(range(len(values)), key=lambda i: (-exps[i], i))[:k]
    return [(i, exps[i] / total) for i in ranked]


def _heads(record: ForwardRecord, base: float, n_kv: int) -> dict[str, LazyRows]:
    """Every field of every head of ``record``, each head computed once when first read."""
    n_heads = record.params[0].n_heads

    @functools.cache
    def done(layer: int, h: int) -> dict[str, Matrix]:
        return loop_head(record, layer, h, base, n_kv)

    def field(name: str) -> LazyRows:
        return LazyRows(len(record.layers), lambda layer: LazyRows(
            n_heads, lambda h: done(layer, h)[name]))  # fmt: skip

    return {name: field(name) for name in
            ("weights", "queries", "keys", "values", "logits", "contexts")}  # fmt: skip


def induction_share(w: Sequence[Sequence[float]], ids: Sequence[int]) -> float:
    """Mean over the queries ``i`` whose token came before at ``j`` with ``j + 1 < i`` of the
    weight on all those ``j + 1``."""
    picked = []
    for i in range(len(ids)):
        keys = [j + 1 for j in range(len(ids)) if j + 1 < i and ids[j] == ids[i]]
        if keys:
            picked.append(sum(w[i][j] for j in keys))
    return sum(picked) / len(picked) if picked else math.nan


def _per_head(heads: LazyRows, measure: Any) -> LazyRows:
    return LazyRows(len(heads), lambda layer: LazyRows(
        len(heads[layer]), lambda h: measure(heads[layer][h])))  # fmt: skip


def decoder_reference(example: WorkedExample) -> dict[str, Any]:
    """The decoder's sources (``attention`` and the other per-head fields, ``next``,
    ``next_logit``, ``repeated_attention``, ``induction_score``, ``previous_score``),
    recomputed by loops when read."""
    model = load_model(example.spec.model)
    shape = model.shape  # type: ignore[attr-defined]
    base, n_kv = float(shape.rope_base), int(shape.n_kv_heads)
    record = example.record

    def top(rec: ForwardRecord) -> list[float]:
        assert rec.next_logits is not None
        return [p for _, p in loop_top_probabilities(rec.next_logits.tolist())]

    def top_logits(rec: ForwardRecord) -> list[float]:
        assert rec.next_logits is not None
        logits = rec.next_logits.tolist()
        return [logits[i] for i, _ in loop_top_probabilities(logits)]

    @functools.cache
    def repeated() -> tuple[tuple[int, ...], LazyRows]:
        ids = repeated_ids(example.spec.model)
        record = model.forward(model.from_ids(ids))  # type: ignore[attr-defined]
        return ids, _heads(record, base, n_kv)["weights"]

    def plain(get: Any) -> Any:
        def value(args: Sequence[float]) -> Any:
            if args:
                raise ValueError("takes no arguments")
            return get()

        return value

    own = _heads(record, base, n_kv)
    return {
        "attention": own["weights"],
        **{name: own[name] for name in ("queries", "keys", "values", "logits", "contexts")},
        "next": plain(lambda: top(record)),
        "next_logit": plain(lambda: top_logits(record)),
        "repeated_attention": plain(lambda: repeated()[1]),
        "induction_score": plain(lambda: _per_head(repeated()[1],
                                                   lambda w: induction_share(w, repeated()[0]))),
        "previous_score": plain(lambda: _per_head(repeated()[1], lambda w: sum(
            w[i][i - 1] for i in range(1, len(w))) / (len(w) - 1))),
    }  # fmt: skip
