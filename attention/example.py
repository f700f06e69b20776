"""The worked example: a sentence, named-meaning embeddings, designed projections, every number.

The model is small and hand-designed so its numbers can be read: each embedding dimension
has a name (:data:`DIMENSIONS`, from WordNet and word lists, see :mod:`attention.lexicon`),
and W_Q, W_K, W_V, W_O are tables written below with a comment per row. A real transformer
learns its matrices, and its attention weights are not explanations; this one is built so
the patterns a reader expects are true of its numbers, for any sentence. No positional
encoding is added: the story is about meaning, and word order plays no part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attention.core import merge_heads, softmax, split_heads
from attention.lexicon import DIMENSIONS, Embedding, embed
from attention.tokens import MAX_TOKENS, MIN_TOKENS, TOKEN_RULES, ExampleError, tokenize

__all__ = [
    "DEFAULT_SENTENCE",
    "DIMENSIONS",
    "FOCUS_RULES",
    "HEAD_FEATURES",
    "HEAD_ROLES",
    "MAX_TOKENS",
    "MIN_TOKENS",
    "TOKEN_RULES",
    "ExampleError",
    "WorkedExample",
    "default_focus",
    "embed",
    "example_record",
    "find_focus",
    "focus_spec",
    "sentence_embeddings",
    "tokenize",
    "worked_example",
]

Array = NDArray[np.float64]

DEFAULT_SENTENCE = "The cat sat on the mat"
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

FOCUS_RULES = (
    "Without --focus the story follows the first verb (sat); with no verb, the most "
    "ambiguous noun (one whose senses are split, like bank), else the first noun, else the "
    "first content word, else the first token. --focus takes any token, case-insensitive; "
    "a token that occurs twice is chosen by occurrence with word@N (it@2 = the second it)."
)


@dataclass(frozen=True)
class WorkedExample:
    """Every number of the worked example; arrays are read-only.

    Head 0 is the single-head story: it attends by meaning (a verb looks for who did it,
    to what and where). Head 1 attends by grammar (nouns look at their determiner,
    "sat" at "on"). ``dimensions`` names the columns of ``x``; ``sources`` says where each
    token's embedding came from.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.tokens[ex.focus_index], ex.weights.shape, ex.dimensions[:3]
    ('sat', (6, 6), ('agent', 'place', 'thing'))
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
    dimensions: tuple[str, ...] = DIMENSIONS  # names of x's columns
    sources: tuple[str, ...] = ()  # one per token: where its embedding came from

    @property
    def n_tokens(self) -> int:
        """Number of tokens in the sentence."""
        return len(self.tokens)


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


def default_focus(embeddings: list[Embedding]) -> tuple[int, str]:
    """The token the story follows when no focus is given, and why (see :data:`FOCUS_RULES`).

    Examples
    --------
    >>> from attention.lexicon import embed
    >>> default_focus([embed(w) for w in ("The", "cat", "sat")])
    (2, 'the first verb')
    >>> default_focus([embed(w) for w in ("the", "river", "bank")])
    (2, 'the most ambiguous noun')
    """
    content = [i for i, e in enumerate(embeddings) if not e.is_function_word]
    verbs = [i for i in content if embeddings[i].word_class == "verb"]
    if verbs:
        return verbs[0], "the first verb"
    nouns = [i for i in content if embeddings[i].word_class in ("noun", "name", "possessive")]
    ambiguous = [i for i in nouns if embeddings[i].top_share < 0.8]
    if ambiguous:
        return min(ambiguous, key=lambda i: (embeddings[i].top_share, i)), (
            "the most ambiguous noun"
        )
    if nouns:
        return nouns[0], "the first noun"
    if content:
        return content[0], "the first content word"
    return 0, "the first token"


def sentence_embeddings(tokens: tuple[str, ...]) -> list[Embedding]:
    """Each token's embedding; a capital inside the sentence marks a name (not in all caps)."""
    shouted = all(t.isupper() for t in tokens if any(c.isalpha() for c in t))
    return [embed(t, first=i == 0 or shouted) for i, t in enumerate(tokens)]


