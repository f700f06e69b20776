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
    Indicate,
    LaggedStart,
    ReplacementTransform,
    TransformFromCopy,
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
    meaning_shift,
    sum_line,
    text,
)
from scenes.kit.motion import converge, cue_shares, scaled_by_weight
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

    Beats: ``weigh`` (weights appear over the value columns; each column shrinks and
    dims to its weight's share), ``add`` (copies of the weighted values travel down and
    become the output column; the gained dimension lights), ``blend_bar`` (the weights lay
    themselves end to end as one stacked bar: how much of each word the output is; their
    true sum "Σ = 1.00 · each weight rounded" where the rounded ones do not add up; the
    output goes up into the focus token, whose ring takes the output colour).
    """

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        columns = value_columns(nums, row)
        weights = row.under(nums.weight_row(f), WEIGHT_Y)
        focus_ring = row.outline(f)
        with self.beat("weigh") as beat:
            self.play(FadeIn(header, shift=0.2 * RIGHT), FadeIn(row), run_time=beat.share(0.12))
            self.play(
                FadeIn(focus_ring),
                LaggedStart(*(FadeIn(c, shift=0.3 * DOWN) for c in columns), lag_ratio=0.08),
                run_time=beat.share(0.25),
            )
            self.play(
                LaggedStart(*(FadeIn(w, shift=0.15 * DOWN) for w in weights), lag_ratio=0.1),
                run_time=beat.share(0.18),
            )
            # "scaled by its weight": each value shrinks and fades to its weight's share
            self.play(scaled_by_weight(columns, ex.weights[f].tolist()), run_time=beat.share(0.42))
        output = self.output_column(nums)
        with self.beat("add") as beat:
            named, its, gain = cue_shares(beat.plan.text, ("new vector", "its biggest", "gain"))
            # "adding them up": the weighted values travel down and become one vector
            self.play(converge(columns, output.body), run_time=beat.share(max(named, 0.3)))
            # "a new vector for <focus>"
            self.play(
                FadeIn(output.title, shift=0.2 * RIGHT),
                FadeIn(output.how, shift=0.2 * LEFT),
                run_time=beat.share(max(its - named, 0.1)),
            )
            self.play(
                FadeIn(VGroup(output.names, output.plain), shift=0.1 * RIGHT),
                run_time=beat.share(max(gain - its, 0.08)),
            )
            # "its biggest gain": the gained dimension lights up in the output's colour
            self.play(
                ReplacementTransform(output.plain, output.gain),
                *(Indicate(e, color=OUTPUT, scale_factor=1.25) for e in output.gained_entry),
                run_time=beat.share(max(0.95 - gain, 0.15)),
            )
        bar = StackedBlendBar(ex.weights[f], ex.tokens, width=SAFE_WIDTH - 1.0, nums=nums, row=f)
        bar.move_to([0, BAR_Y, 0])
        caption = text(f"{ex.focus} after attention =", size=LABEL, color=MUTED)
        caption.next_to(bar.segments, UP, buff=0.15).align_to(bar.segments, LEFT)
        # the weights' true sum over the bar's right end, where the rounded ones do not add up
        total = sum_line(nums, [ShownRow(f)])
        if len(total):
            total.match_y(caption).align_to(bar.segments, RIGHT)
        with self.beat("blend_bar") as beat:
            (now,) = cue_shares(beat.plan.text, ("now",), start=0.3)
            # "it is a blend": the weights above the values lay themselves end to end
            pieces = zip(weights, bar.segments, strict=True)
            self.play(
                FadeIn(caption),
                LaggedStart(*(TransformFromCopy(w, s) for w, s in pieces), lag_ratio=0.15),
                run_time=beat.share(0.55 * now),
            )
            self.play(
                FadeIn(bar.labels),
                FadeIn(bar.numbers, shift=0.1 * UP),
                FadeIn(total),
                run_time=beat.share(0.45 * now),
            )
            # "now it knows its context": the output goes up into the focus token
            carried = output.body.copy()
            self.play(
                carried.animate.scale_to_fit_height(focus_ring.height)
                .move_to(focus_ring)
                .set_opacity(0),
                focus_ring.animate.set_stroke(OUTPUT, width=5),
                run_time=beat.share(max(0.95 - now, 0.15)),
            )
            self.remove(carried)

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
        group.title = name  # type: ignore[attr-defined]
        group.how = how  # type: ignore[attr-defined]
        group.names = names  # type: ignore[attr-defined]
        group.plain = plain  # type: ignore[attr-defined]
        group.gain = gain  # type: ignore[attr-defined]
        gained = [e for e, d in zip(column.entries, HEAD_FEATURES[0], strict=True)
                  if d == meaning_shift(self.example)]  # fmt: skip
        group.gained_entry = gained  # type: ignore[attr-defined]
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
