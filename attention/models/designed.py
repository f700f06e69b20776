"""The hand-designed model: named-meaning embeddings and projections written as tables.

The model is small and designed by hand so its numbers can be read: each embedding dimension
has a name (:data:`DIMENSIONS`, from WordNet and word lists, see :mod:`attention.models.lexicon`),
and W_Q, W_K, W_V, W_O are tables written below with a comment per row. A real transformer
learns its matrices, and its attention weights are not explanations; this one is built so
the patterns a reader expects are true of its numbers, for any sentence. No positional
encoding is added: the story is about meaning, and word order plays no part.

Its forward pass is :func:`attention.core.multi_head_attention`, one layer of two heads.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from attention.core import AttentionParams, multi_head_attention
from attention.models.lexicon import DIMENSIONS, sentence_embeddings
from attention.models.model import (
    ForwardRecord,
    ModelConfig,
    TokenizedSentence,
    frozen,
    frozen_layer,
)
from attention.models.wordnet import database_identity
from attention.spec import DEFAULT_SENTENCE
from attention.tokens import MAX_TOKENS, MIN_TOKENS, ExampleError, tokenize

__all__ = [
    "DIMENSIONS",
    "HEAD_FEATURES",
    "HEAD_ROLES",
    "W_K",
    "W_O",
    "W_Q",
    "W_V",
    "DesignedModel",
    "designed_params",
]

Array = NDArray[np.float64]

D_MODEL, N_HEADS = len(DIMENSIONS), 2
D_HEAD = D_MODEL // N_HEADS
assert D_MODEL % N_HEADS == 0

HEAD_ROLES = (
    "meaning: a verb looks for who did it, to what and where; a noun for the words that "
    "describe it and nouns like it; a pronoun for the nouns it could stand for; little "
    "words spread their attention evenly",
    "grammar: a noun looks for its determiner, a verb for its little linking words, "
    "a determiner or preposition for its noun, a pronoun for its verb",
)
# What each head's query/key/value column asks or offers: head 0's columns read the
# named meaning dimensions of the key, so each term of q·k names a dimension.
HEAD_FEATURES = (("agent", "place", "thing", "quality"), ("determiner", "relation", "noun", "verb"))

# fmt: off
# Rows are the embedding dimensions (inputs), columns the projected features:
# head 0 = columns 0-3 (agent? place? thing? quality?), head 1 = columns 4-7
# (determiner? relation? noun? verb?). A query row says what a word of that kind looks for.
W_Q: tuple[tuple[float, ...], ...] = (
    # head 0: agent place thing quality | head 1: determ relation noun verb
    (0.8, 0.0, 0.0, 2.5,   2.0, 0.0, 0.0, 0.0),  # agent: describers, agents | determiner
    (0.0, 2.5, 0.0, 2.5,   2.0, 0.0, 0.0, 0.0),  # place: describers, places | determiner
    (0.0, 0.0, 0.6, 2.5,   2.0, 0.0, 0.0, 0.0),  # thing: describers, things | determiner
    (2.5, 2.2, 2.2, 0.0,   0.0, 2.0, 0.0, 0.0),  # action: who, where, what | linking words
    (1.5, 1.5, 1.5, 0.0,   0.0, 0.0, 1.6, 0.0),  # quality: the noun I describe | a noun
    (2.4, 1.0, 2.4, 0.0,   0.0, 0.0, 0.0, 1.6),  # pronoun: nouns I could mean | my verb
    (0.0, 0.0, 0.0, 0.0,   0.0, 0.0, 1.6, 0.0),  # determiner: nothing (spread) | my noun
    (0.0, 0.0, 0.0, 0.0,   0.0, 0.0, 1.6, 0.0),  # relation: nothing (spread) | my noun
)
# A key row says what a word of that kind offers.
W_K: tuple[tuple[float, ...], ...] = (
    (1.0, 0.0, 0.0, 0.0,   0.0, 0.0, 1.0, 0.0),  # agent: "I can act" | "I am a noun"
    (0.0, 1.0, 0.0, 0.0,   0.0, 0.0, 1.0, 0.0),  # place: "I am somewhere" | "I am a noun"
    (0.0, 0.0, 1.0, 0.0,   0.0, 0.0, 1.0, 0.0),  # thing: "I can be acted on" | "I am a noun"
    (0.0, 0.0, 0.0, 0.0,   0.0, 0.0, 0.0, 1.0),  # action: nothing to meaning | "I am a verb"
    (0.0, 0.0, 0.0, 1.0,   0.0, 0.0, 0.0, 0.0),  # quality: "I describe" | nothing
    (0.0, 0.0, 0.0, 0.0,   0.0, 0.0, 0.5, 0.0),  # pronoun: nothing | "I am half a noun"
    (0.0, 0.0, 0.0, 0.0,   1.0, 0.0, 0.0, 0.0),  # determiner: nothing | "I mark a noun"
    (0.0, 0.0, 0.0, 0.0,   0.0, 1.0, 0.0, 0.0),  # relation: nothing | "I link"
)
# Values carry meaning through: head 0 passes agent, place, thing, quality; head 1 passes
# action, pronoun, determiner, relation. So head 0's output for a word says, in named
# dimensions, what it gathered from the words it attended to.
W_V: tuple[tuple[float, ...], ...] = (
    (1.0, 0.0, 0.0, 0.0,   0.0, 0.0, 0.0, 0.0),  # agent
    (0.0, 1.0, 0.0, 0.0,   0.0, 0.0, 0.0, 0.0),  # place
    (0.0, 0.0, 1.0, 0.0,   0.0, 0.0, 0.0, 0.0),  # thing
    (0.0, 0.0, 0.0, 0.0,   1.0, 0.0, 0.0, 0.0),  # action
    (0.0, 0.0, 0.0, 1.0,   0.0, 0.0, 0.0, 0.0),  # quality
    (0.0, 0.0, 0.0, 0.0,   0.0, 1.0, 0.0, 0.0),  # pronoun
    (0.0, 0.0, 0.0, 0.0,   0.0, 0.0, 1.0, 0.0),  # determiner
    (0.0, 0.0, 0.0, 0.0,   0.0, 0.0, 0.0, 1.0),  # relation
)
# The output projection puts each carried dimension back in its place (rows = the merged
# heads' columns, columns = DIMENSIONS), so the multi-head output reads in named dimensions.
W_O: tuple[tuple[float, ...], ...] = (
    (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # head 0 agent -> agent
    (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # head 0 place -> place
    (0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # head 0 thing -> thing
    (0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0),  # head 0 quality -> quality
    (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0),  # head 1 action -> action
    (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0),  # head 1 pronoun -> pronoun
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0),  # head 1 determiner -> determiner
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),  # head 1 relation -> relation
)
# fmt: on


@functools.cache
def designed_params() -> AttentionParams:
    """The tables above as the attention layer's read-only projections (no biases).

    Examples
    --------
    >>> designed_params().w_q.shape, designed_params().d_head
    ((8, 8), 4)
    """
    w_q, w_k, w_v, w_o = (frozen(np.array(w, dtype=np.float64)) for w in (W_Q, W_K, W_V, W_O))
    return AttentionParams(w_q, w_k, w_v, w_o, n_heads=N_HEADS)


def _check_length(sentence: str, tokens: tuple[str, ...]) -> None:
    n = len(tokens)
    if n == 0:
        raise ExampleError(
            f"sentence {sentence!r} has no words: give {MIN_TOKENS} to {MAX_TOKENS} words, "
            f"e.g. {DEFAULT_SENTENCE!r}"
        )
    if n < MIN_TOKENS:
        raise ExampleError(
            f"sentence {sentence!r} has only 1 token ({tokens[0]}): attention compares "
            f"tokens, so give {MIN_TOKENS} to {MAX_TOKENS}"
        )
    if n > MAX_TOKENS:
        raise ExampleError(
            f"sentence has {n} tokens, at most {MAX_TOKENS} fit on screen; shorten it. "
            f"Tokens counted: " + " | ".join(tokens)
        )


_CODE = ("designed.py", "lexicon.py", "wordnet.py")  # the files its numbers come from


class DesignedModel:
    """The hand-designed model (``--model hand``): one layer, two heads, named dimensions.

    Examples
    --------
    >>> model = DesignedModel()
    >>> record = model.forward(model.tokenize("The cat sat on the mat"))
    >>> record.layers[0].weights.shape, record.sources[0]
    ((2, 6, 6), 'closed class: determiner')
    """

    name = "hand"
    config = ModelConfig(
        kind="designed", n_layers=1, n_heads=N_HEADS, d_model=D_MODEL, d_head=D_HEAD,
        dimensions=DIMENSIONS, head_features=HEAD_FEATURES,
        description="a small hand-designed model: 8 named dimensions, one layer of 2 heads",
    )  # fmt: skip

    @property
    def identity(self) -> str:
        """Its tables and lexicon code, and which WordNet database the embeddings read."""
        here = Path(__file__).parent
        digest = hashlib.sha256(b"".join((here / name).read_bytes() for name in _CODE))
        digest.update(database_identity().encode())
        return f"hand:{digest.hexdigest()[:24]}"

    def tokenize(self, sentence: str) -> TokenizedSentence:
        """Words as people read them (:func:`attention.tokens.tokenize`), 2 to 16 of them."""
        tokens = tokenize(sentence)
        _check_length(sentence, tokens)
        return TokenizedSentence(sentence, tokens, tokens, tuple(range(len(tokens))))

    def forward(self, tokens: TokenizedSentence) -> ForwardRecord:
        """Embed each word over the named dimensions, then one attention layer."""
        embeddings = sentence_embeddings(tokens.tokens)
        x = frozen(np.array([e.vector for e in embeddings], dtype=np.float64))  # (n, d_model)
        params = designed_params()
        layer = multi_head_attention(x, params)
        hidden = frozen(np.stack([x, layer.output]))  # (2, n, d_model)
        sources = tuple(e.source for e in embeddings)
        return ForwardRecord(tokens, x, (frozen_layer(layer),), (params,), hidden, sources)
