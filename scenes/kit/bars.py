"""A weight bar chart: one violet bar per token, its height proportional to the weight."""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, UP, AnimationGroup, GrowFromEdge, Line, Rectangle, Text, VGroup

from scenes.kit.palette import GRID, WEIGHT

__all__ = ["WeightBars"]


class WeightBars(VGroup):
    """Vertical bars standing on a baseline, one per token, each under its token's x.

    A weight of 1 would be ``full_height`` tall, so bar heights compare honestly across
    charts. The shown values (already recorded Texts) sit on top of their bars.

    Parameters
    ----------
    weights
        The exact weights (bar heights), e.g. ``example.weights[focus]``.
    labels
        The displayed values, one Text per bar (from :meth:`Numbers.weight_row`), or None.
    xs
        Horizontal centres, one per bar (``TokenRow.xs()`` keeps bars under their tokens).
    baseline_y
        Where the bars stand.
    full_height
        Height of a bar of weight 1.
    bar_width
        Width of each bar.
    color
        Fill colour (WEIGHT: these are weights).

    Examples
    --------
    >>> bars = WeightBars([0.25, 0.75], None, xs=[-1.0, 1.0], baseline_y=-2.0)
    >>> float(round(bars.bar(1).height / bars.bar(0).height, 6))
    3.0
    """

    def __init__(
        self,
        weights: Sequence[float],
        labels: Sequence[Text] | None,
        xs: Sequence[float],
        baseline_y: float,
        full_height: float = 3.0,
        bar_width: float = 0.5,
        color: str = WEIGHT,
    ) -> None:
        self.weights = [float(w) for w in weights]
        self.bars = VGroup()
        for weight, x in zip(self.weights, xs, strict=True):
            # a sliver keeps zero weights visible as "there, but nothing"
            bar = Rectangle(
                width=bar_width,
                height=max(weight * full_height, 0.02),
                fill_color=color,
                fill_opacity=0.85,
                stroke_width=0,
            )
            bar.move_to([x, baseline_y, 0], aligned_edge=DOWN)
            self.bars.add(bar)
        span = (min(xs) - bar_width, max(xs) + bar_width)
        self.baseline = Line([span[0], baseline_y, 0], [span[1], baseline_y, 0], color=GRID)
        self.values = VGroup()
        if labels is not None:
            for bar, label in zip(self.bars, labels, strict=True):
                label.next_to(bar, UP, buff=0.1)
                self.values.add(label)
        super().__init__(self.baseline, self.bars, self.values)

    def bar(self, index: int) -> Rectangle:
        """The bar of token ``index``."""
        return self.bars[index]

    def grow(self, lag_ratio: float = 0.08) -> AnimationGroup:
        """Bars grow up from the baseline, left to right."""
        return AnimationGroup(*(GrowFromEdge(bar, DOWN) for bar in self.bars), lag_ratio=lag_ratio)
