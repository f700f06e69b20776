"""A decoder's generation and head measures recomputed by loops, for checking.

The sources of :mod:`attention.worked.generation` (``step_next(s)[k]``,
``step_attention(s)[l, h, j]``) and of :mod:`attention.story.decoder_patterns`
(``decoder_share(m)[l, h]``), recomputed here by their documented definitions, never by
that code:

- its own greedy loop: step 0 is the example's record; step ``s + 1`` the model's forward
  pass on step ``s``'s ids and the token whose probability (a loop softmax of the record's
  ``next_logits``) is largest, the smaller id on a tie;
- a head's weights from what its layer read (the record's ``hidden[l]``), one multiply at a
  time: query head ``h`` reads key head ``h // (n_heads / n_kv_heads)``; each query and key
  is turned by its position (rotary: dimensions ``i`` and ``i + d/2`` as one complex number,
  times ``e^(i p θ_i)`` with ``θ_i = base^(-2i/d)``), scaled by ``1/√d``, softmaxed over the
  positions up to the query's own.
"""

from __future__ import annotations

import cmath
import functools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from attention.models.registry import load_model
from attention.numbers.reference import LazyRows, ref_softmax

if TYPE_CHECKING:
    from attention.models.model import ForwardRecord
    from attention.worked.example import WorkedExample

__all__ = ["decoder_step_values"]

Vector = list[float]


def _columns(w: Any, start: int, stop: int) -> list[Vector]:
    """Columns ``start..stop-1`` of a (d_in, d_out) matrix, each as a list of d_in floats."""
    return [[float(v) for v in w[:, c]] for c in range(start, stop)]


def _project(x: Sequence[float], cols: Sequence[Vector]) -> Vector:
    return [math.fsum(a * b for a, b in zip(x, col, strict=True)) for col in cols]


def _turn(v: Vector, position: int, base: float) -> Vector:
    """Rotary position embedding of one vector, pairs ``(i, i + d/2)`` as complex numbers."""
    half = len(v) // 2
    turned = [complex(v[i], v[i + half]) * cmath.exp(1j * position * base ** (-2 * i / len(v)))
              for i in range(half)]  # fmt: skip
    return [z.real for z in turned] + [z.imag for z in turned]


def _rows(record: ForwardRecord, layer: int, head: int, queries: Sequence[int],
          base: float) -> list[Vector]:  # fmt: skip
    """Rows ``queries`` of head ``head`` of ``layer`` (each over positions 0..i), by loops."""
    params = record.params[layer]
    d = params.d_head
    group = params.n_heads // (params.w_k.shape[1] // d)
    kv = head // group
    q_cols = _columns(params.w_q, head * d, (head + 1) * d)
    k_cols = _columns(params.w_k, kv * d, (kv + 1) * d)
    reads = record.hidden[layer]
    keys = [_turn(_project(reads[j], k_cols), j, base) for j in range(max(queries) + 1)]
    out = []
    for i in queries:
        q = _turn(_project(reads[i], q_cols), i, base)
        scores = [math.fsum(a * b for a, b in zip(q, keys[j], strict=True)) / math.sqrt(d)
                  for j in range(i + 1)]  # fmt: skip
        out.append(ref_softmax(scores))
    return out


def _measures(weights: Sequence[Vector], ids: Sequence[int]) -> tuple[float, float, float]:
    """Previous token, first token and induction share of one head's rows (NaN: undefined)."""
    n = len(weights)
    later = range(1, n)
    previous = sum(weights[i][i - 1] for i in later) / len(later) if n > 1 else math.nan
    first = sum(weights[i][0] for i in later) / len(later) if n > 1 else math.nan
    picked = [sum(weights[i][j + 1] for j in range(i - 1) if ids[j] == ids[i])
              for i in range(n) if any(ids[j] == ids[i] for j in range(i - 1))]  # fmt: skip
    induction = sum(picked) / len(picked) if picked else math.nan
    return previous, first, induction


def decoder_step_values(example: WorkedExample) -> dict[str, Callable[[Sequence[float]], Any]]:
    """``step_next``, ``step_attention`` and ``decoder_share`` of a decoder's ``example``,
    each a function of its source's arguments, computed when read."""
    model: Any = load_model(example.spec.model)
    base = float(model.shape.rope_base)
    n_layers, n_heads = len(example.record.layers), example.record.params[0].n_heads

    def one(args: Sequence[float], stop: int) -> int:
        if len(args) != 1 or args[0] != int(args[0]) or not 0 <= args[0] < stop:
            raise ValueError(f"takes one argument from 0 to {stop - 1}, got {list(args)}")
        return int(args[0])

    @functools.cache
    def step(s: int) -> tuple[ForwardRecord, list[float]]:
        record = example.record
        if s > 0:
            before, probabilities = step(s - 1)
            chosen = max(range(len(probabilities)), key=lambda i: (probabilities[i], -i))
            record = model.forward(model.from_ids([*before.tokens.ids, chosen]))
        assert record.next_logits is not None  # a decoder's record
        return record, ref_softmax([float(v) for v in record.next_logits])

    def step_next(args: Sequence[float]) -> Vector:
        probabilities = step(one(args, 64))[1]
        return sorted(probabilities, reverse=True)[:10]

    @functools.cache
    def last_row(s: int, layer: int, head: int) -> Vector:
        record = step(s)[0]
        return _rows(record, layer, head, [record.tokens.n_tokens - 1], base)[0]

    @functools.cache
    def measures(layer: int, head: int) -> tuple[float, float, float]:
        record = example.record
        rows = _rows(record, layer, head, range(record.tokens.n_tokens), base)
        return _measures(rows, record.tokens.ids)

    def heads(item: Callable[[int, int], Any]) -> LazyRows:
        return LazyRows(n_layers, lambda layer: LazyRows(n_heads, lambda h: item(layer, h)))

    def step_attention(args: Sequence[float]) -> LazyRows:  # [l][h][j]
        s = one(args, 64)
        return heads(lambda layer, h: last_row(s, layer, h))

    def decoder_share(args: Sequence[float]) -> LazyRows:  # [l][h]
        m = one(args, 3)
        return heads(lambda layer, h: measures(layer, h)[m])

    return {
        "step_next": step_next,
        "step_attention": step_attention,
        "decoder_share": decoder_share,
    }
