"""How a number is shown: fixed decimals, and probability rows that add up to exactly 1.

Scenes, narration and the checker format every number with these two functions, so the
screen, the voice and the verification agree on the text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["SNAP_DECIMALS", "format_number", "round_row"]

# Decimals to which a value is snapped before it is rounded for display (see format_number).
SNAP_DECIMALS = 9


def format_number(x: float, decimals: int) -> str:
    """Fixed-point text with ``decimals`` places; never a negative zero.

    The value is first snapped to 9 decimals, so two float computations of the same
    number (numpy's and the reference's differ in the last bits) print the same text even
    on a rounding tie such as -0.15 at one decimal.

    Examples
    --------
    >>> format_number(-0.001, 2), format_number(1.005, 1)
    ('0.00', '1.0')
    >>> format_number(-0.14999999999999997, 1) == format_number(-0.15000000000000002, 1)
    True
    """
    text = f"{round(x, SNAP_DECIMALS):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def round_row(values: Sequence[float], decimals: int) -> list[float]:
    """Round a probability row so it adds up to exactly 1 at ``decimals`` places.

    Largest-remainder method, in integer units of ``10**-decimals``: floor every value,
    then give the missing units to the largest remainders (earlier position wins ties).
    Equal values (the weights of "The" and "the") are given their units together, so
    they show the same number, unless no whole group of equal values fits the units left;
    only then are they split. Every shown value is its value rounded down or up.

    Examples
    --------
    >>> round_row([1 / 3, 1 / 3, 1 / 3], 2)
    [0.34, 0.33, 0.33]
    >>> round_row([0.135, 0.135, 0.73], 2)  # not 0.14 and 0.13 for two equal weights
    [0.13, 0.13, 0.74]
    >>> round_row([0.125] * 8 + [0.0] * 4, 2)[6:]  # an exact 0 is never rounded up
    [0.12, 0.12, 0.0, 0.0, 0.0, 0.0]
    """
    scale = 10**decimals
    # snapped like format_number, so 0.29 * 100 = 28.999999999999996 floors to 29
    scaled = [round(v * scale, SNAP_DECIMALS - decimals) for v in values]
    units = [math.floor(s) for s in scaled]
    missing = scale - sum(units)
    if not 0 <= missing <= len(values):
        raise ValueError(f"row sums to {sum(values)}, not 1: cannot round it as probabilities")
    by_remainder = sorted(range(len(values)), key=lambda i: (-(scaled[i] - units[i]), i))
    equal_values: dict[float, list[int]] = {}
    for i in by_remainder:
        equal_values.setdefault(scaled[i], []).append(i)
    raised: set[int] = set()
    for group in equal_values.values():
        masked = scaled[group[0]] == 0  # an exact zero (a masked weight) always shows 0.00
        if not masked and len(group) <= missing - len(raised):
            raised.update(group)
    raised.update([i for i in by_remainder if i not in raised][: missing - len(raised)])
    return [(u + (i in raised)) / scale for i, u in enumerate(units)]
