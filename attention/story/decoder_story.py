"""A decoder's narration values: the placeholders a script may use, from its numbers.

The values every script header needs (the sentence, the model's shape) and the next-token
prediction, formatted as the screen shows them. The decoder's chapters' own
(:mod:`attention.story.decoder_chapters`) follow.
"""

from __future__ import annotations

from attention.models.registry import load_model
from attention.rounding import format_number
from attention.story.decoder_chapters import chapter_values
from attention.worked.example import WorkedExample
from attention.worked.next_token import Decoder, likeliest

__all__ = ["decoder_values"]


def decoder_values(example: WorkedExample) -> dict[str, str]:
    """Every decoder placeholder, formatted as the screen shows it.

    ``next_token`` is the likeliest next token's text (stripped of its leading space) and
    ``next_probability`` its probability at 2 decimals.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = decoder_values(worked_example("The capital of France is", None, "smollm2"))
    >>> v["next_token"], v["next_probability"], v["n_kv_heads"]
    ('Paris', '0.77', '3')
    """
    model = load_model(example.spec.model)
    assert isinstance(model, Decoder), f"{example.spec.model} is not a decoder"
    top = likeliest(model, example.record, 1)[0]
    return {
        "sentence": example.sentence,
        "focus": example.focus,
        "n_tokens": str(example.n_tokens),
        "n_words": str(len(example.record.tokens.words)),
        "n_layers": str(example.n_layers),
        "n_heads": str(example.n_heads),
        "n_kv_heads": str(model.config.n_kv_heads),
        "d_model": str(example.d_model),
        "d_head": str(example.d_head),
        "next_token": top.text.strip(),
        "next_probability": format_number(top.probability, 2),
        **chapter_values(example),
    }
