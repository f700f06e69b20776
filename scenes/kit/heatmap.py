"""HeatGrid: an attention matrix as a heat map, rows = queries, columns = keys."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    Mobject,
    Rectangle,
    Square,
    Text,
    VGroup,
    interpolate_color,
)
from manim.utils.color import ManimColor
from numpy.typing import ArrayLike

from scenes.kit.numbers import Numbers, number_text
from scenes.kit.palette import BACKGROUND, GRID, KEY, QUERY, TEXT, WEIGHT
from scenes.kit.style import FONT, LABEL, NUMBER, SMALL_NUMBER
from scenes.kit.typeset import KitText

__all__ = ["FLOOR", "HeatGrid", "weight_color"]

FLOOR = 0.12  # the tint of the lowest weight on the scale
_DIM = GRID  # a zero weight: one step above the background, so empty cells still read as cells


def weight_color(weight: float, vmax: float, vmin: float = 0.0) -> ManimColor:
    """The cell colour of ``weight``: from near the empty-cell grey (``vmin``) to WEIGHT
    violet (``vmax``); the lowest weight keeps a faint tint so it still reads as "some".

    Examples
    --------
    >>> weight_color(0.5, 0.5).to_hex().upper() == WEIGHT.upper()
    True
    """
    span = vmax - vmin
    t = float(np.clip((weight - vmin) / span, 0.0, 1.0)) if span > 0 else 1.0
    return interpolate_color(ManimColor(_DIM), ManimColor(WEIGHT), FLOOR + (1 - FLOOR) * t)


def weight_cells(w: np.ndarray, side: float, vmax: float, vmin: float) -> VGroup:
    """The ``(n, n)`` squares of side ``side``, row by row, centred on the origin."""
    n = len(w)
    cells = VGroup()
    for i in range(n):
        for j in range(n):
            cell = Square(
                side_length=side,
                fill_color=weight_color(w[i, j], vmax, vmin),
                fill_opacity=1.0,
                stroke_color=BACKGROUND,
                stroke_width=1.5,
            )
            cell.move_to(np.array([(j - (n - 1) / 2) * side, ((n - 1) / 2 - i) * side, 0]))
            cells.add(cell)
    return cells


def relative_weight(weight: float, vmax: float, vmin: float) -> float:
    """Where ``weight`` sits on a grid's colour scale, 0 (``vmin``) to 1 (``vmax``)."""
    span = vmax - vmin
    return (weight - vmin) / span if span > 0 else 1.0


