"""Pictures of word order for the lower third of a chapter: a bag of words (order lost), the
position signal (one column of sine and cosine shades per place, two of its waves drawn
through the places) and a focus row's weights as bars under their words.

None prints a number: the rows above them print the recorded ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    RIGHT,
    Dot,
    Rectangle,
    RoundedRectangle,
    VGroup,
    VMobject,
    interpolate_color,
)
from manim.utils.color import ManimColor

from scenes.kit.bars import WeightBars
from scenes.kit.chips import TokenRow
from scenes.kit.numbers import Numbers
from scenes.kit.palette import BACKGROUND, GRID, MUTED, TEXT
from scenes.kit.style import SAFE_WIDTH, fit_width

__all__ = ["Band", "bag_of_words", "position_waves", "weight_bars"]


class Band:
    """A horizontal strip of the frame, from ``top`` down to ``bottom``.

    Examples
    --------
    >>> Band(-1.0, -3.0).middle, Band(-1.0, -3.0).height
    (-2.0, 2.0)
    """

    def __init__(self, top: float, bottom: float) -> None:
        self.top, self.bottom = top, bottom
        self.middle, self.height = (top + bottom) / 2, top - bottom


def bag_of_words(row: TokenRow, band: Band) -> VGroup:
    """The row's words in one bag in ``band``, in no order: each once, alphabetically, a
    little askew, in up to three lines.

    Parts: ``words`` (one chip per token, by token index), ``twins`` (the same chips again,
    where a second sentence's words can land) and ``sack`` (the bag).
    """
    n = len(row.chips)
    words = VGroup(*(row.chip(i).copy() for i in range(n)))
    by_word = sorted(range(n), key=lambda i: (row.tokens[i].lower(), i))
    lines = max(1, min(3, int(np.ceil(sum(w.width + 0.2 for w in words) / (SAFE_WIDTH - 2)))))
    per_line = int(np.ceil(n / lines))
    laid = VGroup(
        *(
            VGroup(*(words[i] for i in by_word[k : k + per_line])).arrange(RIGHT, buff=0.2)
            for k in range(0, n, per_line)
        )
    ).arrange(DOWN, buff=0.15)
    fit_width(laid, SAFE_WIDTH - 1.5)
    if laid.height > band.height - 0.4:
        laid.scale_to_fit_height(band.height - 0.4)
    laid.move_to([0, band.middle, 0])
    for k, i in enumerate(by_word):
        words[i].rotate((7 if k % 2 else -6) * DEGREES)
    sack = RoundedRectangle(
        corner_radius=0.3,
        width=laid.width + 0.6,
        height=laid.height + 0.4,
        color=MUTED,
        stroke_width=2,
    ).move_to(laid)
    group = VGroup(words, sack)
    group.words, group.sack = words, sack  # type: ignore[attr-defined]
    group.twins = words.copy()  # type: ignore[attr-defined]
    return group


def position_waves(nums: Numbers, row: TokenRow, band: Band) -> VGroup:
    """Per place, a column of d_model cells shaded by its positional encoding, with the
    first sine and cosine waves drawn through the places, filling ``band``.

    Parts: ``columns`` (one per place) and ``curves`` (the sine and the cosine wave, each
    with a dot at every place; drawn over the columns).
    """
    pe = nums.array("positional_encoding")  # (n, d_model), values in [-1, 1]
    n, d = pe.shape
    width = min(0.42, row.slot_width() * 0.55)
    columns = VGroup()
    for i in range(n):
        cells = (
            Rectangle(
                width=width,
                height=band.height / d,
                fill_color=interpolate_color(ManimColor(GRID), ManimColor(TEXT), (v + 1) / 2),
                fill_opacity=1.0,
                stroke_color=BACKGROUND,
                stroke_width=1,
            )
            for v in pe[i]
        )
        columns.add(VGroup(*cells).arrange(DOWN, buff=0).move_to([row.x_of(i), band.middle, 0]))
    curves = VGroup(*(_wave(pe[:, c], row, band, color) for c, color in ((0, TEXT), (1, MUTED))))
    curves.set_z_index(1)  # over the columns, also while they move
    group = VGroup(columns, curves)
    group.columns, group.curves = columns, curves  # type: ignore[attr-defined]
    return group


def _wave(values: np.ndarray, row: TokenRow, band: Band, color: str) -> VGroup:
    """A wave through ``values`` (one per place, in [-1, 1]), smooth between places."""
    amp = band.height / 2 * 0.8
    points = [np.array([row.x_of(i), band.middle + amp * v, 0.0]) for i, v in enumerate(values)]
    line = VMobject(stroke_color=color, stroke_width=4)
    if len(points) > 2:
        line.set_points_smoothly(points)
    else:
        line.set_points_as_corners(points)
    line.set_stroke(BACKGROUND, width=9, background=True)
    return VGroup(line, *(Dot(p, radius=0.06, color=color) for p in points))


def weight_bars(
    nums: Numbers, rows: Sequence[TokenRow], sources: Sequence[tuple[int, str]], band: Band
) -> list[WeightBars]:
    """Each row's focus weights (``sources``: focus index, matrix name) as bars under its
    words, standing on ``band``'s bottom, all on one scale: the tallest fills the band."""
    weights = [nums.array(name)[f] for f, name in sources]
    full = band.height / max(1e-9, max(float(w.max()) for w in weights))
    width = min(0.4, min(r.slot_width() for r in rows) * 0.5)
    return [
        WeightBars(w, None, r.xs(), band.bottom, full_height=full, bar_width=width)
        for w, r in zip(weights, rows, strict=True)
    ]
