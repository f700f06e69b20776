"""Chapter "temperature": dividing the scores by T before softmax sharpens or flattens the row."""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeTransform,
    LaggedStart,
    ReplacementTransform,
    Transform,
    VGroup,
    linear,
)

from attention.numbers.sources import call_source
from scenes.kit import (
    BODY,
    FRAME_WIDTH,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    Numbers,
    ShownRow,
    TokenRow,
    WeightBars,
    caption,
    cell_source,
    fit_width,
    fitting_decimals,
    sum_line,
    temperature_decimals,
    text,
)
from scenes.kit.motion import cue_shares
from scenes.narration import NarratedScene

__all__ = ["Temperature"]

SCALED_Y = 1.8
STATUS_Y = 1.05
BASELINE_Y = -2.7
NOTE_Y = -3.35
BAR_LABEL_GAP = 0.1


class Temperature(NarratedScene):
    """The focus row's scaled scores through softmax at several temperatures, as bars.

    Beats: ``knob`` (the formula softmax(s ÷ T) on "dial", the scaled scores one by one on
    "each score"), ``sweep`` (the bars at the temperature nearest 1, then, each on the words
    that name it, morphing to the lowest temperature of the ``temperatures`` parameter and
    up to the highest; the top weight stated at each, and the row's true sum "Σ = 1.00 · each
    weight rounded" where the rounded ones do not add up), ``root_d`` (the formula becomes
    "÷ √d is this knob, set once"; on "same dial" the bars go back to where softmax alone
    sits).
    """

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        temps = self.temperatures()
        ring = row.outline(f, QUERY)
        places = fitting_decimals(
            nums, [f"scaled_scores[{f}, {j}]" for j in range(ex.n_tokens)], row.slot_width() - 0.1
        )
        scaled = row.under(
            [nums.text(f"scaled_scores[{f}, {j}]", decimals=places) for j in range(ex.n_tokens)],
            SCALED_Y,
        )
        label = self.row_label(row)
        formula = caption("weights = softmax(q·k/√d ÷ T): divide every score by T first", LABEL)
        fit_width(formula, SAFE_WIDTH).move_to([0, NOTE_Y, 0])
        charts = [self.chart(nums, row, t) for t in temps]

        with self.beat("knob") as beat:
            dial, each = cue_shares(beat.plan.text, ("dial", "each score"))
            self.play(FadeIn(header), FadeIn(row), Create(ring), rate_func=linear,
                      run_time=beat.share(max(dial, 0.15)))  # fmt: skip
            # "a hidden dial: temperature": the formula with its T
            self.play(FadeIn(formula, shift=0.3 * UP), rate_func=linear,
                      run_time=beat.share(max(each - dial, 0.15)))  # fmt: skip
            # "each score is divided by it first": the scores come down one by one, steadily
            self.play(
                FadeIn(label),
                LaggedStart(*(FadeIn(v, shift=0.4 * DOWN) for v in scaled), lag_ratio=0.3),
                rate_func=linear,
                run_time=beat.share(max(0.97 - each, 0.15)),
            )

        # the dial starts where softmax alone sits (T = 1, when shown), then turns as named
        start = min(range(len(temps)), key=lambda k: abs(temps[k] - 1.0))
        sequence = [start] + sorted((k for k in range(len(temps)) if k != start),
                                    key=lambda k: temps[k])  # fmt: skip
        with self.beat("sweep") as beat:
            said = cue_shares(
                beat.plan.text,
                [f"{temps[k]:.{temperature_decimals(temps[k])}f}" for k in sequence[1:]],
            )
            said = [max(s - 0.04, 0.1) for s in said]  # the dial turns as its value is said
            first = charts[sequence[0]]
            home = VGroup(first.bars.bars.copy(), first.values.copy(), first.status.copy())
            self.play(
                FadeIn(first.bars.baseline),
                first.bars.grow(),
                FadeIn(first.values),
                FadeIn(first.status),
                run_time=beat.share(max(said[0] if said else 0.9, 0.15)),
            )
            # the first chart's bars stay on screen and take each next chart's heights,
            # each turn starting on the words that name its temperature
            bars, shown = first.bars.bars, first
            ends = [*said[1:], 0.97]
            for k, begin, end in zip(sequence[1:], said, ends, strict=False):
                chart = charts[k]
                self.play(
                    Transform(bars, chart.bars.bars),
                    *(FadeTransform(a, b) for a, b in zip(shown.values, chart.values, strict=True)),
                    FadeTransform(shown.status, chart.status),
                    run_time=beat.share(max(end - begin, 0.15)),
                )
                shown = chart

        with self.beat("root_d") as beat:
            (same,) = cue_shares(beat.plan.text, ("same dial",))
            note = self.root_d_note(nums)
            # "dividing by the square root of d": the formula becomes the note
            self.play(ReplacementTransform(formula, note), run_time=beat.share(max(same, 0.15)))
            # "this same dial, set once": the dial goes back to where softmax alone sits
            self.play(
                Transform(bars, home[0]),
                *(FadeTransform(a, b) for a, b in zip(shown.values, home[1], strict=True)),
                FadeTransform(shown.status, home[2]),
                run_time=beat.share(max(0.97 - same, 0.15)),
            )

    def temperatures(self) -> list[float]:
        """The ``temperatures`` parameter as floats; each must be above zero."""
        temps = [float(t) for t in self.param("temperatures")]
        if not temps or any(t <= 0 for t in temps):
            raise ValueError(f"temperatures must be above 0, got {temps}")
        return temps

    def chart(self, nums: Numbers, row: TokenRow, t: float) -> VGroup:
        """Bars of the focus row at temperature ``t``, their numbers, and the status line."""
        ex = self.example
        f = ex.focus_index
        name = call_source("tempered_weights", t)
        decimals = fitting_decimals(
            nums, [cell_source(name, f, j) for j in range(ex.n_tokens)], row.slot_width() * 0.95
        )
        values = row.under(nums.weight_row(f, name=name, decimals=decimals), 0)
        top_weight = max(
            float(nums.array(call_source("tempered_weights", s))[f].max())
            for s in self.temperatures()
        )
        label_room = values.height + BAR_LABEL_GAP
        full = (STATUS_Y - 0.45 - BASELINE_Y - label_room) / top_weight
        bars = WeightBars(
            nums.array(name)[f],
            None,
            row.xs(),
            BASELINE_Y,
            full_height=full,
            bar_width=min(0.55, row.slot_width() * 0.6),
        )
        for value, bar in zip(values, bars.bars, strict=True):
            value.next_to(bar, UP, buff=BAR_LABEL_GAP)
        top = int(nums.array(name)[f].argmax())
        total = sum_line(nums, [ShownRow(f, name, decimals=decimals)])
        status = VGroup(
            VGroup(
                text("T =", size=BODY, color=TEXT),
                nums.text(
                    call_source("temperature", t),
                    label="T",
                    decimals=temperature_decimals(t),
                    size=BODY,
                ),
            ).arrange(RIGHT, buff=0.18),
            VGroup(
                text(f"top weight, {ex.tokens[top]}:", size=BODY, color=MUTED),
                VGroup(*nums.weight_row(f, name=name, decimals=decimals, size=BODY))[top],
            ).arrange(RIGHT, buff=0.18),
            *([total] if len(total) else []),
        ).arrange(RIGHT, buff=0.7)
        fit_width(status, SAFE_WIDTH).move_to([0, STATUS_Y, 0])
        chart = VGroup(bars, values, status)
        chart.bars, chart.values, chart.status = bars, values, status  # type: ignore[attr-defined]
        return chart

    def row_label(self, row: TokenRow) -> VGroup:
        """ "q·k/√d" left of the scores, or nothing when the row fills the width."""
        label = text("q·k/√d", size=LABEL, color=MUTED).move_to([0, SCALED_Y, 0])
        right_edge = row.get_left()[0] - 0.25
        if right_edge - label.width < -FRAME_WIDTH / 2 + MARGIN:
            return VGroup()
        return VGroup(label.align_to([right_edge, 0, 0], RIGHT))

    def root_d_note(self, nums: Numbers) -> VGroup:
        """Dividing by √d is a temperature too: T = √d on the raw scores q·k."""
        line = VGroup(
            text("÷ √d is this knob, set once: T = √d =", size=LABEL, color=TEXT),
            nums.text("sqrt_d_head", label="√d_head", size=LABEL),
            text("on the raw scores q·k", size=LABEL, color=TEXT),
        ).arrange(RIGHT, buff=0.15)
        return fit_width(line, SAFE_WIDTH).move_to([0, NOTE_Y, 0])
