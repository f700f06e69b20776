"""The true sum beside rows of rounded weights, and the mark that says the parts are rounded.

Every weight is shown at its nearest value, so a row may not add up to its rounded sum
(six weights of 1/6 show 0.17 each). Where the shown parts do not add up, a chapter shows
the row's true sum ("Σ = 1.00", ``sum(weights[2])`` in the ledger) and the quiet note
"each weight rounded"; a part is never changed to make the sum come out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from manim import DOWN, LEFT, RIGHT, Mobject, Text, VGroup

from attention import parts_add_up
from scenes.kit.numbers import Numbers, row_sum_source
from scenes.kit.palette import MUTED, WEIGHT
from scenes.kit.style import FRAME_WIDTH, LABEL, MARGIN, SAFE_WIDTH, fit_width, text

__all__ = ["ROUNDED", "ShownRow", "rounded_note", "rows_add_up", "sum_beside", "sum_line"]

ROUNDED = "each weight rounded"  # the mark, worded once for every chapter


@dataclass(frozen=True)
class ShownRow:
    """Which row of weights a scene shows: ``name[*prefix, row]`` at ``decimals``.

    Examples
    --------
    >>> ShownRow(2, "head_weights", (1,)).prefix
    (1,)
    """

    row: int
    name: str = "weights"
    prefix: tuple[int, ...] = ()
    decimals: int | None = None


def rows_add_up(nums: Numbers, rows: Sequence[ShownRow]) -> bool:
    """Whether every row's shown weights add up to its shown sum.

    Examples
    --------
    >>> rows_add_up(nums, [ShownRow(0)])                             # doctest: +SKIP
    False
    """
    return all(_adds_up(nums, r) for r in rows)


def _adds_up(nums: Numbers, r: ShownRow) -> bool:
    """Whether the row's shown parts add up to its shown sum (else they are marked)."""
    places = nums.decimals if r.decimals is None else r.decimals
    total = nums.shown(row_sum_source(r.name, r.prefix, r.row), places)
    shown = nums.rounded_row(r.row, name=r.name, prefix=r.prefix, decimals=places)
    return parts_add_up(shown, total)


def rounded_note(size: float = LABEL) -> Text:
    """ "each weight rounded", muted: the parts beside it are rounded, so may not add up.

    Examples
    --------
    >>> ROUNDED, bool(rounded_note().width > 0)
    ('each weight rounded', True)
    """
    return text(ROUNDED, size=size, color=MUTED)


def sum_line(
    nums: Numbers,
    rows: Sequence[ShownRow],
    *,
    lead: str | None = None,
    size: float = LABEL,
    always: bool = False,
    label: str = "sum of weights",
    note_size: float = LABEL,
    stacked: bool = False,
) -> VGroup:
    """ "Σ = 1.00 · each weight rounded": the rows' true sum, recorded, and the mark.

    Empty when every row's shown weights add up to its sum, unless ``always`` (a chapter
    that shows the sum anyway: then the mark comes only where the parts do not add up).
    Several rows share one line ("each row: Σ = 1.00"); their sums must show alike. The
    parts are ``[lead, sum]`` and, where shown, ``[separator, note]``; ``stacked`` puts the
    note on a line of its own under the sum (left-aligned, no separator), for a narrow place.

    Examples
    --------
    >>> line = sum_line(nums, [ShownRow(0)])                         # doctest: +SKIP
    >>> " ".join(part.text for part in line)                         # doctest: +SKIP
    'Σ = 1.00 · each weight rounded'
    """
    adds_up = rows_add_up(nums, rows)
    if adds_up and not always:
        return VGroup()
    totals = [
        nums.row_total(r.row, name=r.name, prefix=r.prefix, decimals=r.decimals, size=size,
                       label=label, color=WEIGHT)
        for r in rows
    ]  # fmt: skip
    if len({t.text for t in totals}) != 1:
        raise ValueError(f"rows shown with one sum add up to {[t.text for t in totals]}")
    default = "Σ =" if len(rows) == 1 else "each row: Σ ="
    parts = [text(default if lead is None else lead, size=size, color=MUTED), totals[0]]
    line = VGroup(*parts).arrange(RIGHT, buff=0.15)
    if adds_up:
        return line
    if stacked:
        return VGroup(line, rounded_note(note_size)).arrange(DOWN, buff=0.15, aligned_edge=LEFT)
    line.add(text("·", size=note_size, color=MUTED), rounded_note(note_size))
    return line.arrange(RIGHT, buff=0.15)


def sum_beside(
    nums: Numbers, rows: Sequence[ShownRow], numbers: Mobject, fallback_y: float
) -> VGroup:
    """:func:`sum_line` for rows of numbers under tokens: stacked right of ``numbers`` when
    it fits in the frame, else one line centred at ``fallback_y`` (rows that fill the width).
    Empty where the rows' shown weights add up.

    Examples
    --------
    >>> total = sum_beside(nums, [ShownRow(2)], weights, fallback_y=0.2)   # doctest: +SKIP
    """
    beside = sum_line(nums, rows, stacked=True)
    if not len(beside) or beside.next_to(numbers, RIGHT, buff=0.45).get_right()[0] <= (
        FRAME_WIDTH / 2 - MARGIN
    ):
        return beside
    return fit_width(sum_line(nums, rows), SAFE_WIDTH).move_to([0, fallback_y, 0])
