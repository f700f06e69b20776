"""Chapter 4: softmax turns the scaled scores into weights in [0, 1] that add up to 1.

The sum shown is the row's true sum; where the weights, each rounded, do not add up to it,
the line says so ("each weight rounded").
"""

from __future__ import annotations

from manim import (
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    Indicate,
    LaggedStart,
    Succession,
    TransformFromCopy,
    VGroup,
)

from scenes.kit import (
    BODY,
    FRAME_WIDTH,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    WEIGHT,
    Numbers,
    ShownRow,
    TokenRow,
    WeightBars,
    fit_width,
    fitting_decimals,
    named_tokens,
    sum_line,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["Softmax"]

SCALED_Y = 1.75
WEIGHTS_Y = 0.35
BASELINE_Y = -2.6
BAR_FULL_HEIGHT = 6.0  # a weight of 1 would be this tall, unless the top bar would not fit
BAR_LABEL_GAP = 0.1
SUM_Y = -3.2


class Softmax(NarratedScene):
    """Scaled scores -> weights; a bar per token; their true sum, 1.00."""

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        ring = row.outline(f, QUERY)
        margin_x = max(-6.6, row.get_left()[0] - 0.6)

        with self.beat("normalise") as beat:
            scaled, weights = self.score_rows(nums, row, f)
            arrow, name = self.softmax_arrow(margin_x)
            label_scaled, label_weights = self.row_labels(row)
            self.play(
                FadeIn(header),
                FadeIn(row),
                Create(ring),
                FadeIn(scaled),
                FadeIn(label_scaled),
                run_time=beat.share(0.25),
            )
            self.play(GrowArrow(arrow), FadeIn(name), run_time=beat.share(0.15))
            self.play(
                LaggedStart(
                    # a number becoming another cross-fades: morphing digits shatters them
                    *(FadeTransform(s.copy(), w) for s, w in zip(scaled, weights, strict=True)),
                    lag_ratio=0.1,
                ),
                FadeIn(label_weights),
                run_time=beat.share(0.4),
            )

        with self.beat("bars") as beat:
            bars, on_bars = self.weight_bars(weights, row, f)
            self.play(FadeIn(bars.baseline), bars.grow(), run_time=beat.share(0.3))
            self.play(
                *(TransformFromCopy(w, b) for w, b in zip(weights, on_bars, strict=True)),
                run_time=beat.share(0.2),
            )
            named = named_tokens(ex)
            self.play(
                Succession(
                    *(
                        Indicate(VGroup(bars.bar(j), on_bars[j]), color=TEXT, scale_factor=1.15)
                        for j in named
                    )
                ),
                run_time=beat.share(0.45),
            )

        with self.beat("sum") as beat:
            total = self.weight_sum(nums, f)
            # copies of the six weights fly into their sum and fade as it appears (morphing
            # "0.17" into "1.00" glyph by glyph would shatter the digits on the way)
            self.play(
                LaggedStart(
                    *(FadeOut(w, target_position=total[1]) for w in on_bars.copy()),
                    lag_ratio=0.08,
                ),
                FadeIn(total[0]),
                FadeIn(total[1], scale=0.8),
                FadeIn(total[2:]),
                run_time=beat.share(0.45),
            )

    def score_rows(self, nums: Numbers, row: TokenRow, f: int) -> tuple[VGroup, VGroup]:
        """The focus row's scaled scores and, under them, its weights (adding up to 1)."""
        n = self.example.n_tokens
        places = fitting_decimals(
            nums, [f"scaled_scores[{f}, {j}]" for j in range(n)], row.slot_width() - 0.1
        )
        scaled = row.under(
            [nums.text(f"scaled_scores[{f}, {j}]", decimals=places) for j in range(n)],
            SCALED_Y,
        )
        return scaled, row.under(nums.weight_row(f), WEIGHTS_Y)

    def softmax_arrow(self, margin_x: float) -> tuple[Arrow, VGroup]:
        """The arrow from the scores down to the weights, named "softmax", in the margin."""
        arrow = Arrow(
            [0, SCALED_Y - 0.25, 0],
            [0, WEIGHTS_Y + 0.25, 0],
            buff=0,
            color=MUTED,
            stroke_width=2,
            max_tip_length_to_length_ratio=0.15,
        )
        arrow.set_x(margin_x)
        return arrow, text("softmax", size=LABEL, color=TEXT).next_to(arrow, RIGHT, buff=0.15)

    def weight_bars(self, weights: VGroup, row: TokenRow, f: int) -> tuple[WeightBars, VGroup]:
        """A bar per token and the weights moved on top of their bars."""
        ex = self.example
        # the tallest bar and its label stay under the weight row (a 2-token row peaks
        # near 0.5); otherwise a weight of 1 is BAR_FULL_HEIGHT, the same in every video
        label_height = weights.height
        bar_room = WEIGHTS_Y - BASELINE_Y - 1.5 * label_height - 0.25 - BAR_LABEL_GAP
        bars = WeightBars(
            ex.weights[f],
            None,
            row.xs(),
            BASELINE_Y,
            full_height=min(BAR_FULL_HEIGHT, bar_room / float(ex.weights[f].max())),
            bar_width=min(0.55, row.slot_width() * 0.6),
        )
        on_bars = weights.copy()
        for w, bar in zip(on_bars, bars.bars, strict=True):
            w.next_to(bar, UP, buff=BAR_LABEL_GAP)
        return bars, on_bars

    def weight_sum(self, nums: Numbers, f: int) -> VGroup:
        """ "sum of weights = 1.00" under the bars (" · each weight rounded" where the shown
        weights add up to something else)."""
        line = sum_line(nums, [ShownRow(f)], lead="sum of weights =", size=BODY, always=True)
        return fit_width(line, SAFE_WIDTH).move_to([0, SUM_Y, 0])

    def row_labels(self, row: TokenRow) -> tuple[VGroup, VGroup]:
        """ "q·k/√d" and "weight" left of the rows, or nothing when the rows fill the width."""
        labels = (
            text("q·k/√d", size=LABEL, color=MUTED).move_to([0, SCALED_Y, 0]),
            text("weight", size=LABEL, color=WEIGHT).move_to([0, WEIGHTS_Y, 0]),
        )
        right_edge = row.get_left()[0] - 0.25
        if right_edge - max(label.width for label in labels) < -FRAME_WIDTH / 2 + MARGIN:
            return VGroup(), VGroup()
        return tuple(VGroup(label.align_to([right_edge, 0, 0], RIGHT)) for label in labels)
