"""A vector as a column of numbers between brackets, coloured by its role."""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, UP, Mobject

from scenes.kit.matrix import Matrix
from scenes.kit.palette import TEXT

__all__ = ["VectorColumn", "BRACKET_ROOM", "scale_to_room"]


BRACKET_ROOM = 0.36  # width brackets and padding add around a column of numbers


def scale_to_room(columns: Sequence[Mobject], room: float) -> float:
    """Scale all ``columns`` by one common factor so the widest fits ``room``; return it.

    One factor for all keeps every column's digits the same size.

    Examples
    --------
    >>> from manim import Square
    >>> scale_to_room([Square(1.0), Square(2.0)], 1.0)
    0.5
    """
    widest = max(column.width for column in columns)
    factor = min(1.0, room / widest)
    for column in columns:
        column.scale(factor)
    return factor


class VectorColumn(Matrix):
    """A column vector: entries stacked between brackets in the role's colour.

    Parameters
    ----------
    entries
        The vector's number Texts, top to bottom (from :meth:`Numbers.vector`).
    color
        The role colour (QUERY, KEY, VALUE, OUTPUT; TEXT for an embedding). Brackets,
        entries and label all take it, so colour says what the vector is.
    label
        Optional name above or below the column (``"q"``, ``"x_sat"``).
    label_side
        ``UP`` (default) or ``DOWN``.

    Examples
    --------
    >>> from scenes.kit.numbers import number_text
    >>> from scenes.kit.palette import QUERY
    >>> v = VectorColumn([number_text("0.10"), number_text("-0.30")], QUERY, label="q")
    >>> len(v.entries), v.label.text
    (2, 'q')
    """

    def __init__(
        self,
        entries: Sequence[Mobject],
        color: str = TEXT,
        label: str | None = None,
        label_side: Sequence[float] = UP,
        row_gap: float = 0.14,
        pad: float = 0.1,
    ) -> None:
        for entry in entries:
            entry.set_color(color)
        super().__init__(
            [[entry] for entry in entries],
            bracket_color=color,
            label=label,
            row_gap=row_gap,
            pad=pad,
        )
        if self.label is not None and label_side[1] < 0:
            self.label.next_to(self.brackets, DOWN, buff=0.14)
        self.color_role = color

    @property
    def entries(self) -> list[Mobject]:
        """The numbers, top to bottom."""
        return [row[0] for row in self.rows]
