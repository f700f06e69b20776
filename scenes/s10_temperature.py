"""Chapter "temperature": dividing the scores by T before softmax sharpens or flattens the row."""

from __future__ import annotations

from manim import (
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Transform,
    VGroup,
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
from scenes.narration import NarratedScene

__all__ = ["Temperature"]

SCALED_Y = 1.8
STATUS_Y = 1.05
BASELINE_Y = -2.7
NOTE_Y = -3.35
BAR_LABEL_GAP = 0.1


class Temperature(NarratedScene):
    """The focus row's scaled scores through softmax at several temperatures, as bars.

    Beats: ``knob`` (the scaled scores and the formula softmax(s ÷ T)), ``sweep`` (the bars
    at each temperature of the ``temperatures`` parameter, the top weight stated at each, and
    the row's true sum "Σ = 1.00 · each weight rounded" where the rounded ones do not add up),
    ``root_d`` (dividing by √d is this same knob, set once).
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
            self.play(FadeIn(header), FadeIn(row), Create(ring), run_time=beat.share(0.2))
            self.play(FadeIn(scaled), FadeIn(label), run_time=beat.share(0.25))
            self.play(FadeIn(formula, shift=0.1 * UP), run_time=beat.share(0.25))

        with self.beat("sweep") as beat:
            step = 0.9 / len(charts)
            first = charts[0]
            self.play(
                FadeIn(first.bars.baseline),
                first.bars.grow(),
                FadeIn(first.values),
                FadeIn(first.status),
                run_time=beat.share(step * 0.6),
            )
            self.wait(beat.share(step * 0.4))
            # the first chart's bars stay on screen and take each next chart's heights
            bars, shown = first.bars.bars, first
            for chart in charts[1:]:
                self.play(
                    Transform(bars, chart.bars.bars),
                    *(FadeTransform(a, b) for a, b in zip(shown.values, chart.values, strict=True)),
                    FadeTransform(shown.status, chart.status),
                    run_time=beat.share(step * 0.5),
                )
                self.wait(beat.share(step * 0.5))
                shown = chart

        with self.beat("root_d") as beat:
            note = self.root_d_note(nums)
            self.play(FadeOut(formula), run_time=beat.share(0.15))
            self.play(FadeIn(note, shift=0.1 * UP), run_time=beat.share(0.35))

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
