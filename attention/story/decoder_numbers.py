"""A decoder's numbers beyond one forward pass: the next token, generation, a repeated sequence.

The decoder's chapters show three things a single record of the prompt does not hold:

- ``next``: the five likeliest next tokens' probabilities, likeliest first (``next[k]``),
  and their scores before softmax, the model's output logits (``next_logit[k]``);
- ``repeated_attention``, ``induction_score`` and ``previous_score``: every head on a random
  sequence of :data:`REPEAT_LENGTH` word tokens drawn with the fixed seed :data:`REPEAT_SEED`
  and written twice (:func:`repeated_ids`), and each head's induction and previous-token
  share on it (:mod:`attention.story.decoder_patterns`).

Each is a ledger source (:data:`DECODER_DERIVED`); ``attention/numbers/reference_decoder.py``
recomputes every one by loops. Generation's steps are :mod:`attention.worked.generation`'s
(``step_next(s)[k]``, ``step_attention(s)[l, h, j]``); the chapters show
:data:`SHOWN_STEPS` of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from attention.models.registry import load_model
from attention.story.decoder_patterns import induction_share, previous_share
from attention.worked.next_token import Decoder, likeliest

if TYPE_CHECKING:
    from attention.worked.example import WorkedExample

__all__ = [
    "DECODER_DERIVED",
    "SHOWN_STEPS",
    "REPEAT_LENGTH",
    "REPEAT_SEED",
    "TOP_K",
    "decoder_of",
    "piece_label",
    "repeated_ids",
    "repeated_weights",
    "word_pieces",
]

Array = NDArray[np.float64]

TOP_K = 5  # the likeliest next tokens shown as bars
SHOWN_STEPS = 3  # generation steps the chapters show: the prompt's, and two tokens appended
REPEAT_SEED = 3  # numpy's default_rng seed that draws the induction chapter's sequence
REPEAT_LENGTH = 6  # word tokens in the sequence before it repeats


def piece_label(piece: str) -> str:
    """A token's text as the screen shows it: a leading space as ``␣``, a line break as
    ``↵``, so a subword piece is shown as the model reads it.

    Examples
    --------
    >>> piece_label(" Paris"), piece_label("The"), piece_label("\\n")
    ('␣Paris', 'The', '↵')
    """
    return piece.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def decoder_of(example: WorkedExample) -> Decoder:
    """The decoder that read ``example``; ValueError for another model."""
    model = load_model(example.spec.model)
    if not isinstance(model, Decoder):
        raise ValueError(f"model {example.spec.model!r} is not a decoder: use --model smollm2")
    return model


@functools.lru_cache(maxsize=4)
def word_pieces(name: str) -> tuple[int, ...]:
    """Ids of the vocabulary's plain word tokens: a space, then 4 to 7 lowercase ASCII
    letters (`` mans``), in id order: what the random sequence is drawn from."""
    model = load_model(name)
    assert isinstance(model, Decoder)
    size = int(getattr(model, "shape").vocab_size)  # noqa: B009 (a llama model's shape)
    out = []
    for i in range(size):
        p = model.piece(i)
        word = p[1:]
        if p[:1] == " " and 4 <= len(word) <= 7 and word.isascii() and word.isalpha() \
                and word.islower():  # fmt: skip
            out.append(i)
    return tuple(out)


def repeated_ids(
    name: str, seed: int = REPEAT_SEED, length: int = REPEAT_LENGTH
) -> tuple[int, ...]:
    """``length`` distinct word tokens drawn with ``numpy.random.default_rng(seed)``,
    written twice: the induction chapter's sequence (the same for every prompt)."""
    rng = np.random.default_rng(seed)
    drawn = [int(i) for i in rng.choice(np.asarray(word_pieces(name)), length, replace=False)]
    return (*drawn, *drawn)


@functools.lru_cache(maxsize=4)
def _repeated(name: str) -> tuple[tuple[int, ...], Array]:
    model = load_model(name)
    ids = repeated_ids(name)
    record = model.forward(model.from_ids(ids))  # type: ignore[attr-defined]
    return ids, record.stacked("weights")  # (L, H, 2 * length, 2 * length)


def repeated_weights(example: WorkedExample) -> tuple[tuple[int, ...], Array]:
    """The repeated sequence's ids and every head's weights on it, ``(L, H, m, m)``."""
    decoder_of(example)
    return _repeated(example.spec.model)


def _no_args(name: str, args: Sequence[float]) -> None:
    if args:
        raise ValueError(f"{name} takes no arguments")


def _next(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_args("next", args)
    return np.array([t.probability for t in likeliest(decoder_of(example), example.record, TOP_K)])


def _next_logit(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_args("next_logit", args)
    return np.array([t.logit for t in likeliest(decoder_of(example), example.record, TOP_K)])


def _repeated_attention(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_args("repeated_attention", args)
    return repeated_weights(example)[1]


def _induction(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_args("induction_score", args)
    ids, weights = repeated_weights(example)
    return induction_share(weights, ids)  # (L, H)


def _previous(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_args("previous_score", args)
    return previous_share(repeated_weights(example)[1])  # (L, H)


# ledger sources: name -> value for the example and the source's numeric arguments
DECODER_DERIVED: dict[str, Callable[[WorkedExample, tuple[float, ...]], Array]] = {
    "next": _next,
    "next_logit": _next_logit,
    "repeated_attention": _repeated_attention,
    "induction_score": _induction,
    "previous_score": _previous,
}
