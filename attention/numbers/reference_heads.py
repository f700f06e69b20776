"""Every head of a model recomputed by loops, and its measured patterns and counts.

From the input each layer read in the forward pass, a head's projections, scores, softmax and
blend are recomputed one multiply at a time; its patterns (where its weight goes, its habit,
the links of the focus) are counted from those loop weights by the documented rules of
:mod:`attention.story.patterns`, never by that module's code.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attention.numbers.reference import (
    LazyRows,
    Matrix,
    RefLayer,
    as_lists,
    ref_multi_head,
    ref_scores,
)

if TYPE_CHECKING:
    from attention.models.model import TokenizedSentence
    from attention.worked.example import WorkedExample

__all__ = ["record_heads"]


def record_heads(example: WorkedExample) -> dict[str, LazyRows]:
    """Every layer's every head recomputed by loops from what that layer read.

    The input of layer ``l`` is the forward pass's own ``hidden[l]`` (itself checked against
    PyTorch in the tests); from it, the head's projections, scores, softmax and blend are
    recomputed here one multiply at a time, with the layer's recorded projections.
    """
    record = example.record

    @functools.cache
    def head(layer: int, h: int) -> RefLayer:
        params, d = record.params[layer], record.params[layer].d_head
        cols = slice(h * d, (h + 1) * d)
        x = as_lists(record.hidden[layer])
        n = len(x)
        mask = [[j <= i for j in range(n)] for i in range(n)] if record.causal else None
        biases = [None if b is None else [float(v) for v in b[cols]]
                  for b in (params.b_q, params.b_k, params.b_v)] + [None]  # fmt: skip
        w_q, w_k, w_v = (as_lists(w[:, cols]) for w in (params.w_q, params.w_k, params.w_v))
        eye = [[float(i == j) for j in range(d)] for i in range(d)]
        return ref_multi_head(x, w_q, w_k, w_v, eye, n_heads=1, mask=mask, biases=biases)

    def per_head(field: Any) -> LazyRows:
        n_heads = record.params[0].n_heads
        return LazyRows(
            len(record.layers),
            lambda layer: LazyRows(n_heads, lambda h: field(head(layer, h))),
        )

    def logits(ref: RefLayer) -> Matrix:
        root = math.sqrt(len(ref.q[0][0]))
        return [[s / root for s in row] for row in ref_scores(ref.q[0], ref.k[0])]

    return {
        "attention": per_head(lambda ref: ref.weights[0]),
        "queries": per_head(lambda ref: ref.q[0]),
        "keys": per_head(lambda ref: ref.k[0]),
        "values": per_head(lambda ref: ref.v[0]),
        "logits": per_head(logits),
        "contexts": per_head(lambda ref: ref.heads[0]),
        **_patterns(per_head(lambda ref: ref.weights[0]), example),
    }


def _token_roles(tokens: TokenizedSentence) -> tuple[list[int], list[int], list[int]]:
    """[CLS] (added by the model before the first word), [SEP] (after the last word) and
    punctuation (any other token of no word); with no record of what the model added, every
    token of no word before the first word or after the last counts as added."""
    n = tokens.n_tokens
    words = [j for j in range(n) if tokens.word_of[j] is not None]
    loose = [j for j in range(n) if tokens.word_of[j] is None]

    def added(j: int) -> bool:
        return tokens.added[j] if tokens.added else not (words and words[0] < j < words[-1])

    start = [j for j in loose if (not words or j < words[0]) and added(j)]
    end = [j for j in loose if words and j > words[-1] and added(j)]
    return start, end, [j for j in loose if j not in start + end]


def _patterns(attention: LazyRows, example: WorkedExample) -> dict[str, Any]:
    """The heads' measured patterns (``previous_weight`` ... ``link_heads``), by loops over
    the reference's own weights, as functions of their (no) arguments.

    Each weight ``w[i][j]`` goes to one kind, in this order: [CLS] (before the first word) or
    [SEP] (after the last), the token before ``i``, after it, itself, punctuation, another
    word; a share is the sum of a kind's weights over the ``n`` rows, divided by ``n``. A
    habit: a kind other than words ([CLS] and [SEP] together) with more than half.
    """
    tokens = example.record.tokens
    n = tokens.n_tokens
    start, end, marks = _token_roles(tokens)

    def kind(i: int, j: int) -> str:
        if j in start:
            return "start"
        if j in end:
            return "end"
        for name, other in (("previous", i - 1), ("next", i + 1), ("self", i)):
            if j == other:
                return name
        return "punctuation" if j in marks else "words"

    def share(name: str) -> Any:
        return lambda w: sum(w[i][j] for i in range(n) for j in range(n) if kind(i, j) == name) / n

    measures = {
        **{f"{name}_weight": share(name)
           for name in ("previous", "next", "self", "start", "end", "punctuation", "words")},
        "sink_weight": lambda w: share("start")(w) + share("end")(w),
        "peak_weight": lambda w: sum(max(row) for row in w) / n,
        "word_attention": lambda w: [
            [
                sum(w[i][j] for j in range(n) if tokens.word_of[j] == word)
                for word in range(len(tokens.words))
            ]
            for i in range(n)
        ],
    }  # fmt: skip

    def over_heads(measure: Any) -> Any:
        table = LazyRows(
            len(attention), lambda layer: LazyRows(len(attention[layer]),
                                                   lambda h: measure(attention[layer][h]))
        )  # fmt: skip

        def get(args: Sequence[float]) -> Any:
            if args:
                raise ValueError("takes no arguments")
            return table

        return get

    tables = {name: over_heads(measure) for name, measure in measures.items()}
    return {**tables, **_head_counts(tables, attention, example)}


def _head_counts(
    tables: dict[str, Any], attention: LazyRows, example: WorkedExample
) -> dict[str, Any]:
    """``habit_counts``, ``sink_heads``, ``spread_heads`` and ``link_heads`` by the documented
    rules, from the reference's own tables."""
    kinds = ("previous", "next", "self", "sink", "punctuation")
    tokens, f = example.record.tokens, example.focus_index
    _, _, punctuation = _token_roles(tokens)

    def heads() -> list[tuple[int, int]]:
        return [(layer, h) for layer in range(len(attention)) for h in range(len(attention[layer]))]

    def habit(layer: int, h: int) -> str:
        for name in kinds:
            if tables[f"{name}_weight"](())[layer][h] > 0.5:
                return name
        return "mixed"

    def links(layer: int, h: int) -> bool:
        """The focus gives one other word a third of its row or more, more than any other
        word (its own included) or punctuation mark."""
        row = tables["word_attention"](())[layer][h][f]
        own = tokens.word_of[f]
        others = sorted((row[w] for w in range(len(row)) if w != own), reverse=True)
        if not others:
            return False
        rivals = others[1:] + [row[own] if own is not None else 0.0]
        rivals += [attention[layer][h][f][j] for j in punctuation]
        return others[0] >= 1 / 3 and all(others[0] > r for r in rivals)

    def counts(args: Sequence[float]) -> list[float]:
        seen = [habit(layer, h) for layer, h in heads()]
        return [float(seen.count(name)) for name in (*kinds, "mixed")]

    def spread(args: Sequence[float]) -> float:
        return float(sum(habit(layer, h) == "mixed" and tables["peak_weight"](())[layer][h] < 0.5
                         for layer, h in heads()))  # fmt: skip

    def linking(args: Sequence[float]) -> float:
        return float(sum(habit(layer, h) == "mixed" and links(layer, h) for layer, h in heads()))

    return {
        "habit_counts": counts,
        "sink_heads": lambda args: counts(args)[kinds.index("sink")],
        "spread_heads": spread,
        "link_heads": linking,
    }
