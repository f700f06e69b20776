"""A decoder's head patterns, measured on the prompt: previous token, first token, induction.

Under the causal mask, row ``i`` of a head spreads its weight over tokens ``0..i``. For every
head of every layer three measures are taken, each the mean over the rows it applies to:

- ``previous``: the weight on the token just before (rows ``1..n-1``);
- ``first``: the weight on the first token (rows ``1..n-1``: row 0 can only look at
  itself). A decoder read without a BOS token parks much of a head's weight on position 0
  when nothing else fits, an *attention sink* (Xiao et al. 2023);
- ``induction``: for a query whose token occurred earlier, the weight on the tokens that came
  right after its earlier occurrences (Olsson et al. 2022): on "... A B ... A", the head
  looks at B, the token to copy next. Rows: the queries with an earlier occurrence ``j`` whose
  successor ``j + 1`` comes before the query; undefined (NaN) when the prompt repeats no token.

A head's habit is the largest measure when it holds at least :data:`THRESHOLD` of the
weight, else ``mixed``. Nothing here is asserted about a head: every label is computed from
its numbers; ``tests/test_decoder_patterns.py`` recomputes each measure with plain loops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DECODER_HABITS",
    "DECODER_MEASURES",
    "DECODER_SHARES",
    "THRESHOLD",
    "DecoderHead",
    "decoder_heads",
    "decoder_shares",
    "first_share",
    "induction_share",
    "induction_targets",
    "previous_share",
    "strongest",
]

if TYPE_CHECKING:
    from attention.worked.example import WorkedExample

Array = NDArray[np.float64]

THRESHOLD = 0.5  # a habit holds at least half of a head's weight, averaged over its rows
DECODER_MEASURES = ("previous", "first", "induction")
DECODER_HABITS = {"previous": "previous token", "first": "first token", "induction": "induction"}


def previous_share(weights: NDArray[np.floating]) -> Array:  # (..., n, n) -> (...)
    """Mean weight each query gives the token just before it (rows 1..n-1; NaN if n = 1).

    Examples
    --------
    >>> previous_share(np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 0.5, 0.5]])).item()
    0.7
    """
    w = np.asarray(weights, dtype=np.float64)
    rows = np.arange(1, w.shape[-1])
    if not rows.size:
        return np.full(w.shape[:-2], np.nan)
    return np.asarray(w[..., rows, rows - 1].mean(axis=-1))


def first_share(weights: NDArray[np.floating]) -> Array:  # (..., n, n) -> (...)
    """Mean weight each query after the first gives the first token (NaN if n = 1).

    Examples
    --------
    >>> first_share(np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])).item()
    0.55
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.shape[-1] < 2:
        return np.full(w.shape[:-2], np.nan)
    return np.asarray(w[..., 1:, 0].mean(axis=-1))


