"""Chapter 5: the focus token's output is the weight-blended sum of every value vector.

Head 0's values read in named dimensions, so the output's entries are named beside it and
the one whose share grew most from the focus's own value (``meaning_shift``) is lit.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeTransform,
    GrowFromEdge,
    LaggedStart,
    MoveToTarget,
    VGroup,
)

from scenes.kit import (
    FONT,
    HEAD_FEATURES,
    LABEL,
    MUTED,
    OUTPUT,
    SAFE_WIDTH,
    VALUE,
    WEIGHT,
    KitMarkupText,
    Numbers,
    ShownRow,
    StackedBlendBar,
    TokenRow,
    VectorColumn,
    columns_under,
    dim,
    meaning_shift,
    sum_line,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["ValueBlend"]

WEIGHT_Y = 1.95  # the weight row, just under the tokens
VALUES_Y = 0.95  # centre of the value columns
OUTPUT_Y = -1.05  # centre of the output column
BAR_Y = -2.7  # the stacked blend bar
NAME_SIZE = 18  # the output's dimension names
COLUMN_ROOM = 0.88  # share of a chip's slot a value column may take, as in chapter 2


class ValueBlend(NarratedScene):
    """The output for the focus token: each value vector scaled by its weight, then summed.

    Beats: ``weigh`` (weights appear over the value columns, which dim by weight), ``add``
    (the scaled values pour into the output column), ``blend_bar`` (the same weights as one
    stacked bar: how much of each word the output is; their true sum "Σ = 1.00 · each weight
    rounded" where the rounded ones do not add up).
    """

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        columns = value_columns(nums, row)
        weights = row.under(nums.weight_row(f), WEIGHT_Y)
        focus_ring = row.outline(f)
        with self.beat("weigh") as beat:
            self.play(FadeIn(header, shift=0.2 * RIGHT), FadeIn(row), run_time=beat.share(0.15))
            self.play(
                FadeIn(focus_ring),
                LaggedStart(*(FadeIn(c, shift=0.2 * DOWN) for c in columns), lag_ratio=0.08),
                run_time=beat.share(0.25),
            )
            self.play(
                LaggedStart(*(FadeIn(w) for w in weights), lag_ratio=0.1), run_time=beat.share(0.2)
            )
            # a value counts as much as its weight: dim each column to its share
            top = float(ex.weights[f].max())
            for j, column in enumerate(columns):
                column.generate_target()
                dim(column.target, 0.3 + 0.7 * ex.weights[f, j] / top)
            self.play(*(MoveToTarget(c) for c in columns), run_time=beat.share(0.25))
        output = self.output_column(nums)
        with self.beat("add") as beat:
            pours = [c.copy().animate.move_to(output.body).set_opacity(0) for c in columns]
            self.play(LaggedStart(*pours, lag_ratio=0.06), run_time=beat.share(0.45))
            self.play(FadeIn(output, scale=1.15), run_time=beat.share(0.25))
            self.play(FadeIn(output.names), FadeIn(output.plain), run_time=beat.share(0.1))
            # the gained dimension lights up in the output's colour
            self.play(FadeTransform(output.plain, output.gain), run_time=beat.share(0.1))
        bar = StackedBlendBar(ex.weights[f], ex.tokens, width=SAFE_WIDTH - 1.0, nums=nums, row=f)
        bar.move_to([0, BAR_Y, 0])
        caption = text(f"{ex.focus} after attention =", size=LABEL, color=MUTED)
        caption.next_to(bar.segments, UP, buff=0.15).align_to(bar.segments, LEFT)
        # the weights' true sum over the bar's right end, where the rounded ones do not add up
        total = sum_line(nums, [ShownRow(f)])
        if len(total):
            total.match_y(caption).align_to(bar.segments, RIGHT)
        with self.beat("blend_bar") as beat:
            self.play(
                FadeIn(caption),
                LaggedStart(*(GrowFromEdge(s, LEFT) for s in bar.segments), lag_ratio=0.15),
                run_time=beat.share(0.35),
            )
            self.play(FadeIn(bar.labels), FadeIn(bar.numbers), FadeIn(total),
                      run_time=beat.share(0.2))  # fmt: skip
            # the focus token now carries its context: its ring takes the output colour
            self.play(focus_ring.animate.set_stroke(OUTPUT), run_time=beat.share(0.1))

    def output_column(self, nums: Numbers) -> VGroup:
        """The focus token's output vector (green) with its name on the left."""
        column = VectorColumn(nums.vector("outputs", self.example.focus_index), OUTPUT)
        column.move_to([0, OUTPUT_Y, 0])
        name = text(f"output for {self.example.focus}", size=LABEL, color=OUTPUT)
        name.next_to(column, LEFT, buff=0.3)
        how = KitMarkupText(
            f'= Σ <span foreground="{WEIGHT}">weight</span>'
            f' × <span foreground="{VALUE}">value</span>',
            font=FONT, font_size=LABEL, color=MUTED,
        )  # fmt: skip
        names, plain, gain = self.dimension_names(column)
        how.next_to(VGroup(column, names, plain), RIGHT, buff=0.4)
        group = VGroup(column, name, how)
        group.body = column  # type: ignore[attr-defined]
        group.names = names  # type: ignore[attr-defined]
        group.plain = plain  # type: ignore[attr-defined]
        group.gain = gain  # type: ignore[attr-defined]
        return group

    def dimension_names(self, column: VectorColumn) -> tuple[VGroup, VGroup, VGroup]:
        """Each output entry's dimension name beside it; the gained one lit with a mark.

        Returns the names not gained, the gained one's plain name, and its lit name.

        The gained dimension is the one whose share grew most from the focus's value to its
        output (what attention brought in); nothing is lit when the output is all zero.
        """
        gained = meaning_shift(self.example)
        names, plain, gain = VGroup(), VGroup(), VGroup()
        for entry, dimension in zip(column.entries, HEAD_FEATURES[0], strict=True):
            label = text(dimension, size=NAME_SIZE, color=MUTED)
            label.next_to(column, RIGHT, buff=0.2).set_y(entry.get_y())
            (plain if dimension == gained else names).add(label)
            if dimension == gained:
                lit = text(f"{dimension} ▲", size=NAME_SIZE, color=OUTPUT, weight="BOLD")
                gain.add(lit.move_to(label, aligned_edge=LEFT))
        return names, plain, gain


def value_columns(nums: Numbers, row: TokenRow) -> VGroup:
    """Every token's value vector as a coral column under its chip, sized as in chapter 2."""
    stacks = columns_under(nums, row, (("v", VALUE),), room_share=COLUMN_ROOM, y=VALUES_Y)
    return VGroup(*(stack[0] for stack in stacks))
