"""The lecture chapters' placeholders (temperature, causal mask, order, cost), following each
chapter's own parameters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attention.rounding import format_number, format_row
from attention.story.designed_narration import ranked
from attention.worked.example import WorkedExample
from attention.worked.lessons import (
    DEFAULT_TEMPERATURES,
    attention_cells,
    causal_weights,
    positioned_weights,
    swap_order,
    swap_positions,
    tempered_weights,
)

__all__ = ["LESSON_PARAMS", "lesson_values", "swapped_sentence", "temperature_decimals"]


def _temperature(t: float) -> str:
    """A temperature as the screen shows it: 0.5, 1, 2 (no trailing zeros)."""
    return format_number(t, temperature_decimals(t))


def temperature_decimals(t: float) -> int:
    """Decimals that show temperature ``t`` exactly (at most 2).

    Examples
    --------
    >>> temperature_decimals(0.5), temperature_decimals(2.0), temperature_decimals(0.25)
    (1, 0, 2)
    """
    for places in range(3):
        if abs(round(t, places) - t) < 1e-9:
            return places
    return 2


def _shown_row(row: np.ndarray) -> list[str]:
    return format_row(row, 2)


def swapped_sentence(tokens: tuple[str, ...], order: tuple[int, ...]) -> str:
    """The tokens in ``order`` as a sentence (no space before punctuation).

    Examples
    --------
    >>> swapped_sentence(("The", "cat", "sat", "."), (0, 2, 1, 3))
    'The sat cat.'
    """
    out = ""
    for i in order:
        token = tokens[i]
        out += token if (not out or not token[0].isalnum()) else " " + token
    return out


def lesson_values(
    example: WorkedExample,
    temperatures: Sequence[float] = DEFAULT_TEMPERATURES,
    swap: Sequence[str] = (),
) -> dict[str, str]:
    """The lecture chapters' placeholders (temperature, causal mask, order, cost).

    ``temperatures`` and ``swap`` are the temperature and order chapters' parameters: the
    script loader passes each chapter's own, so its narration says its own numbers.
    Raises ValueError for a temperature not above 0 or a swap that is not two words of
    the sentence.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = lesson_values(worked_example())
    >>> v["swap_a"], v["swap_b"], v["swapped_sentence"], v["cells_2n"]
    ('cat', 'mat', 'The mat sat on the cat', '144')
    """
    f, tokens, n = example.focus_index, example.tokens, example.n_tokens
    if not temperatures or min(temperatures) <= 0:
        raise ValueError(f"temperatures must be above 0, got {list(temperatures)}")
    low, high = min(temperatures), max(temperatures)
    top = ranked(example.weights[f])[0]
    causal_row = causal_weights(example)[f]
    causal_top = ranked(causal_row)[0]
    a, b = swap_positions(example, swap)
    order = swap_order(n, a, b)
    before = positioned_weights(example, tuple(range(n)))[f]
    moved_f, moved_a = order.index(f), order.index(a)
    after = positioned_weights(example, order)[moved_f]
    return {
        "temp_low": _temperature(low),
        "temp_high": _temperature(high),
        "temp_low_top_weight": _shown_row(tempered_weights(example, low)[f])[top],
        "temp_high_top_weight": _shown_row(tempered_weights(example, high)[f])[top],
        "causal_top_token": tokens[causal_top],
        "causal_top_weight": _shown_row(causal_row)[causal_top],
        "n_later": str(n - 1 - f),
        "swap_a": tokens[a],
        "swap_b": tokens[b],
        "swapped_sentence": swapped_sentence(tokens, order),
        "positioned_before": _shown_row(before)[a],
        "positioned_after": _shown_row(after)[moved_a],
        "n_tokens_2": str(2 * n),
        "n_tokens_4": str(4 * n),
        "cells_n": str(attention_cells(n)),
        "cells_2n": str(attention_cells(2 * n)),
        "cells_4n": str(attention_cells(4 * n)),
    }


# scene parameters the lecture chapters' narration numbers follow (see lesson_values)
LESSON_PARAMS = ("temperatures", "swap")