def induction_targets(ids: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """For each query ``i``: the keys ``j + 1`` after each earlier occurrence ``j`` of its
    token, with ``j + 1 < i`` (the token to copy next, if the pattern repeats).

    Examples
    --------
    >>> induction_targets([5, 6, 7, 5, 6])  # "A B C A B": A looks at B, B at C
    ((), (), (), (1,), (2,))
    """
    return tuple(tuple(j + 1 for j in range(i - 1) if ids[j] == ids[i]) for i in range(len(ids)))


def induction_share(weights: NDArray[np.floating], ids: Sequence[int]) -> Array:  # -> (...)
    """Mean, over the queries with targets (:func:`induction_targets`), of the weight on them;
    NaN where no query has one.

    Examples
    --------
    >>> w = np.tril(np.ones((4, 4))) / np.arange(1, 5)[:, None]   # uniform rows
    >>> induction_share(w, [8, 9, 8, 9]).round(4).item()   # rows 2 and 3: 1/3 and 1/4
    0.2917
    """
    w = np.asarray(weights, dtype=np.float64)
    picked = [(i, list(keys)) for i, keys in enumerate(induction_targets(ids)) if keys]
    if not picked:
        return np.full(w.shape[:-2], np.nan)
    return np.asarray(np.mean([w[..., i, keys].sum(axis=-1) for i, keys in picked], axis=0))


def decoder_shares(weights: NDArray[np.floating], ids: Sequence[int]) -> Array:
    """Every head's :data:`DECODER_MEASURES`, in that order: ``(L, H, n, n) -> (L, H, 3)``.

    Examples
    --------
    >>> decoder_shares(np.array([[[[1.0, 0.0], [1.0, 0.0]]]]), [3, 4])[0, 0].tolist()
    [1.0, 1.0, nan]
    """
    return np.stack(
        [previous_share(weights), first_share(weights), induction_share(weights, ids)], axis=-1
    )


@dataclass(frozen=True)
class DecoderHead:
    """One head's measures and habit (``induction`` None when the prompt repeats no token).

    Examples
    --------
    >>> DecoderHead(0, 1, 0.1, 0.8, None).habit
    'first token'
    """

    layer: int
    head: int
    previous: float | None
    first: float | None
    induction: float | None

    @property
    def habit(self) -> str:
        """The largest measure's habit if it holds :data:`THRESHOLD` of the weight, else mixed."""
        known = [(v, m) for m, v in zip(DECODER_MEASURES, self.measures, strict=True)
                 if v is not None]  # fmt: skip
        value, measure = max(known, default=(0.0, ""))
        return DECODER_HABITS[measure] if value >= THRESHOLD else "mixed"

    @property
    def measures(self) -> tuple[float | None, float | None, float | None]:
        """``(previous, first, induction)``."""
        return self.previous, self.first, self.induction

    @property
    def name(self) -> str:
        """``L{layer}H{head}``, both 0-based, as the JSON indexes them."""
        return f"L{self.layer}H{self.head}"


def _value(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def decoder_heads(
    weights: NDArray[np.floating], ids: Sequence[int]
) -> tuple[tuple[DecoderHead, ...], ...]:
    """Every head of every layer, measured: ``heads[l][h]``.

    Examples
    --------
    >>> w = np.array([[[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]]])
    >>> [h.habit for h in decoder_heads(w, [3, 4])[0]]
    ['previous token', 'mixed']
    """
    shares = decoder_shares(weights, ids)
    return tuple(
        tuple(
            DecoderHead(layer, head, *(_value(v) for v in shares[layer, head]))
            for head in range(shares.shape[1])
        )  # fmt: skip
        for layer in range(shares.shape[0])
    )


def strongest(
    heads: Sequence[Sequence[DecoderHead]], measure: str, k: int = 3
) -> tuple[DecoderHead, ...]:
    """The ``k`` heads with the largest ``measure`` (one of :data:`DECODER_MEASURES`),
    largest first, ties by layer then head; heads where it is undefined are left out.

    Examples
    --------
    >>> w = np.array([[[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.3, 0.7]]]])
    >>> [h.name for h in strongest(decoder_heads(w, [3, 4]), "previous", 2)]
    ['L0H0', 'L0H1']
    """
    index = DECODER_MEASURES.index(measure)
    known = [h for layer in heads for h in layer if h.measures[index] is not None]
    ranked = sorted(known, key=lambda h: (-(h.measures[index] or 0.0), h.layer, h.head))
    return tuple(ranked[:k])


def _decoder_share(example: WorkedExample, args: tuple[float, ...]) -> Array:  # -> (L, H)
    """``decoder_share(m)[l, h]``: measure ``m`` (0 previous, 1 first, 2 induction, the order
    of :data:`DECODER_MEASURES`) of head ``h`` of layer ``l`` on the prompt."""
    if len(args) != 1 or args[0] not in range(len(DECODER_MEASURES)):
        raise ValueError(f"takes one measure from 0 to {len(DECODER_MEASURES) - 1}, got {args}")
    shares = decoder_shares(example.attention, example.record.tokens.ids)  # (L, H, 3)
    return np.asarray(shares[..., int(args[0])])


# the ledger's derived source of a decoder head's measures (attention.numbers.sources)
DECODER_SHARES: dict[str, Callable[[WorkedExample, tuple[float, ...]], Array | float]] = {
    "decoder_share": _decoder_share,
}
