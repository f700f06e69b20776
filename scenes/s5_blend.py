"""Chapter 5: the focus token's output is the weight-blended sum of every value vector."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    FadeIn,
    GrowFromEdge,
    LaggedStart,
    Line,
    MarkupText,
    VGroup,
)

from scenes.kit.blend import StackedBlendBar
from scenes.kit.header import chapter_header
from scenes.kit.numbers import Numbers, number_text
from scenes.kit.palette import MUTED, OUTPUT, VALUE, WEIGHT
from scenes.kit.style import FONT, LABEL, NUMBER, SAFE_WIDTH, SMALL_NUMBER, text
from scenes.kit.tokens import TokenRow
from scenes.kit.vectors import VectorColumn
from scenes.narration import NarratedScene

__all__ = ["ValueBlend"]

WEIGHT_Y = 1.95  # the weight row, just under the tokens
VALUES_Y = 0.95  # centre of the value columns
OUTPUT_Y = -1.05  # centre of the output column
BAR_Y = -2.7  # the stacked blend bar
COLUMN_GAP = 0.1  # least room between neighbouring value columns
# (decimals, font size) tried in order until the value columns fit side by side
_COLUMN_STYLES = ((2, NUMBER), (1, NUMBER), (1, SMALL_NUMBER))


class ValueBlend(NarratedScene):
    """The output for the focus token: each value vector scaled by its weight, then summed.

    Beats: ``weigh`` (weights appear over the value columns, which dim by weight), ``add``
    (the scaled values pour into the output column), ``blend_bar`` (the same weights as one
    stacked bar: how much of each word the output is).
    """

    beat_ids = ("weigh", "add", "blend_bar")

    def construct(self) -> None:
        ex = self.example
        nums = Numbers.for_scene(self)
        f = ex.focus_index
        header = chapter_header(self)
        row = TokenRow(ex.tokens)
        xs, style = fit_columns(row, nums)
        columns = value_columns(nums, xs, *style)
        weights = VGroup(
            *(w.move_to([x, WEIGHT_Y, 0]) for w, x in zip(nums.weight_row(f), xs, strict=True))
        )
        focus_ring = row.outline(f)
        leads = leader_lines(row, xs)
        with self.beat("weigh") as beat:
            self.play(FadeIn(header, shift=0.2 * RIGHT), FadeIn(row), run_time=beat.share(0.15))
            self.play(
                FadeIn(focus_ring),
                FadeIn(leads),
                LaggedStart(*(FadeIn(c, shift=0.2 * DOWN) for c in columns), lag_ratio=0.08),
                run_time=beat.share(0.25),
            )
            self.play(
                LaggedStart(*(FadeIn(w) for w in weights), lag_ratio=0.1), run_time=beat.share(0.2)
            )
            # a value counts as much as its weight: dim each column to its share
            top = float(ex.weights[f].max())
            self.play(
                *(dim(c, 0.3 + 0.7 * ex.weights[f, j] / top) for j, c in enumerate(columns)),
                run_time=beat.share(0.25),
            )
        output = self.output_column(nums)
        with self.beat("add") as beat:
            pours = [c.copy().animate.move_to(output.body).set_opacity(0) for c in columns]
            self.play(LaggedStart(*pours, lag_ratio=0.06), run_time=beat.share(0.45))
            self.play(FadeIn(output, scale=1.15), run_time=beat.share(0.25))
        bar = StackedBlendBar(ex.weights[f], ex.tokens, width=SAFE_WIDTH - 1.0, nums=nums, row=f)
        bar.move_to([0, BAR_Y, 0])
        caption = text(f"{ex.focus} after attention =", size=LABEL, color=MUTED)
        caption.next_to(bar.segments, UP, buff=0.15).align_to(bar.segments, LEFT)
        with self.beat("blend_bar") as beat:
            self.play(
                FadeIn(caption),
                LaggedStart(*(GrowFromEdge(s, LEFT) for s in bar.segments), lag_ratio=0.15),
                run_time=beat.share(0.35),
            )
            self.play(FadeIn(bar.labels), FadeIn(bar.numbers), run_time=beat.share(0.2))
            # the focus token now carries its context: its ring takes the output colour
            self.play(focus_ring.animate.set_stroke(OUTPUT), run_time=beat.share(0.1))

    def output_column(self, nums: Numbers) -> VGroup:
        """The focus token's output vector (green) with its name on the left."""
        column = VectorColumn(nums.vector("outputs", self.example.focus_index), OUTPUT)
        column.move_to([0, OUTPUT_Y, 0])
        name = text(f"output for {self.example.focus}", size=LABEL, color=OUTPUT)
        name.next_to(column, LEFT, buff=0.3)
        how = MarkupText(
            f'= Σ <span foreground="{WEIGHT}">weight</span>'
            f' × <span foreground="{VALUE}">value</span>',
            font=FONT, font_size=LABEL, color=MUTED,
        )  # fmt: skip
        how.next_to(column, RIGHT, buff=0.3)
        group = VGroup(column, name, how)
        group.body = column  # type: ignore[attr-defined]
        return group


def value_columns(nums: Numbers, xs: Sequence[float], decimals: int, size: float) -> VGroup:
    """Every token's value vector as a coral column, centred at ``xs``."""
    return VGroup(
        *(
            VectorColumn(nums.vector("v", j, decimals=decimals, size=size), VALUE).move_to(
                [x, VALUES_Y, 0]
            )
            for j, x in enumerate(xs)
        )
    )


def leader_lines(row: TokenRow, xs: Sequence[float]) -> VGroup:
    """Faint lines from each chip down to its column when the columns are not under it."""
    lines = VGroup()
    for j, x in enumerate(xs):
        chip = row.chip(j)
        if abs(chip.get_x() - x) > 0.05:
            lines.add(
                Line(chip.get_bottom(), [x, WEIGHT_Y + 0.18, 0], stroke_width=1.5, color=MUTED)
            )
    return lines


def dim(column: VectorColumn, opacity: float) -> Animation:
    """Fade a column's numbers and brackets to ``opacity`` (brackets stay unfilled)."""
    return AnimationGroup(
        column.rows.animate.set_opacity(opacity),
        column.brackets.animate.set_stroke(opacity=opacity),
    )


def fit_columns(row: TokenRow, nums: Numbers) -> tuple[list[float], tuple[int, float]]:
    """Where the value columns go and how their numbers look (decimals, font size).

    Columns sit under their chips with the first style of ``_COLUMN_STYLES`` that fits
    between neighbouring chips; if none does, they are spread evenly over the safe width.
    """
    n = len(row.tokens)
    for decimals, size in _COLUMN_STYLES:
        width = _widest_column(nums, n, decimals, size)
        if width + COLUMN_GAP <= row.slot_width():
            return row.xs(), (decimals, size)
    decimals, size = _COLUMN_STYLES[-1]
    pitch = SAFE_WIDTH / n
    return list((np.arange(n) - (n - 1) / 2) * pitch), (decimals, size)


def _widest_column(nums: Numbers, n: int, decimals: int, size: float) -> float:
    """Width of the widest value column at this style, measured without recording."""
    widest = max(
        (
            nums.shown(f"v[{j}, {d}]", decimals)
            for j in range(n)
            for d in range(nums.example.d_head)
        ),
        key=len,
    )
    return VectorColumn([number_text(widest, size=size)], VALUE).width
