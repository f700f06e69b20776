"""Number cells: the Text of a formatted number, the quiet blank that stands for a zero, and
a grid that lays them out in right-aligned columns (blanks centred in their digits' place).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from manim import RIGHT, Mobject, Text, VGroup

from scenes.kit.palette import GRID, TEXT
from scenes.kit.style import NUMBER, NUMBER_FONT
from scenes.kit.typeset import KitText

__all__ = ["BlankCell", "arrange_grid", "number_text"]


def number_text(shown: str, color: str = TEXT, size: float = NUMBER) -> Text:
    """A Text for an already formatted number (monospaced digits).

    Use :class:`Numbers` for data; this is for its Texts only.

    Examples
    --------
    >>> number_text("0.42").text
    '0.42'
    """
    return KitText(shown, font=NUMBER_FONT, font_size=size, color=color)


class BlankCell(KitText):
    """A value that rounds to zero, drawn as a quiet dot where its digits would stand.

    ``zero`` is the text it stands for (``"0.00"``): its width is kept as ``slot_width``
    (and its height) so columns keep their size, and the ledger records the blank with it
    (`attention.numbers.ledger.NumbersLedger.record_blank`). Role colours leave it
    alone (:attr:`quiet`).

    Examples
    --------
    >>> cell = BlankCell("0.00")
    >>> cell.text, bool(cell.slot_width == number_text("0.00").width)
    ('·', True)
    """

    quiet = True

    def __init__(self, zero: str, size: float = NUMBER) -> None:
        super().__init__("·", font=NUMBER_FONT, font_size=size, color=GRID)
        self.zero = zero
        self.slot_width, self.slot_height = _digits_size(zero, size)


@functools.lru_cache(maxsize=64)
def _digits_size(shown: str, size: float) -> tuple[float, float]:
    """Width and height of ``shown`` typeset as a number (one typesetting per text and size)."""
    digits = number_text(shown, size=size)
    return float(digits.width), float(digits.height)


def arrange_grid(
    rows: Sequence[Sequence[Text]],
    col_gap: float = 0.28,
    row_gap: float = 0.16,
) -> VGroup:
    """Lay number Texts out as a grid: columns right-aligned, rows evenly spaced.

    Returns a VGroup of row VGroups (``grid[i][j]`` is row i, column j), centred on ORIGIN.

    Examples
    --------
    >>> grid = arrange_grid([[number_text("1.00"), number_text("-0.25")]])
    >>> len(grid), len(grid[0])
    (1, 2)
    """
    n_cols = max((len(r) for r in rows), default=0)
    col_widths = [max((_slot(r[j]) for r in rows if j < len(r)), default=0.0)
                  for j in range(n_cols)]  # fmt: skip
    row_height = max((getattr(t, "slot_height", t.height) for r in rows for t in r), default=0.0)
    total = sum(col_widths) + col_gap * max(n_cols - 1, 0)
    grid = VGroup()
    for i, row in enumerate(rows):
        x = -total / 2  # the columns' places, blanks' included, centred on the origin
        for j, cell in enumerate(row):
            x += col_widths[j]
            # right-align on the column's right edge, centre rows on a fixed pitch
            cell.move_to([x, -i * (row_height + row_gap), 0], aligned_edge=RIGHT)
            if isinstance(cell, BlankCell):  # a dot stands in the middle of its digits' place
                cell.set_x(x - cell.slot_width / 2)
            cell.set_y(-i * (row_height + row_gap))
            x += col_gap
        grid.add(VGroup(*row))
    grid.set_y(0)
    # the span its brackets hold (Matrix): every column's and row's place, blanks' included
    grid.slot_width = total  # type: ignore[attr-defined]
    grid.slot_height = len(rows) * (row_height + row_gap) - row_gap  # type: ignore[attr-defined]
    return grid


def _slot(cell: Mobject) -> float:
    """The width a cell takes in its column: a blank keeps its zero's width."""
    return float(cell.slot_width) if isinstance(cell, BlankCell) else float(cell.width)
