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
  is turned by its position (rotary: dimensions ``i`` and ``i + d/2`` turned by ``p θ_i``
  with ``θ_i = base^(-2i/d)``, :func:`attention.numbers.reference_decoder.rotate`), scaled by
  ``1/√d``, softmaxed over the positions up to the query's own.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from attention.models.registry import load_model
from attention.numbers.reference import LazyRows, ref_softmax
from attention.numbers.reference_decoder import column_block, induction_share, rotate

if TYPE_CHECKING:
    from attention.models.model import ForwardRecord
    from attention.worked.example import WorkedExample

__all__ = ["decoder_step_values"]

Vector = list[float]


def _project(x: Sequence[float], cols: Sequence[Vector]) -> Vector:
    return [math.fsum(a * b for a, b in zip(x, col, strict=True)) for col in cols]


def _rows(record: ForwardRecord, layer: int, head: int, queries: Sequence[int],
          base: float) -> list[Vector]:  # fmt: skip
    """Rows ``queries`` of head ``head`` of ``layer`` (each over positions 0..i), by loops."""
    params = record.params[layer]
    d = params.d_head
    group = params.n_heads // (params.w_k.shape[1] // d)
    kv = head // group
    q_cols = column_block(params.w_q, head * d, d)
    k_cols = column_block(params.w_k, kv * d, d)
    reads = record.hidden[layer]
    keys = [rotate(_project(reads[j], k_cols), j, base) for j in range(max(queries) + 1)]
    out = []
    for i in queries:
        q = rotate(_project(reads[i], q_cols), i, base)
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
    return previous, first, induction_share(weights, ids)


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
        if record.next_logits is None:
            raise ValueError(f"{example.spec.model} predicts no next token")
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
