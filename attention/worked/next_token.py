"""What a decoder predicts: the next token's probabilities, the likeliest tokens, generation.

A decoder's forward record carries ``next_logits``, its output at the last position: one
score per token of the vocabulary. Their softmax (:func:`attention.core.softmax`) is the
probability of each token coming next. :func:`generate` appends the likeliest token and
runs the model again, one forward pass per step (greedy decoding), so every step has its
own record: the causal rows grow by one token each time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from attention.core import softmax
from attention.models.model import ForwardRecord, Model, ModelError, TokenizedSentence

__all__ = ["Decoder", "NextToken", "Step", "generate", "likeliest", "next_probabilities"]

Array = NDArray[np.float64]


@runtime_checkable
class Decoder(Model, Protocol):
    """A model that predicts the next token: its records have ``next_logits``."""

    def piece(self, token_id: int) -> str:
        """The text of one token of the vocabulary."""

    def from_ids(self, ids: Sequence[int]) -> TokenizedSentence:
        """The sentence these token ids spell, as the model reads it."""


@dataclass(frozen=True)
class NextToken:
    """One candidate for the next token: its id, text, probability and logit."""

    id: int
    text: str
    probability: float
    logit: float


def next_probabilities(record: ForwardRecord) -> Array:  # -> (vocab_size,)
    """The softmax of the record's ``next_logits``: how likely each token is to come next.

    Raises :class:`ModelError` for a record of a model that predicts no token.

    Examples
    --------
    >>> from attention.models.designed import DesignedModel
    >>> m = DesignedModel()
    >>> next_probabilities(m.forward(m.tokenize("The cat sat")))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    attention.models.model.ModelError: this model predicts no next token; use a decoder such as ...
    """
    if record.next_logits is None:
        raise ModelError("this model predicts no next token; use a decoder such as --model smollm2")
    return softmax(record.next_logits)


def likeliest(model: Decoder, record: ForwardRecord, k: int = 5) -> tuple[NextToken, ...]:
    """The ``k`` likeliest next tokens, likeliest first (ties: the smaller id first).

    Examples
    --------
    >>> from attention.models.registry import load_model
    >>> m = load_model("smollm2")                                       # doctest: +SKIP
    >>> likeliest(m, m.forward(m.tokenize("The capital of France is")))[0].text  # doctest: +SKIP
    ' Paris'
    """
    probabilities = next_probabilities(record)
    assert record.next_logits is not None
    order = np.lexsort((np.arange(probabilities.size), -probabilities))[:k]
    return tuple(
        NextToken(int(i), model.piece(int(i)), float(probabilities[i]),
                  float(record.next_logits[i]))
        for i in order
    )  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One step of generation: the forward pass on the text so far, and the token it chose."""

    record: ForwardRecord
    chosen: NextToken


def generate(model: Decoder, tokens: TokenizedSentence, steps: int) -> tuple[Step, ...]:
    """``steps`` forward passes: the prompt, then the prompt with each chosen token appended.

    Each step chooses the likeliest next token (greedy decoding); ``steps[s].record`` read
    ``len(tokens.ids) + s`` tokens. Raises :class:`ModelError` when the text would grow past
    what the model supports.

    Examples
    --------
    >>> from attention.models.registry import load_model
    >>> m = load_model("smollm2")                                       # doctest: +SKIP
    >>> [s.chosen.text for s in generate(m, m.tokenize("One, two, three,"), 2)]  # doctest: +SKIP
    [' four', ',']
    """
    out: list[Step] = []
    current = tokens
    for _ in range(steps):
        record = model.forward(current)
        chosen = likeliest(model, record, 1)[0]
        out.append(Step(record, chosen))
        if len(out) < steps:
            current = model.from_ids([*current.ids, chosen.id])
    return tuple(out)
