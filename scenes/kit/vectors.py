"""A vector as a column of numbers between brackets, coloured by its role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from manim import DOWN, UP, Mobject, VGroup

from scenes.kit.matrix import Matrix
from scenes.kit.numbers import BlankCell, fitting_decimals
from scenes.kit.palette import TEXT

if TYPE_CHECKING:
    from scenes.kit.chips import TokenRow
    from scenes.kit.numbers import Numbers

__all__ = ["VectorColumn", "BRACKET_ROOM", "columns_under", "scale_to_room"]


BRACKET_ROOM = 0.36  # width brackets and padding add around a column of numbers


def scale_to_room(columns: Sequence[Mobject], room: float) -> float:
    """Scale all ``columns`` by one common factor so the widest fits ``room``; return it.

    One factor for all keeps every column's digits the same size.

    Examples
    --------
    >>> from manim import Square
    >>> float(scale_to_room([Square(1.0), Square(2.0)], 1.0))
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
            if not isinstance(entry, BlankCell):  # a blank stays quiet
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

    @property
    def entries(self) -> list[Mobject]:
        """The numbers, top to bottom."""
        return [row[0] for row in self.rows]


def columns_under(
    nums: Numbers,
    row: TokenRow,
    fields: Sequence[tuple[str, str]],
    *,
    room_share: float = 0.88,
    top: float | None = None,
    y: float | None = None,
    gap: float = 0.22,
) -> VGroup:
    """Under every token of ``row``: its rows of ``fields`` as columns, stacked, one size.

    The common layout step of the chapters: the room per token is ``room_share`` of a
    chip's slot; the decimals are the most at which every number fits that room
    (:func:`fitting_decimals`); the columns are then scaled by one common factor
    (:func:`scale_to_room`) and hung from ``top`` or centred on ``y`` under each chip.

    Parameters
    ----------
    nums
        The scene's number maker (records every number it shows).
    row
        The token row the columns line up under.
    fields
        ``(field, colour)`` pairs, e.g. ``(("k", KEY),)`` or the q, k, v stack.
    room_share
        Share of a chip's slot a column may take.
    top, y
        Hang each stack from ``top``, or centre it on ``y`` (one of the two).
    gap
        Space between stacked columns.

    Returns
    -------
    VGroup
        One VGroup per token (its stack, top to bottom): ``stacks[i][0]`` is token i's
        first column.

    Examples
    --------
    >>> keys = columns_under(nums, row, (("k", KEY),), top=1.95)      # doctest: +SKIP
    >>> keys[2][0].entries[0].text                                   # doctest: +SKIP
    '0.36'
    """
    example = nums.example
    room = row.slot_width() * room_share
    n = example.n_tokens
    sources = [
        f"{name}[{i}, {j}]" for name, _ in fields for i in range(n) for j in range(nums.width(name))
    ]
    places = fitting_decimals(nums, sources, room - BRACKET_ROOM)
    stacks = VGroup(
        *(
            VGroup(
                *(
                    VectorColumn(nums.vector(name, i, decimals=places, blank_zeros=True), color)
                    for name, color in fields
                )
            ).arrange(DOWN, buff=gap)
            for i in range(n)
        )
    )
    scale_to_room(stacks, room)
    for i, stack in enumerate(stacks):
        if top is not None:
            stack.move_to([row.x_of(i), top, 0], aligned_edge=UP)
        elif y is not None:
            stack.move_to([row.x_of(i), y, 0])
    return stacks
