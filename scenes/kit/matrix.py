"""A matrix of number Texts between square brackets drawn as lines (no LaTeX)."""

from __future__ import annotations

from collections.abc import Sequence

from manim import LEFT, RIGHT, UP, Mobject, Text, VGroup, VMobject

from scenes.kit.numbers import arrange_grid
from scenes.kit.palette import MUTED
from scenes.kit.style import LABEL, text

__all__ = ["Bracket", "Matrix"]


class Bracket(VMobject):
    """A square bracket ``[`` (``side=LEFT``) or ``]`` (``side=RIGHT``) of a given height.

    Examples
    --------
    >>> float(round(Bracket(2.0).height, 6))
    2.0
    """

    def __init__(
        self,
        height: float,
        side: Sequence[float] = LEFT,
        color: str = MUTED,
        tick: float = 0.1,
        stroke_width: float = 2.0,
    ) -> None:
        super().__init__(stroke_color=color, stroke_width=stroke_width)
        inward = tick if side[0] < 0 else -tick
        top, bottom = height / 2, -height / 2
        self.set_points_as_corners(
            [[inward, top, 0], [0, top, 0], [0, bottom, 0], [inward, bottom, 0]]
        )


class Matrix(VGroup):
    """Rows of entries between brackets; the entries keep their own colours.

    Parameters
    ----------
    rows
        ``rows[i][j]`` is the mobject in row i, column j (usually from
        :meth:`scenes.kit.numbers.Numbers.matrix`).
    bracket_color
        Colour of the brackets (a role colour for q/k/v, MUTED for neutral data).
    label
        Optional name written above the matrix (e.g. ``"W_Q"``), in ``label_color``.
    col_gap, row_gap
        Space between columns and rows.

    Examples
    --------
    >>> from scenes.kit.numbers import number_text
    >>> m = Matrix([[number_text("1.00"), number_text("0.50")]], label="W")
    >>> len(m.rows), len(m.rows[0]), m.label.text
    (1, 2, 'W')
    """

    def __init__(
        self,
        rows: Sequence[Sequence[Mobject]],
        bracket_color: str = MUTED,
        label: str | None = None,
        label_color: str | None = None,
        col_gap: float = 0.28,
        row_gap: float = 0.16,
        pad: float = 0.12,
    ) -> None:
        self.rows = arrange_grid(rows, col_gap=col_gap, row_gap=row_gap)  # type: ignore[arg-type]
        height = max(self.rows.height, self.rows.slot_height) + 2 * pad
        # the brackets hold the columns' places: a column of blanks keeps its width
        half, centre = self.rows.slot_width / 2, self.rows.get_center()
        left, right = centre - [half, 0, 0], centre + [half, 0, 0]
        self.left_bracket = Bracket(height, LEFT, bracket_color).next_to(left, LEFT, buff=pad)
        self.right_bracket = Bracket(height, RIGHT, bracket_color).next_to(right, RIGHT, buff=pad)
        self.brackets = VGroup(self.left_bracket, self.right_bracket)
        super().__init__(self.rows, self.brackets)
        self.label: Text | None = None
        if label is not None:
            self.label = text(label, size=LABEL, color=label_color or bracket_color)
            self.label.next_to(self.brackets, UP, buff=0.14)
            self.add(self.label)

    @property
    def body(self) -> VGroup:
        """The entries and brackets, without the label (for arrows and alignment)."""
        return VGroup(self.rows, self.brackets)

    def entry(self, i: int, j: int) -> Mobject:
        """The entry in row ``i``, column ``j``."""
        return self.rows[i][j]

    def row(self, i: int) -> VGroup:
        """Row ``i``'s entries."""
        return self.rows[i]

    def column(self, j: int) -> VGroup:
        """Column ``j``'s entries."""
        return VGroup(*(row[j] for row in self.rows))
