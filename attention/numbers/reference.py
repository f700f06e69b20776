"""An independent attention implementation in plain Python floats and loops, for checking."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attention.models.model import TokenizedSentence
    from attention.worked.example import WorkedExample

__all__ = [
    "LazyRows",
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
        q, k, v = (_columns(ref_matmul(rows, w), 0, d_head) for w in (w_q, w_k, w_v))
        return ref_attention(q, k, v)

    return {
        "selected_weights": lambda a: attend(a)[1],
        "selected_outputs": lambda a: attend(a)[0],
    }


def _as_lists(a: Any) -> Matrix:
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


def _record_heads(example: WorkedExample) -> dict[str, LazyRows]:
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
        x = _as_lists(record.hidden[layer])
        n = len(x)
        mask = [[j <= i for j in range(n)] for i in range(n)] if record.causal else None
        biases = [None if b is None else [float(v) for v in b[cols]]
                  for b in (params.b_q, params.b_k, params.b_v)] + [None]  # fmt: skip
        w_q, w_k, w_v = (_as_lists(w[:, cols]) for w in (params.w_q, params.w_k, params.w_v))
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


def reference_values(example: WorkedExample) -> dict[str, Any]:
    """Recompute the numbers of ``example`` a ledger may name, by loops.

    For every model: the scalars (``sqrt_d_head``, ``d_head``, ``d_model``, ``n_heads``,
    ``n_tokens``, ``n_layers``) and every layer's every head (``attention``, ``queries``,
    ``keys``, ``values``, ``logits``, ``contexts``, each ``[layer][head]``, computed when
    read). For the designed model also every field of the example from its ``x`` and weight
    matrices, and the lessons' quantities (``causal_weights``, ``tempered_weights``, ...) as
    functions of their source arguments.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> values = reference_values(ex)
    >>> looped = values["attention"][0][1][2][3]
    >>> values["sqrt_d_head"], bool(abs(looped - ex.attention[0, 1, 2, 3]) < 1e-12)
    (2.0, True)
    """
    config = example.record.params[0]
    common = {
        "sqrt_d_head": math.sqrt(config.d_head),
        "d_head": config.d_head,
        "d_model": int(example.x.shape[1]),
        "n_heads": config.n_heads,
        "n_tokens": example.n_tokens,
        "n_layers": example.n_layers,
        # the lessons that need no model: a temperature as written, counts of scores
        "temperature": _single,
        "attention_cells": _count_cells,
        "tokens_times": lambda a: float(int(_single(a)) * example.n_tokens),
        **_record_heads(example),
    }
    if example.kind != "designed":
        return common
    return {**_designed_values(example), **common}


def _designed_values(example: WorkedExample) -> dict[str, Any]:
    """Every field of the designed model's example, and the lessons, from ``x`` and W."""
    x = _as_lists(example.x)
    w_q, w_k, w_v, w_o = (
        _as_lists(w) for w in (example.w_q, example.w_k, example.w_v, example.w_o)
    )
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
