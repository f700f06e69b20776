"""What the narration says about the designed model's example: the tokens it names, the
focus row in words, and the named dimensions a score and a blend are made of."""

from __future__ import annotations

import numpy as np

from attention.models.designed import HEAD_FEATURES
from attention.models.lexicon import sentence_embeddings
from attention.rounding import format_number, format_row
from attention.worked.example import WorkedExample, default_focus

__all__ = ["context_tokens", "designed_values", "meaning_shift", "named_tokens", "ranked",
           "top_dimension"]  # fmt: skip


def ranked(row: np.ndarray) -> list[int]:
    """The positions of ``row`` from its highest weight down, the earlier first on ties.

    Examples
    --------
    >>> ranked(np.array([0.2, 0.4, 0.2, 0.2]))
    [1, 0, 2, 3]
    """
    # a stable sort on the negated weights keeps ties in token order
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
    for i in ranked(example.weights[example.focus_index]):
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
    order = ranked(row)
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


def designed_values(example: WorkedExample) -> dict[str, str]:
    """The designed model's placeholders of :data:`attention.story.placeholders.PLACEHOLDERS`
    but the lecture chapters' (:func:`attention.story.lesson_narration.lesson_values`),
    formatted exactly as the screen shows them.

    Weights are the nearest values at 2 decimals, as every chapter shows them.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = designed_values(worked_example())
    >>> v["focus"], v["top_token"], v["weight_list"]
    ('sat', 'cat', 'cat 0.35, mat 0.24, and The only 0.10')
    """
    f, tokens = example.focus_index, example.tokens
    row = example.weights[f]
    shown = format_row(row, 2)
    named = named_tokens(example)
    top, second, least = named[0], named[1], named[-1]
    head1_row = example.head_weights[1, f]
    head1_top = ranked(head1_row)[0]
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
    }
