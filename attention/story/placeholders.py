"""Narration placeholders filled from the worked example, by a filler that cannot run code."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from attention.models.designed import HEAD_FEATURES
from attention.models.lexicon import sentence_embeddings
from attention.rounding import format_number, format_row
from attention.story.decoder_story import decoder_values
from attention.story.head_story import trained_values
from attention.worked.example import WorkedExample, default_focus
from attention.worked.lessons import (
    DEFAULT_TEMPERATURES,
    attention_cells,
    causal_weights,
    positioned_weights,
    swap_order,
    swap_positions,
    tempered_weights,
)

__all__ = [
    "LESSON_PARAMS",
    "PLACEHOLDERS",
    "PlaceholderError",
    "context_tokens",
    "fill",
    "meaning_shift",
    "named_tokens",
    "lesson_values",
    "narration_values",
    "scene_values",
    "top_dimension",
    "swapped_sentence",
    "temperature_decimals",
]

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


def _ranked(row: np.ndarray) -> list[int]:
    # Stable sort on the negated weights: highest first, earlier token first on ties.
    return [int(i) for i in np.argsort(-row, kind="stable")]


def context_tokens(example: WorkedExample, most: int = 2) -> list[int]:
    """The ``most`` tokens, other than the focus, that the focus attends to most.

    Distinct words only (case-insensitive, the first of equal words), highest weight first;
    fewer when the sentence has fewer other words. Scene 1 circles these tokens and says
    them (``{context_words}``).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> context_tokens(worked_example())
    [1, 5]
    """
    chosen: dict[str, int] = {}
    for i in _ranked(example.weights[example.focus_index]):
        word = example.tokens[i].casefold()
        if i != example.focus_index and word not in chosen:
            chosen[word] = i
    return list(chosen.values())[:most]


def named_tokens(example: WorkedExample) -> list[int]:
    """The tokens the narration names from the focus row, in its order: top, second, least.

    Least is the earliest of the lowest weights; with two tokens the list has two.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> named_tokens(worked_example())
    [1, 5, 0]
    """
    row = example.weights[example.focus_index]
    order = _ranked(row)
    least = min(i for i in range(len(row)) if row[i] == row[order[-1]])
    return list(dict.fromkeys([order[0], order[1], least]))


def _weight_list(tokens: tuple[str, ...], shown: list[str], order: list[int]) -> str:
    said = [f"{tokens[i]} {shown[i]}" for i in order]
    if len(order) == 2:
        return f"{said[0]} and {said[1]}"
    least = order[-1]
    return f"{said[0]}, {said[1]}, and {tokens[least]} only {shown[least]}"


def _blend_mix(tokens: tuple[str, ...], row: np.ndarray, top: int, second: int) -> str:
    if len(row) == 2:
        if row[top] - row[second] < 0.1:
            return f"about equal parts {tokens[top]} and {tokens[second]}"
        return f"mostly {tokens[top]}, some {tokens[second]}"
    if row[top] + row[second] >= 0.5:
        return f"mostly {tokens[top]} and {tokens[second]}, a little of the rest"
    return f"a little of every token, the most of {tokens[top]}"


def top_dimension(example: WorkedExample, key: int | None = None) -> str:
    """The named dimension of the largest term of ``q[focus] · k[key]`` (head 0).

    ``key`` defaults to the token the focus attends to most. Head 0's columns read one named
    dimension each (:data:`attention.worked.example.HEAD_FEATURES`), so a term names a dimension.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> top_dimension(worked_example())  # sat's score with cat: 2.5 x agent 1.0
    'agent'
    """
    f = example.focus_index
    j = named_tokens(example)[0] if key is None else key
    terms = example.q[f] * example.k[j]  # (d_head,)
    best = int(np.argmax(terms))
    return HEAD_FEATURES[0][best] if terms[best] > 0 else "no dimension"


def _shares(vector: np.ndarray) -> np.ndarray:
    total = float(vector.sum())
    return vector / total if total > 0 else np.zeros_like(vector)


def meaning_shift(example: WorkedExample) -> str:
    """The named dimension whose share grew most from the focus's value to its output.

    Head 0's value and output both read in named dimensions; comparing their shares (each
    divided by its sum) shows what the focus gathered from the words it attended to: an
    ambiguous word moves toward its sense in this sentence ("bank" toward place next to
    "river").

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> meaning_shift(worked_example("The bank of the river flooded", "bank"))
    'place'
    """
    f = example.focus_index
    after = _shares(np.asarray(example.outputs[f]))
    if not after.any():
        return "nothing"
    gain = after - _shares(np.asarray(example.v[f]))
    return HEAD_FEATURES[0][int(np.argmax(gain))]


def _focus_reason(example: WorkedExample) -> str:
    index, reason = default_focus(sentence_embeddings(example.tokens))
    return reason if index == example.focus_index else "the word chosen"


def _in_words(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
    f, tokens = example.focus_index, example.tokens
    row = example.weights[f]
    shown = format_row(row, 2)
    named = named_tokens(example)
    top, second, least = named[0], named[1], named[-1]
    head1_row = example.head_weights[1, f]
    head1_top = _ranked(head1_row)[0]
    head1_shown = format_row(head1_row, 2)
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
        "context_words": " or ".join(tokens[i] for i in context_tokens(example)),
        "weight_list": _weight_list(tokens, shown, named),
        "blend_mix": _blend_mix(tokens, row, top, second),
        "dimensions": _in_words(example.dimensions),
        "focus_meaning": example.dimensions[int(np.argmax(example.x[f]))],
        "focus_reason": _focus_reason(example),
        "top_dimension": top_dimension(example, top),
        "meaning_shift": meaning_shift(example),
        **lesson_values(example),
    }


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
    top = _ranked(example.weights[f])[0]
    causal_row = causal_weights(example)[f]
    causal_top = _ranked(causal_row)[0]
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