class HeatGrid(VGroup):
    """An ``n x n`` attention matrix drawn as a heat map.

    Rows are queries and columns are keys, each labelled with its token; a cell's brightness
    is its weight in the WEIGHT colour, scaled so ``vmax`` is full violet. The grid sizes its
    cells (never the text) to fit ``max_width`` x ``max_height``, so labels and numbers keep
    their font size; column labels turn vertical when they are wider than a cell. Numbers
    appear in the cells only when a cell is wide enough for them at a legible size, each the
    nearest value at its decimals (a row need not add up: see :mod:`scenes.kit.sums`), and
    are recorded in the ledger.

    Parameters
    ----------
    weights
        The ``(n, n)`` matrix, rows = queries (each row sums to 1).
    tokens
        The ``n`` token strings, labelling both rows and columns.
    max_width, max_height
        The box the whole grid (labels included) must fit in.
    max_cell
        The largest cell side; small sentences stop growing here.
    vmax, vmin
        The weights drawn as full violet and as the faintest tint; default the matrix's
        largest weight and 0. A ``vmin`` near the smallest weight stretches the contrast
        of nearly uniform rows. Pass the same values to grids shown side by side so their
        brightness compares.
    numbers
        Show the weights in the cells when they fit legibly (needs ``nums``).
    nums
        The scene's :class:`scenes.kit.numbers.Numbers`: the weights shown are rounded to
        its decimals and recorded in its ledger.
    head
        ``None`` shows (and records) ``weights[i, j]``; an int ``head_weights[head, i, j]``.
    labels, captions
        Draw the token labels; draw the axis captions "queries" (yellow) and "keys" (teal).

    Examples
    --------
    >>> import numpy as np
    >>> grid = HeatGrid(np.full((3, 3), 1 / 3), ["a", "b", "c"])
    >>> len(grid.cells), grid.cell_size <= 0.8
    (9, True)
    """

    def __init__(
        self,
        weights: ArrayLike,
        tokens: Sequence[str],
        *,
        max_width: float = 6.0,
        max_height: float = 4.6,
        max_cell: float = 0.8,
        vmax: float | None = None,
        vmin: float = 0.0,
        numbers: bool = True,
        nums: Numbers | None = None,
        head: int | None = None,
        label_font_size: float = LABEL,
        number_font_size: float = NUMBER,
        labels: bool = True,
        captions: bool = True,
    ) -> None:
        super().__init__()
        w = np.asarray(weights, dtype=np.float64)  # (n, n)
        n = len(tokens)
        if w.shape != (n, n):
            raise ValueError(f"HeatGrid needs an (n, n) matrix for {n} tokens, got {w.shape}")
        self.n = n
        self.head = head
        self.vmax = float(vmax if vmax is not None else w.max())
        self.vmin = float(vmin)
        self.row_labels = (
            VGroup(*(_label(t, label_font_size) for t in tokens)) if labels else VGroup()
        )
        self.col_labels = (
            VGroup(*(_label(t, label_font_size) for t in tokens)) if labels else VGroup()
        )
        self.captions = VGroup(
            *(_caption("queries", QUERY), _caption("keys", KEY)) if captions else ()
        )
        self.cell_size, self.vertical_labels = self._fit(max_width, max_height, max_cell)
        self.cells = weight_cells(w, self.cell_size, self.vmax, self.vmin)
        self._place_labels()
        self._w = w
        self.numbers = VGroup()
        if numbers and nums is not None:
            self.numbers = self._make_numbers(nums, number_font_size)
        self.add(self.cells, self.row_labels, self.col_labels, self.captions, self.numbers)

    # -- layout -------------------------------------------------------------------------

    def _fit(self, max_width: float, max_height: float, max_cell: float) -> tuple[float, bool]:
        """Cell side and column-label orientation so everything fits the box.

        Labels shrink (all by the same factor) until a label is no taller than 80% of a
        cell, so neighbouring rows never touch; vertical column labels never take more than
        40% of the height.
        """
        gap = 0.15
        cap_w = self.captions[0].height + gap if len(self.captions) else 0.0
        cap_h = self.captions[1].height + 0.18 if len(self.captions) else 0.0

        def side(row_w: float, col_h: float) -> float:
            return min(
                max_cell,
                (max_width - row_w - cap_w) / self.n,
                (max_height - col_h - cap_h) / self.n,
            )

        if not len(self.row_labels):
            return side(0.0, 0.0), False
        labels = VGroup(self.row_labels, self.col_labels)
        cell, vertical = 0.0, False
        for _ in range(6):
            row_w = self.row_labels.width + gap
            widest = max(m.width for m in self.col_labels)
            line = max(m.height for m in self.row_labels)
            cell, vertical = side(row_w, line + gap), False
            if widest > 0.92 * cell:
                vertical, limit = True, 0.4 * max_height
                if widest > limit:
                    labels.scale(limit / widest)
                    continue
                cell = side(row_w, widest + gap)
            if line <= 0.8 * cell + 1e-9:
                break
            labels.scale(0.8 * cell / line)
        return cell, vertical

    def _place_labels(self) -> None:
        gap = 0.12
        for i, label in enumerate(self.row_labels):
            label.next_to(self.cell(i, 0), LEFT, buff=gap)
        for j, label in enumerate(self.col_labels):
            if self.vertical_labels:
                label.rotate(np.pi / 2)
            label.next_to(self.cell(0, j), UP, buff=gap)
            if self.vertical_labels:
                label.align_to(self.cells, DOWN).shift(UP * (self.cells.height + gap))
        if len(self.captions):
            rows, cols = self.captions
            rows.rotate(np.pi / 2)
            left = self.row_labels if len(self.row_labels) else self.cells
            rows.next_to(left, LEFT, buff=0.15).match_y(self.cells)
            top = self.col_labels if len(self.col_labels) else self.cells
            cols.next_to(top, UP, buff=0.18).match_x(self.cells)

    def _make_numbers(self, nums: Numbers, size: float) -> VGroup:
        """Rounded weights in the cells, recorded row by row; empty if they do not fit."""
        prefix = () if self.head is None else (self.head,)
        name = "weights" if self.head is None else "head_weights"
        widest = max(
            (s for i in range(self.n) for s in nums.rounded_row(i, name=name, prefix=prefix)),
            key=len,
        )
        for size_ in (size, SMALL_NUMBER):  # one step down the type scale, never below
            if number_text(widest, size=size_).width <= 0.88 * self.cell_size:
                break
        else:
            return VGroup()
        numbers = VGroup()
        for i in range(self.n):
            row = nums.weight_row(i, name=name, prefix=prefix, size=size_)
            for j, shown in enumerate(row):
                bright = relative_weight(self._w[i, j], self.vmax, self.vmin) > 0.6
                shown.set_color(BACKGROUND if bright else TEXT)  # dark digits on light cells
                numbers.add(shown.move_to(self.cell(i, j)))
        return numbers

    # -- access -------------------------------------------------------------------------

    def cell(self, i: int, j: int) -> Square:
        """The cell of query ``i`` and key ``j``."""
        return self.cells[i * self.n + j]

    def row(self, i: int) -> VGroup:
        """The cells of query row ``i``, left to right."""
        return VGroup(*self.cells[i * self.n : (i + 1) * self.n])

    def row_numbers(self, i: int) -> VGroup:
        """The numbers of row ``i`` (empty when the grid shows no numbers)."""
        if not len(self.numbers):
            return VGroup()
        return VGroup(*self.numbers[i * self.n : (i + 1) * self.n])

    def row_outline(self, i: int, color: str = QUERY, buff: float = 0.04) -> Rectangle:
        """A rectangle around row ``i`` and its label: the query-yellow focus marker."""
        target: Mobject = (
            VGroup(self.row(i), self.row_labels[i]) if len(self.row_labels) else self.row(i)
        )
        rect = Rectangle(
            width=target.width + 2 * buff,
            height=self.cell_size + 2 * buff,
            stroke_color=color,
            stroke_width=4,
        )
        return rect.move_to(target).match_y(self.row(i))


def _label(token: str, size: float) -> Text:
    # copying a Text is ~5x cheaper than typesetting it, and grids repeat their labels
    return _typeset_label(token, size).copy()


@lru_cache(maxsize=256)
def _typeset_label(token: str, size: float) -> Text:
    return KitText(token, font=FONT, font_size=size, color=TEXT)


def _caption(word: str, color: str) -> Text:
    return KitText(word, font=FONT, font_size=SMALL_NUMBER, color=color)
