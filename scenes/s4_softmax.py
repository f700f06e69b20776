"""Chapter 4: softmax turns the scaled scores into weights in [0, 1] that add up to 1.

The sum shown is the row's true sum; where the weights, each rounded, do not add up to it,
the line says so ("each weight rounded").
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeTransform,
    GrowArrow,
    Indicate,
    LaggedStart,
    Mobject,
    Rectangle,
    Succession,
    TransformFromCopy,
    VGroup,
    Write,
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
    caption,
    fit_width,
    fitting_decimals,
    named_tokens,
    sum_line,
    text,
)
from scenes.kit.motion import cue_shares
from scenes.narration import NarratedScene

__all__ = ["Softmax"]

SCALED_Y = 1.75
WEIGHTS_Y = 0.35
BASELINE_Y = -2.38
BAR_FULL_HEIGHT = 6.0  # a weight of 1 would be this tall, unless the top bar would not fit
BAR_LABEL_GAP = 0.1
SUM_Y = -3.08


BOUNDS = "each weight between zero and one"
STACK_HEIGHT = 0.14  # the bars laid end to end, between the baseline and the sum


def end_to_end(bars: WeightBars, weights: list[float]) -> tuple[Rectangle, VGroup]:
    """The outline of a bar of weight one, lying down under the chart, and the bars' exact
    lengths laid end to end inside it (their sum is one: they fill it)."""
    full = bars.full_height  # type: ignore[attr-defined]
    outline = Rectangle(width=full, height=STACK_HEIGHT).set_stroke(MUTED, 1.5)
    pieces = VGroup(
        *(
            Rectangle(width=max(w * full, 1e-3), height=STACK_HEIGHT)
            .set_fill(WEIGHT, 0.85)
            .set_stroke(width=0)
            for w in weights
        )
    ).arrange(RIGHT, buff=0)
    y = (BASELINE_Y + SUM_Y) / 2
    outline.move_to([bars.baseline.get_center()[0], y, 0])
    pieces.move_to(outline, aligned_edge=LEFT)
    return outline, pieces


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
            bounds = fit_width(caption(BOUNDS, BODY), SAFE_WIDTH).move_to([0, SUM_Y, 0])
            said = beat.plan.text
            scores, into, between = cue_shares(said, ("scaled scores", "weights", "between"))
            scores = max(scores, 0.15)
            into, between = max(into, scores + 0.1), max(between, scores + 0.2)
            # "Softmax turns": the step is named, between where the two rows will be
            self.play(
                FadeIn(header),
                FadeIn(row),
                Create(ring),
                GrowArrow(arrow),
                FadeIn(name),
                run_time=beat.share(scores),
            )
            # "the scaled scores": the focus row's scaled scores come down under the tokens
            self.play(
                LaggedStart(*(FadeIn(s, shift=0.5 * DOWN) for s in scaled), lag_ratio=0.15),
                FadeIn(label_scaled),
                run_time=beat.share(into - scores),
            )
            # "into weights": each score becomes its weight, left to right
            self.play(
                LaggedStart(
                    # a number becoming another cross-fades: morphing digits shatters them
                    *(FadeTransform(s.copy(), w) for s, w in zip(scaled, weights, strict=True)),
                    lag_ratio=0.1,
                ),
                FadeIn(label_weights),
                run_time=beat.share(between - into),
            )
            # "between zero and one": said under the chart, where their sum will stand
            self.play(Write(bounds), run_time=beat.share(max(0.97 - between, 0.1)))

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

        self.play_sum(nums, bars, on_bars, bounds)

    def play_sum(self, nums: Numbers, bars: WeightBars, on_bars: VGroup, bounds: Mobject) -> None:
        """The ``sum`` beat: the weights laid end to end fill a bar of one; their true sum."""
        ex = self.example
        f = ex.focus_index
        with self.beat("sum") as beat:
            total = self.weight_sum(nums, f)
            outline, pieces = end_to_end(bars, ex.weights[f].tolist())
            add, one = cue_shares(beat.plan.text, ("add up", "exactly one"))
            add, one = max(add, 0.15), max(one, add + 0.15)
            # "the weights": the shown weights, one after another
            self.play(
                LaggedStart(
                    *(Indicate(w, color=TEXT, scale_factor=1.2) for w in on_bars), lag_ratio=0.1
                ),
                run_time=beat.share(add),
            )
            # "add up": the bars, laid end to end, fill the length of a weight of one
            self.play(
                Create(outline),
                LaggedStart(
                    *(TransformFromCopy(bars.bar(j), p) for j, p in enumerate(pieces)),
                    lag_ratio=0.08,
                ),
                run_time=beat.share(one - add),
            )
            # "exactly one": their true sum, where "between zero and one" stood
            self.play(FadeTransform(bounds, total), run_time=beat.share(max(0.97 - one, 0.1)))

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
        full = min(BAR_FULL_HEIGHT, bar_room / float(ex.weights[f].max()))
        bars = WeightBars(
            ex.weights[f],
            None,
            row.xs(),
            BASELINE_Y,
            full_height=full,
            bar_width=min(0.55, row.slot_width() * 0.6),
        )
        bars.full_height = full  # type: ignore[attr-defined]
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
