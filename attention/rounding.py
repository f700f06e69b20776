"""How a number is shown: the nearest value at its decimals, and whether shown parts add up.

Scenes, narration, the explorer and the checker format every number with
:func:`format_number`, so the screen, the voice and the verification agree on the text. A
row of weights is shown value by value, each the nearest at its decimals, so equal weights
look equal; such a row need not add up to its rounded total (six weights of 1/6 show 0.17
each), and :func:`parts_add_up` says when a chapter must say so beside the true sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

__all__ = ["SNAP_DECIMALS", "format_number", "format_row", "parts_add_up"]

# Decimals to which a value is snapped before it is rounded for display (see format_number).
SNAP_DECIMALS = 9


def format_number(x: float, decimals: int) -> str:
    """The nearest value at ``decimals`` places, as fixed-point text; never a negative zero.

    The value is first snapped to 9 decimals, so two float computations of the same
    number (numpy's and the reference's differ in the last bits) print the same text even
    on a rounding tie such as -0.15 at one decimal. A tie goes to the side the snapped
    value's float lies on (Python's ``format``; the explorer's JavaScript does the same).

    Examples
    --------
    >>> format_number(-0.001, 2), format_number(1.005, 1), format_number(0.2435, 2)
    ('0.00', '1.0', '0.24')
    >>> format_number(-0.14999999999999997, 1) == format_number(-0.15000000000000002, 1)
    True
    """
    text = f"{round(x, SNAP_DECIMALS):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def format_row(values: Iterable[float], decimals: int) -> list[str]:
    """Each value of a row as :func:`format_number` shows it: equal values, equal texts.

    Examples
    --------
    >>> format_row([1 / 6] * 6, 2)
    ['0.17', '0.17', '0.17', '0.17', '0.17', '0.17']
    """
    return [format_number(float(v), decimals) for v in values]


def parts_add_up(parts: Sequence[str], total: str) -> bool:
    """Whether the shown ``parts`` add up exactly to the shown ``total`` (decimal arithmetic).

    Where they do not, a chapter shows the true sum beside the parts and marks the parts as
    rounded; it never changes a part.

    Examples
    --------
    >>> parts_add_up(format_row([1 / 6] * 6, 2), format_number(1.0, 2))
    False
    >>> parts_add_up(["0.25", "0.75"], "1.00")
    True
    """
    return sum((Decimal(p) for p in parts), Decimal(0)) == Decimal(total)
