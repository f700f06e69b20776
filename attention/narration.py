"""Narration numbers from the worked example, and a placeholder filler that cannot run code."""

from __future__ import annotations

import string
from collections.abc import Mapping

import numpy as np

from attention.example import WorkedExample
from attention.ledger import format_number, round_row

__all__ = ["PLACEHOLDERS", "PlaceholderError", "fill", "narration_values"]

# Every placeholder a narration line may use, with what it means.
PLACEHOLDERS: dict[str, str] = {
    "sentence": "the example sentence as written",
    "focus": "the focus token whose attention row the story follows",
    "n_tokens": "number of tokens in the sentence",
    "d_model": "embedding size (6)",
    "d_head": "size of one head's query, key and value vectors (3)",
    "n_heads": "number of heads (2)",
    "sqrt_d_head": "square root of d_head, 2 decimals (the scores are divided by it)",
    "top_token": "the token the focus attends to most (head 0)",
    "top_weight": "that weight, 2 decimals, as the weight row shows it",
    "second_token": "the token the focus attends to second most (head 0)",
    "second_weight": "that weight, 2 decimals, as shown",
    "least_token": "the token the focus attends to least (head 0; first one on ties)",
    "least_weight": "that weight, 2 decimals, as shown",
    "top_score": "raw score q·k of the focus with the top token, 2 decimals",
    "top_scaled_score": "that score divided by sqrt_d_head, 2 decimals",
    "head1_top_token": "the token the focus attends to most in head 1",
    "head1_top_weight": "that head-1 weight, 2 decimals, as shown",
}


class PlaceholderError(ValueError):
    """A narration placeholder that is unknown or not a plain ``{name}``."""


def _ranked(row: np.ndarray) -> list[int]:
    # Stable sort on the negated weights: highest first, earlier token first on ties.
    return [int(i) for i in np.argsort(-row, kind="stable")]


def narration_values(example: WorkedExample) -> dict[str, str]:
    """Every placeholder's text, formatted exactly as the screen shows it.

    Weights come from :func:`round_row` of the focus row at 2 decimals.

    Examples
    --------
    >>> from attention.example import worked_example
    >>> v = narration_values(worked_example())
    >>> v["focus"], v["top_token"]
    ('sat', 'cat')
    """
    f, tokens = example.focus_index, example.tokens
    row = example.weights[f]
    shown = [format_number(w, 2) for w in round_row(row.tolist(), 2)]
    order = _ranked(row)
    top, second, least = order[0], order[1], order[-1]
    # The least-attended token is the earliest of the lowest weights.
    least = min(i for i in range(len(row)) if row[i] == row[least])
    head1_row = example.head_weights[1, f]
    head1_top = _ranked(head1_row)[0]
    head1_shown = [format_number(w, 2) for w in round_row(head1_row.tolist(), 2)]
    return {
        "sentence": example.sentence,
        "focus": example.focus,
        "n_tokens": str(example.n_tokens),
        "d_model": str(example.d_model),
        "d_head": str(example.d_head),
        "n_heads": str(example.n_heads),
        "sqrt_d_head": format_number(float(np.sqrt(example.d_head)), 2),
        "top_token": tokens[top],
        "top_weight": shown[top],
        "second_token": tokens[second],
        "second_weight": shown[second],
        "least_token": tokens[least],
        "least_weight": shown[least],
        "top_score": format_number(float(example.scores[f, top]), 2),
        "top_scaled_score": format_number(float(example.scaled_scores[f, top]), 2),
        "head1_top_token": tokens[head1_top],
        "head1_top_weight": head1_shown[head1_top],
    }


def _known(values: Mapping[str, str]) -> str:
    return ", ".join("{" + name + "}" for name in values)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``{name}`` in ``text`` with ``values[name]``; nothing else is allowed.

    No attribute access, indexing, conversions or format specs; ``{{`` and ``}}`` are
    literal braces. Anything else raises :class:`PlaceholderError`.

    Examples
    --------
    >>> fill("{focus} looks at {top_token} {{most}}", {"focus": "sat", "top_token": "cat"})
    'sat looks at cat {most}'
    """
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as err:
        raise PlaceholderError(
            f"malformed placeholder in {text!r} ({err}): write {{name}} with one of "
            f"{_known(values)}, and {{{{ or }}}} for a literal brace"
        ) from None
    out: list[str] = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if conversion is not None or spec or not name.isidentifier() or name not in values:
            field = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise PlaceholderError(
                f"unknown placeholder {{{field}}} in {text!r}: use a plain {{name}}, "
                f"one of {_known(values)}"
            )
        out.append(values[name])
    return "".join(out)
