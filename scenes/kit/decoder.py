"""What the decoder's chapters take from ``attention``: the heads they name and the tokens.

The heads picked by measurement (:func:`decoder_story`), the generation steps and the
repeated sequence the numbers come from, a token's text as shown (``␣`` for a leading
space), and a step's likeliest next tokens. Scenes import these from the kit, the one door
to the model.
"""

from __future__ import annotations

from attention.story.decoder_chapters import DecoderStory, decoder_story
from attention.story.decoder_numbers import (
    REPEAT_LENGTH,
    TOP_K,
    decoder_of,
    generation,
    piece_label,
    repeated_weights,
)
from attention.worked.example import WorkedExample
from attention.worked.next_token import NextToken, likeliest

__all__ = [
    "REPEAT_LENGTH",
    "TOP_K",
    "DecoderStory",
    "decoder_story",
    "generation",
    "piece_label",
    "repeated_pieces",
    "repeated_weights",
    "step_likeliest",
]


def step_likeliest(example: WorkedExample, step: int) -> tuple[NextToken, ...]:
    """The :data:`TOP_K` likeliest next tokens at generation step ``step`` (0: the prompt).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example("The capital of France is", None, "smollm2")  # doctest: +SKIP
    >>> step_likeliest(ex, 0)[0].text                                   # doctest: +SKIP
    ' Paris'
    """
    return likeliest(decoder_of(example), generation(example)[step].record, TOP_K)


def repeated_pieces(example: WorkedExample) -> list[str]:
    """The repeated sequence's tokens as shown (``␣mans``)."""
    model = decoder_of(example)
    return [piece_label(model.piece(i)) for i in repeated_weights(example)[0]]
