"""The worked example: a sentence, designed embeddings and projections, every number shown."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attention.core import merge_heads, softmax, split_heads

__all__ = [
    "DEFAULT_SENTENCE",
    "DIMENSIONS",
    "FUNCTION_WORDS",
    "MAX_TOKENS",
    "MIN_TOKENS",
    "VOCABULARY",
    "ExampleError",
    "WorkedExample",
    "embed",
    "tokenize",
    "worked_example",
]

Array = NDArray[np.float64]

DEFAULT_SENTENCE = "The cat sat on the mat"
MIN_TOKENS, MAX_TOKENS = 2, 12
D_MODEL, N_HEADS = 6, 2
D_HEAD = D_MODEL // N_HEADS

# What each embedding dimension means; the designed vocabulary scores words on these.
DIMENSIONS = ("animal", "place", "action", "determiner", "relation", "noun")

# fmt: off
VOCABULARY: dict[str, tuple[float, ...]] = {
    #          animal place action determ relation noun
    "the":    (0.0,   0.1,  0.0,   1.0,   0.1,     0.0),
    "a":      (0.0,   0.1,  0.0,   0.9,   0.1,     0.0),
    "an":     (0.0,   0.1,  0.0,   0.9,   0.1,     0.0),
    "cat":    (1.0,   0.1,  0.2,   0.0,   0.0,     0.9),
    "dog":    (1.0,   0.2,  0.3,   0.0,   0.0,     0.9),
    "bird":   (0.9,   0.1,  0.3,   0.0,   0.0,     0.8),
    "mouse":  (0.9,   0.2,  0.2,   0.0,   0.0,     0.8),
    "mat":    (0.1,   1.0,  0.0,   0.0,   0.1,     0.8),
    "rug":    (0.1,   0.9,  0.0,   0.0,   0.1,     0.8),
    "sofa":   (0.1,   0.9,  0.1,   0.0,   0.1,     0.9),
    "floor":  (0.0,   1.0,  0.0,   0.0,   0.2,     0.7),
    "box":    (0.1,   0.8,  0.0,   0.0,   0.1,     0.9),
    "sat":    (0.2,   0.3,  1.0,   0.0,   0.2,     0.0),
    "lay":    (0.2,   0.3,  0.9,   0.0,   0.2,     0.0),
    "slept":  (0.3,   0.2,  0.9,   0.0,   0.1,     0.0),
    "ran":    (0.3,   0.2,  1.0,   0.0,   0.1,     0.0),
    "jumped": (0.3,   0.2,  1.0,   0.0,   0.2,     0.0),
    "on":     (0.0,   0.3,  0.1,   0.1,   1.0,     0.0),
    "in":     (0.0,   0.3,  0.1,   0.1,   0.9,     0.0),
    "under":  (0.0,   0.4,  0.1,   0.1,   0.9,     0.0),
    "by":     (0.0,   0.2,  0.1,   0.1,   0.8,     0.0),
    "and":    (0.0,   0.0,  0.1,   0.3,   0.6,     0.0),
    ".":      (0.0,   0.0,  0.0,   0.3,   0.3,     0.0),
    ",":      (0.0,   0.0,  0.0,   0.3,   0.3,     0.0),
}

# Rows are the embedding dimensions above (inputs), columns the projected features.
# Head 0 (columns 0-2) is the "meaning" head: an action's query asks "who did it?" (col 0,
# matched by animal keys) and "where?" (col 1, matched by place keys); col 2 is a weak
# "is this a content word?" channel. Head 1 (columns 3-5) is the "grammar" head: nouns ask
# for their determiner (col 3), actions ask for their preposition (col 4), and function
# words ask for other function words (col 5), so every token looks at a little word.
W_Q: tuple[tuple[float, ...], ...] = (
    # head 0: agent place content | head 1: determ relation function
    (0.0, 0.0, 0.4,   0.0, 0.0, 0.0),  # animal
    (0.0, 0.0, 0.4,   0.0, 0.0, 0.0),  # place
    (1.4, 1.0, 0.5,   0.0, 1.5, 0.0),  # action
    (0.0, 0.0, 0.6,   0.0, 0.0, 1.0),  # determiner
    (0.0, 0.0, 0.6,   0.0, 0.0, 1.0),  # relation
    (0.0, 0.0, 0.0,   1.5, 0.0, 0.0),  # noun
)
W_K: tuple[tuple[float, ...], ...] = (
    (1.2, 0.0, 0.0,   0.0, 0.0, 0.0),  # animal: "I can be the one who acts"
    (0.0, 1.2, 0.0,   0.0, 0.0, 0.0),  # place: "I am somewhere to be"
    (0.0, 0.0, 0.9,   0.0, 0.0, 0.0),  # action
    (0.0, 0.0, 0.0,   1.2, 0.0, 0.8),  # determiner: "I mark a noun"
    (0.0, 0.0, 0.0,   0.0, 1.2, 0.8),  # relation: "I link to a place"
    (0.0, 0.0, 1.0,   0.0, 0.0, 0.0),  # noun: content
)
# Values pass each head's meaning through: head 0 carries animal/place/action,
# head 1 carries determiner/relation/noun.
W_V: tuple[tuple[float, ...], ...] = (
    (1.0, 0.0, 0.0,   0.0, 0.0, 0.0),
    (0.0, 1.0, 0.0,   0.0, 0.0, 0.0),
    (0.0, 0.0, 1.0,   0.0, 0.0, 0.0),
    (0.0, 0.0, 0.0,   1.0, 0.0, 0.0),
    (0.0, 0.0, 0.0,   0.0, 1.0, 0.0),
    (0.0, 0.0, 0.0,   0.0, 0.0, 1.0),
)
# The output projection mixes the heads back into one vector per token:
# a relation found by head 1 adds a little "place" to the result, a noun a little "animal".
W_O: tuple[tuple[float, ...], ...] = (
    (1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    (0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
    (0.0, 0.0, 1.0, 0.0, 0.0, 0.0),
    (0.0, 0.0, 0.0, 1.0, 0.0, 0.0),
    (0.0, 0.5, 0.0, 0.0, 1.0, 0.0),
    (0.3, 0.0, 0.0, 0.0, 0.0, 1.0),
)
# fmt: on

# Little words that are never the default focus (the story is about content words).
FUNCTION_WORDS = frozenset(
    {"the", "a", "an", "on", "in", "under", "by", "at", "of", "to", "and", "or", "is", "was"}
    | {"it", "its", "this", "that", "with", "for", "from", "as"}
)

_TOKEN = re.compile(r"\w+|[^\w\s]")


class ExampleError(ValueError):
    """A sentence or focus word the worked example cannot use."""


@dataclass(frozen=True)
class WorkedExample:
    """Every number of the worked example; arrays are read-only.

    Head 0 is the single-head story: it attends by meaning (an action looks for who did it
    and where). Head 1 attends by grammar: every token looks most at a function word
    (nouns at their "the", "sat" at "on").

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.tokens[ex.focus_index], ex.weights.shape
    ('sat', (6, 6))
    """

    sentence: str
    tokens: tuple[str, ...]
    focus: str
    focus_index: int
    d_model: int
    n_heads: int
    d_head: int
    x: Array  # (n, d_model)
    w_q: Array  # (d_model, d_model)
    w_k: Array
    w_v: Array
    w_o: Array
    q: Array  # (n, d_head), head 0
    k: Array
    v: Array
    scores: Array  # (n, n)
    scaled_scores: Array  # (n, n)
    weights: Array  # (n, n)
    outputs: Array  # (n, d_head)
    head_weights: Array  # (n_heads, n, n)
    head_outputs: Array  # (n_heads, n, d_head)
    concat: Array  # (n, d_model)
    mha_output: Array  # (n, d_model)

    @property
    def n_tokens(self) -> int:
        """Number of tokens in the sentence."""
        return len(self.tokens)


def tokenize(sentence: str) -> tuple[str, ...]:
    """Split into words and punctuation marks, keeping the original spelling.

    Examples
    --------
    >>> tokenize("The cat sat.")
    ('The', 'cat', 'sat', '.')
    """
    return tuple(_TOKEN.findall(sentence))


def embed(token: str) -> tuple[float, ...]:
    """The designed embedding of ``token``, or a deterministic one derived from its spelling.

    Unknown words get six numbers in [-1.0, 1.0] with one decimal, taken from the SHA-256
    of the lower-cased word (never Python's ``hash``, which changes between runs).

    Examples
    --------
    >>> embed("Cat")
    (1.0, 0.1, 0.2, 0.0, 0.0, 0.9)
    """
    word = token.lower()
    if word in VOCABULARY:
        return VOCABULARY[word]
    digest = hashlib.sha256(word.encode("utf-8")).digest()
    return tuple((b % 21 - 10) / 10 for b in digest[:D_MODEL])


def _check_length(sentence: str, tokens: tuple[str, ...]) -> None:
    n = len(tokens)
    if n == 0:
        raise ExampleError(
            f"sentence {sentence!r} has no words: give {MIN_TOKENS} to {MAX_TOKENS} words, "
            f"e.g. {DEFAULT_SENTENCE!r}"
        )
    if n < MIN_TOKENS:
        raise ExampleError(
            f"sentence {sentence!r} has only 1 token: attention compares tokens, "
            f"so give {MIN_TOKENS} to {MAX_TOKENS}"
        )
    if n > MAX_TOKENS:
        raise ExampleError(
            f"sentence {sentence!r} has {n} tokens (words and punctuation): "
            f"at most {MAX_TOKENS} fit on screen, shorten it"
        )


def _default_focus(tokens: tuple[str, ...]) -> int:
    lowered = [t.lower() for t in tokens]
    if "sat" in lowered:
        return lowered.index("sat")
    for i, word in enumerate(lowered):
        if word.isalnum() and word not in FUNCTION_WORDS:
            return i
    return 0


def _focus_index(sentence: str, tokens: tuple[str, ...], focus: str | None) -> int:
    if focus is None:
        return _default_focus(tokens)
    lowered = [t.lower() for t in tokens]
    if focus.strip().lower() not in lowered:
        raise ExampleError(
            f"focus {focus!r} is not a token of {sentence!r}: choose one of " + ", ".join(tokens)
        )
    return lowered.index(focus.strip().lower())


def _frozen(a: NDArray[np.floating]) -> Array:
    out = np.array(a, dtype=np.float64)  # a private copy, so nothing else can write it
    out.setflags(write=False)
    return out


def worked_example(sentence: str = DEFAULT_SENTENCE, focus: str | None = None) -> WorkedExample:
    """Build the worked example for ``sentence``, focused on ``focus`` (default: "sat").

    Raises :class:`ExampleError` for fewer than 2 or more than 12 tokens, or a focus word
    that is not in the sentence.

    Examples
    --------
    >>> ex = worked_example("The cat sat on the mat")
    >>> ex.tokens[int(ex.weights[ex.focus_index].argmax())]
    'cat'
    """
    tokens = tokenize(sentence)
    _check_length(sentence, tokens)
    focus_index = _focus_index(sentence, tokens, focus)
    x = np.array([embed(t) for t in tokens], dtype=np.float64)  # (n, d_model)
    w_q, w_k, w_v, w_o = (np.array(w, dtype=np.float64) for w in (W_Q, W_K, W_V, W_O))
    q = split_heads(x @ w_q, N_HEADS)  # (n_heads, n, d_head)
    k = split_heads(x @ w_k, N_HEADS)
    v = split_heads(x @ w_v, N_HEADS)
    # Each head is computed with the same 2-D operations so head 0 is bit-identical
    # to the single-head story the early chapters show.
    scores = np.stack([q[h] @ k[h].T for h in range(N_HEADS)])  # (n_heads, n, n)
    scaled = scores / np.sqrt(D_HEAD)
    weights = softmax(scaled, axis=-1)
    outputs = weights @ v  # (n_heads, n, d_head)
    concat = merge_heads(outputs)  # (n, d_model)
    return WorkedExample(
        sentence=sentence,
        tokens=tokens,
        focus=tokens[focus_index],
        focus_index=focus_index,
        d_model=D_MODEL,
        n_heads=N_HEADS,
        d_head=D_HEAD,
        x=_frozen(x),
        w_q=_frozen(w_q),
        w_k=_frozen(w_k),
        w_v=_frozen(w_v),
        w_o=_frozen(w_o),
        q=_frozen(q[0]),
        k=_frozen(k[0]),
        v=_frozen(v[0]),
        scores=_frozen(scores[0]),
        scaled_scores=_frozen(scaled[0]),
        weights=_frozen(weights[0]),
        outputs=_frozen(outputs[0]),
        head_weights=_frozen(weights),
        head_outputs=_frozen(outputs),
        concat=_frozen(concat),
        mha_output=_frozen(concat @ w_o),
    )
