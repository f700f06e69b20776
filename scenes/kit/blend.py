"""StackedBlendBar: one bar whose segment widths are a weight row (the "weighted blend")."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, Rectangle, Text, VGroup, interpolate_color
from manim.utils.color import ManimColor
from numpy.typing import ArrayLike

from scenes.kit.numbers import Numbers, number_text
from scenes.kit.palette import BACKGROUND, TEXT, WEIGHT
from scenes.kit.style import FONT, LABEL, NUMBER
from scenes.kit.typeset import KitText

__all__ = ["StackedBlendBar"]

# Neighbouring segments alternate between full violet and a deeper violet so that two
# adjacent segments of similar width never merge into one block.
_SHADES = (ManimColor(WEIGHT), interpolate_color(ManimColor(WEIGHT), ManimColor(BACKGROUND), 0.35))
_PAD = 0.08  # room a label keeps from its segment's edges


class StackedBlendBar(VGroup):
    """A single bar split into one segment per token, each as wide as the token's weight.

    It reads as "the output is this much of each word": seed 000's weighted blend. Segment
    widths are the exact weights (they add up to ``width``); each segment carries its token
    when the word fits inside it, and, if ``nums`` is given, the weights under it (each the
    nearest value, recorded) when they all fit.

    Parameters
    ----------
    weights
        One weight row (length ``n``, sums to 1).
    tokens
        The ``n`` tokens, left to right in sentence order.
    width, height
        The bar's size in scene units.
    nums, row
        The scene's :class:`scenes.kit.numbers.Numbers` and the query row the weights
        are (``weights[row]``): draws and records the numbers under the bar. Without them
        no numbers are drawn.
    head
        Record ``head_weights[head, row, j]`` instead of ``weights[row, j]``.
    label_font_size, number_font_size
        Font sizes of the token labels and the numbers.

    Examples
    --------
    >>> bar = StackedBlendBar([0.5, 0.3, 0.2], ["cat", "sat", "mat"], width=6.0)
    >>> [float(round(s.width, 6)) for s in bar.segments]
    [3.0, 1.8, 1.2]
    """

    def __init__(
        self,
        weights: ArrayLike,
        tokens: Sequence[str],
        *,
        width: float = 10.0,
        height: float = 0.6,
        nums: Numbers | None = None,
        row: int | None = None,
        head: int | None = None,
        label_font_size: float = LABEL,
        number_font_size: float = NUMBER,
    ) -> None:
        super().__init__()
        w = np.asarray(weights, dtype=np.float64)  # (n,)
        if w.ndim != 1 or len(w) != len(tokens):
            raise ValueError(
                f"StackedBlendBar needs one weight per token: {w.shape} vs {len(tokens)}"
            )
        self.weights = w
        self.segments = self._make_segments(w, width, height)
        self.labels = self._make_labels(tokens, label_font_size)
        self.numbers = VGroup()
        if nums is not None and row is not None:
            self.numbers = self._make_numbers(nums, row, head, number_font_size)
        self.add(self.segments, self.labels, self.numbers)

    def _make_segments(self, w: np.ndarray, width: float, height: float) -> VGroup:
        segments = VGroup()
        left = -width / 2
        for j, weight in enumerate(w):
            seg_w = max(float(weight) * width, 1e-3)  # a zero weight is still a (hairline) part
            seg = Rectangle(
                width=seg_w,
                height=height,
                fill_color=_SHADES[j % 2],
                fill_opacity=1.0,
                stroke_color=BACKGROUND,
                stroke_width=2,
            )
            seg.move_to([left + seg_w / 2, 0, 0])
            segments.add(seg)
            left += seg_w
        return segments

    def _make_labels(self, tokens: Sequence[str], size: float) -> VGroup:
        """A token inside each segment it fits in; the others stay unlabelled."""
        labels = VGroup()
        self.label_of: dict[int, Text] = {}
        for j, (token, seg) in enumerate(zip(tokens, self.segments, strict=True)):
            color = BACKGROUND if j % 2 == 0 else TEXT  # dark on light violet, light on deep
            label = KitText(token, font=FONT, font_size=size, color=color)
            if label.width <= seg.width - 2 * _PAD and label.height <= seg.height - _PAD:
                labels.add(label.move_to(seg))
                self.label_of[j] = label
        return labels

    def _make_numbers(self, nums: Numbers, row: int, head: int | None, size: float) -> VGroup:
        """Rounded weights under the segments; all or none, so the row is whole."""
        name, prefix = ("weights", ()) if head is None else ("head_weights", (head,))
        shown = nums.rounded_row(row, name=name, prefix=prefix)
        fits = all(
            number_text(s, size=size).width <= seg.width - _PAD
            for s, seg in zip(shown, self.segments, strict=True)
        )
        if not fits:
            return VGroup()
        texts = nums.weight_row(row, name=name, prefix=prefix, size=size)
        return VGroup(
            *(t.next_to(seg, DOWN, buff=0.12) for t, seg in zip(texts, self.segments, strict=True))
        )

    def segment(self, j: int) -> Rectangle:
        """The segment of token ``j``."""
        return self.segments[j]
