"""What the decoder's chapters take from ``attention``: the heads they name and the tokens.

The heads picked by measurement (:func:`decoder_story`), the generation steps and the
repeated sequence the numbers come from, and a token's text as shown (``␣`` for a leading
space). Scenes import these from the kit, the one door
to the model.
"""

from __future__ import annotations

from attention.story.decoder_chapters import DecoderStory, decoder_story
from attention.story.decoder_numbers import (
    REPEAT_LENGTH,
    SHOWN_STEPS,
    decoder_of,
    piece_label,
    repeated_weights,
)
from attention.worked.example import WorkedExample
from attention.worked.generation import GenerationStep, generation

__all__ = [
    "REPEAT_LENGTH",
    "DecoderStory",
    "GenerationStep",
    "decoder_story",
    "piece_label",
    "repeated_pieces",
    "repeated_weights",
    "shown_steps",
]


def shown_steps(example: WorkedExample) -> tuple[GenerationStep, ...]:
    """The generation steps the chapters show (step 0 reads the prompt), each with its
    likeliest next tokens ``top`` and its ``tokens``.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example("The capital of France is", None, "smollm2")  # doctest: +SKIP
    >>> shown_steps(ex)[0].top[0].text                                  # doctest: +SKIP
    ' Paris'
    """
    return generation(example)[:SHOWN_STEPS]


def repeated_pieces(example: WorkedExample) -> list[str]:
    """The repeated sequence's tokens as shown (``␣mans``)."""
    model = decoder_of(example)
    return [piece_label(model.piece(i)) for i in repeated_weights(example)[0]]
