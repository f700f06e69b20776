"""``explainer numbers`` for a decoder: its tokens, attention, next token and head patterns."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console

from attention.models.registry import load_model
from attention.rounding import format_number
from attention.story.decoder_patterns import (
    DECODER_HABITS,
    DECODER_MEASURES,
    THRESHOLD,
    decoder_heads,
    induction_targets,
    strongest,
)
from attention.worked.example import WorkedExample
from attention.worked.next_token import Decoder, likeliest

__all__ = ["NEXT_COUNT", "decoder_record", "print_decoder"]

NEXT_COUNT = 5  # the likeliest next tokens listed


def _decoder(example: WorkedExample) -> Decoder:
    model = load_model(example.spec.model)
    assert isinstance(model, Decoder), f"{example.spec.model} is not a decoder"
    return model


def decoder_record(example: WorkedExample) -> dict[str, Any]:
    """A decoder's numbers for the prompt as plain data.

    ``ids`` and ``tokens`` are the model's (``tokens[i]`` the text of token ``i``, with its
    leading space); ``attention[l][h]`` is query head ``h`` of layer ``l``'s weight matrix,
    rows = query tokens, columns = key tokens, all 0-based, zero above the diagonal (the
    causal mask); ``next`` the :data:`NEXT_COUNT` likeliest next tokens as ``[token,
    probability]``; ``patterns[l][h]`` the head's measured ``previous``, ``first`` and
    ``induction`` shares (None where undefined) and its habit
    (:mod:`attention.story.decoder_patterns`); ``induction_rows`` how many queries repeat an earlier
    token (the rows ``induction`` averages).
    """
    record, tokens = example.record, example.record.tokens
    config = load_model(example.spec.model).config
    return {
        "sentence": example.sentence,
        "model": example.spec.model,
        "ids": list(tokens.ids),
        "tokens": list(tokens.tokens),
        "words": list(tokens.words),
        "word_of": list(tokens.word_of),
        "n_layers": example.n_layers,
        "n_heads": example.n_heads,
        "n_kv_heads": config.n_kv_heads,
        "attention": example.attention.tolist(),
        "next": [[t.text, t.probability] for t in likeliest(_decoder(example), record, NEXT_COUNT)],
        "patterns": [
            [
                {
                    "previous": h.previous,
                    "first": h.first,
                    "induction": h.induction,
                    "habit": h.habit,
                }
                for h in layer
            ]  # fmt: skip
            for layer in decoder_heads(example.attention, tokens.ids)
        ],
        "induction_rows": sum(bool(keys) for keys in induction_targets(tokens.ids)),
    }


def print_decoder(example: WorkedExample, console: Console) -> None:
    """The prompt's tokens, the likeliest next tokens, and the heads' habits in short."""

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    tokens = example.record.tokens
    say(
        "tokens: "
        + " | ".join(f"{t!r} {i}" for t, i in zip(tokens.tokens, tokens.ids, strict=True))
    )
    say("next token, likeliest first:")
    for t in likeliest(_decoder(example), example.record, NEXT_COUNT):
        say(f"  {t.text!r:<16} {format_number(t.probability, 4)}")
    heads = decoder_heads(example.attention, tokens.ids)
    counts = Counter(h.habit for layer in heads for h in layer)
    total = sum(counts.values())
    say(
        f"habits of the {total} heads (a measure holding {THRESHOLD} or more of the weight): "
        + ", ".join(f"{habit} {counts[habit]}" for habit in (*DECODER_HABITS.values(), "mixed"))
    )
    for measure in DECODER_MEASURES:
        top = strongest(heads, measure, 3)
        if top:
            index = DECODER_MEASURES.index(measure)
            say(
                f"strongest {measure} heads (layer and head 0-based): "
                + ", ".join(f"{h.name} {format_number(h.measures[index] or 0.0, 2)}" for h in top)
            )
        else:
            say(f"{measure}: undefined (the prompt repeats no token)")