def find_focus(tokens: tuple[str, ...], focus: str) -> int:
    """Index of ``focus`` in ``tokens``: case-insensitive, ``word@N`` = N-th occurrence.

    Raises :class:`ExampleError` (one line naming the tokens) when there is no such token.

    Examples
    --------
    >>> toks = ("It", "fell", "and", "it", "broke")
    >>> find_focus(toks, "IT"), find_focus(toks, "it@2"), find_focus(toks, "broke@1")
    (0, 3, 4)
    """
    wanted = focus.strip()
    word, at, nth = wanted.rpartition("@")
    if not (at and word and nth.isdigit()):
        word, nth = wanted, "1"
    matches = [i for i, t in enumerate(tokens) if t.casefold() == word.casefold()]
    listed = ", ".join(tokens)
    if not matches:
        raise ExampleError(
            f"focus {focus!r} is not a token of {' '.join(tokens)!r}: choose one of {listed}"
        )
    n = int(nth)
    if not 1 <= n <= len(matches):
        raise ExampleError(
            f"focus {focus!r}: {word!r} occurs {len(matches)} time(s) in {listed}; "
            f"use {word}@1 to {word}@{len(matches)}"
        )
    return matches[n - 1]


def focus_spec(example: WorkedExample) -> str:
    """A focus string that picks this example's focus again: the token, or ``token@N``.

    Examples
    --------
    >>> focus_spec(worked_example("It fell and it broke", "it@2"))
    'it@2'
    >>> focus_spec(worked_example())
    'sat'
    """
    word = example.focus.casefold()
    before = [t.casefold() for t in example.tokens[: example.focus_index + 1]].count(word)
    total = [t.casefold() for t in example.tokens].count(word)
    return example.focus if total == 1 else f"{example.focus}@{before}"


def _frozen(a: NDArray[np.floating]) -> Array:
    out = np.array(a, dtype=np.float64)  # a private copy, so nothing else can write it
    out.setflags(write=False)
    return out


def worked_example(sentence: str = DEFAULT_SENTENCE, focus: str | None = None) -> WorkedExample:
    """Build the worked example for ``sentence``, focused on ``focus`` (see :data:`FOCUS_RULES`).

    Raises :class:`ExampleError` (one line) for fewer than 2 or more than 16 tokens, or a
    focus that is not a token of the sentence.

    Examples
    --------
    >>> ex = worked_example("The cat sat on the mat")
    >>> ex.tokens[int(ex.weights[ex.focus_index].argmax())]
    'cat'
    """
    tokens = tokenize(sentence)
    _check_length(sentence, tokens)
    embeddings = sentence_embeddings(tokens)
    focus_index = default_focus(embeddings)[0] if focus is None else find_focus(tokens, focus)
    x = np.array([e.vector for e in embeddings], dtype=np.float64)  # (n, d_model)
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
        dimensions=DIMENSIONS,
        sources=tuple(e.source for e in embeddings),
    )


def example_record(example: WorkedExample) -> dict[str, Any]:
    """The worked example as plain JSON-ready data (what ``explainer numbers --json`` prints).

    Matrices are nested lists of floats, rows = tokens; ``weights`` is the story head's
    (head 0) rows = queries; ``head_weights`` is every head's; ``sources`` says where each
    token's embedding came from.

    Examples
    --------
    >>> r = example_record(worked_example())
    >>> r["tokens"][r["focus_index"]], r["dimensions"][0], len(r["x"][0]), r["sources"][0]
    ('sat', 'agent', 8, 'closed class: determiner')
    """

    def plain(a: Array) -> Any:
        return np.asarray(a, dtype=np.float64).tolist()

    return {
        "sentence": example.sentence,
        "tokens": list(example.tokens),
        "focus": example.focus,
        "focus_index": example.focus_index,
        "d_model": example.d_model,
        "n_heads": example.n_heads,
        "d_head": example.d_head,
        "dimensions": list(example.dimensions),
        "head_features": [list(names) for names in HEAD_FEATURES],
        "sources": list(example.sources),
        "x": plain(example.x),
        "q": plain(example.q),
        "k": plain(example.k),
        "v": plain(example.v),
        "scores": plain(example.scores),
        "weights": plain(example.weights),
        "head_weights": plain(example.head_weights),
    }
