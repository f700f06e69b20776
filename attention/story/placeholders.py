"""Narration placeholders filled from the worked example, by a filler that cannot run code."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from attention.story.decoder_story import decoder_values
from attention.story.designed_narration import designed_values
from attention.story.lesson_narration import LESSON_PARAMS, lesson_values
from attention.story.trained_placeholders import trained_values
from attention.worked.example import WorkedExample

__all__ = ["PLACEHOLDERS", "PlaceholderError", "fill", "narration_values", "scene_values"]

# Every placeholder a narration line may use, with what it means.
PLACEHOLDERS: dict[str, str] = {
    "sentence": "the example sentence as written",
    "focus": "the focus token whose attention row the story follows",
    "n_tokens": "number of tokens in the sentence",
    "d_model": "embedding size: the number of named dimensions (8)",
    "d_head": "size of one head's query, key and value vectors (4)",
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
    "context_words": "the (at most two) other words the focus attends to most: 'cat or mat'",
    "weight_list": "the focus row in words: 'cat 0.41, mat 0.24, and the only 0.09' "
    "(top, second and least; two tokens: 'love 0.62 and I 0.38')",
    "blend_mix": "what the focus's output is mostly made of, true to its weights: "
    "'mostly cat and mat, a little of the rest'",
    "dimensions": "the embedding's dimension names in order: 'agent, place, thing, action, "
    "quality, pronoun, determiner and relation'",
    "focus_meaning": "the focus's strongest named dimension in its embedding: 'action'",
    "focus_reason": "why the story follows the focus: 'the first verb', 'the most ambiguous "
    "noun', 'the first noun', 'the first content word', 'the first token' (no --focus), or "
    "'the word chosen'",
    "top_dimension": "the named dimension that carries the focus's score with the top token "
    "(head 0's largest term of q·k): 'agent'; 'no dimension' when every term is zero",
    "meaning_shift": "the named dimension whose share grew most from the focus's value to its "
    "output (head 0: what it gathered): 'agent'; 'nothing' when the output is all zero",
    # the lecture's chapters (attention.worked.lessons); scene parameters at their defaults
    "temp_low": "the lowest default temperature of the temperature chapter (0.5)",
    "temp_high": "the highest default temperature (2)",
    "temp_low_top_weight": "the focus's top weight at the lowest temperature, as shown",
    "temp_high_top_weight": "the focus's top weight at the highest temperature, as shown",
    "causal_top_token": "the token the focus attends to most when it may only look back",
    "causal_top_weight": "that weight, 2 decimals, as the masked row shows it",
    "n_later": "how many tokens come after the focus (hidden by the causal mask)",
    "swap_a": "the first of the two words the order chapter swaps (default: cat)",
    "swap_b": "the second (default: mat)",
    "swapped_sentence": "the sentence with those two words swapped",
    "positioned_before": "with positions: the focus's weight on swap_a in the sentence as written",
    "positioned_after": "with positions: the same weight once the two words are swapped",
    "n_tokens_2": "twice the number of tokens",
    "n_tokens_4": "four times the number of tokens",
    "cells_n": "query-key scores for n tokens (n squared)",
    "cells_2n": "scores for twice the tokens",
    "cells_4n": "scores for four times the tokens",
}


class PlaceholderError(ValueError):
    """A narration placeholder that is unknown or not a plain ``{name}``."""


def narration_values(example: WorkedExample) -> dict[str, str]:
    """Every placeholder's text, formatted exactly as the screen shows it.

    Weights are the nearest values at 2 decimals, as every chapter shows them.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = narration_values(worked_example())
    >>> v["focus"], v["top_token"]
    ('sat', 'cat')
    """
    if example.kind == "trained":  # heads picked and counted by measurement
        return trained_values(example)
    if example.kind == "decoder":
        return decoder_values(example)
    return {**designed_values(example), **lesson_values(example)}


def scene_values(
    example: WorkedExample, params: Mapping[str, Any], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The placeholder values of one chapter: :func:`narration_values` (or ``base``, the
    same computed once), with the lecture chapters' numbers following its parameters.

    Raises ValueError naming the problem for a parameter the lessons cannot use (a
    temperature of 0, a swap word that is not in the sentence).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> scene_values(worked_example(), {"temperatures": (0.25, 4.0)})["temp_high"]
    '4'
    """
    values = dict(narration_values(example) if base is None else base)
    lesson = {k: v for k, v in params.items() if k in LESSON_PARAMS}
    if lesson:
        values.update(lesson_values(example, **lesson))
    return values


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
