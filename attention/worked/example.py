"""The worked example: one spec's forward record, seen as the story the chapters tell.

:func:`example_for` turns an :class:`attention.spec.ExampleSpec` into a
:class:`WorkedExample` once per process: the model reads the sentence, its forward pass
records every layer and head, and the example names the pieces the chapters show (the
story head's q, k, v, scores and weights; every head's weights; the layer's output).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attention.models.lexicon import DIMENSIONS, Embedding, sentence_embeddings
from attention.models.model import ForwardRecord, TokenizedSentence
from attention.models.registry import load_model
from attention.spec import DEFAULT_MODEL, DEFAULT_SENTENCE, ExampleSpec
from attention.tokens import MAX_TOKENS, MIN_TOKENS, TOKEN_RULES, ExampleError, tokenize

__all__ = [
    "DEFAULT_SENTENCE",
    "DIMENSIONS",
    "FOCUS_RULES",
    "MAX_TOKENS",
    "MIN_TOKENS",
    "TOKEN_RULES",
    "ExampleError",
    "ExampleSpec",
    "WorkedExample",
    "checked_spec",
    "default_focus",
    "example_for",
    "example_record",
    "find_focus",
    "focus_word",
    "tokenize",
    "worked_example",
]

Array = NDArray[np.float64]

FOCUS_RULES = (
    "Without --focus the story follows the first verb (sat); with no verb, the most "
    "ambiguous noun (one whose senses are split, like bank), else the first noun, else the "
    "first content word, else the first token. --focus takes any token, case-insensitive; "
    "a token that occurs twice is chosen by occurrence with word@N (it@2 = the second it)."
)


@dataclass(frozen=True)
class WorkedExample:
    """Every number of the worked example; arrays are read-only.

    The single-head fields (``q`` ... ``outputs``) are the story head's: head 0 of the
    first layer. For the designed model it attends by meaning (a verb looks for who did it,
    to what and where); head 1 attends by grammar. ``record`` is the whole forward pass.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.tokens[ex.focus_index], ex.weights.shape, ex.dimensions[:3]
    ('sat', (6, 6), ('agent', 'place', 'thing'))
    """

    spec: ExampleSpec  # with its focus resolved: "sat", "it@2"
    tokens: tuple[str, ...]
    focus: str  # the focus word as written
    focus_index: int  # its token (the first, when the model splits it into pieces)
    d_model: int
    n_heads: int
    d_head: int
    x: Array  # (n, d_model)
    w_q: Array  # (d_model, d_model)
    w_k: Array
    w_v: Array
    w_o: Array
    q: Array  # (n, d_head), the story head
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
    dimensions: tuple[str, ...]  # names of x's columns (empty when they have none)
    sources: tuple[str, ...]  # one per token: where its input vector came from
    record: ForwardRecord
    kind: str = "designed"  # the model's kind: "designed" or "trained"

    # every layer's every head, (n_layers, n_heads, ...): the ledger's names for the record
    attention = cached_property(lambda self: self.record.stacked("weights"))
    queries = cached_property(lambda self: self.record.stacked("q"))
    keys = cached_property(lambda self: self.record.stacked("k"))
    values = cached_property(lambda self: self.record.stacked("v"))
    logits = cached_property(lambda self: self.record.stacked("scaled_scores"))
    contexts = cached_property(lambda self: self.record.stacked("heads"))

    @property
    def n_layers(self) -> int:
        """Number of layers of the model that read the sentence."""
        return len(self.record.layers)

    @property
    def sentence(self) -> str:
        """The sentence as written."""
        return self.spec.sentence

    @property
    def n_tokens(self) -> int:
        """Number of tokens the model reads."""
        return len(self.tokens)


def default_focus(embeddings: list[Embedding]) -> tuple[int, str]:
    """The word the story follows when no focus is given, and why (see :data:`FOCUS_RULES`).

    Examples
    --------
    >>> from attention.models.lexicon import embed
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


def focus_word(words: tuple[str, ...], focus: str | None) -> int:
    """The index of the word the story follows: ``focus`` (see :func:`find_focus`) or the
    default (:func:`default_focus`).

    Examples
    --------
    >>> focus_word(("The", "cat", "sat"), None), focus_word(("The", "cat", "sat"), "cat")
    (2, 1)
    """
    if focus is None:
        return default_focus(sentence_embeddings(words))[0]
    return find_focus(words, focus)


def _spec_focus(words: tuple[str, ...], word: int) -> str:
    """A focus string that picks word ``word`` again: the word, or ``word@N``."""
    chosen = words[word].casefold()
    before = [w.casefold() for w in words[: word + 1]].count(chosen)
    total = [w.casefold() for w in words].count(chosen)
    return words[word] if total == 1 else f"{words[word]}@{before}"


def _story(spec: ExampleSpec, tokens: TokenizedSentence, record: ForwardRecord) -> WorkedExample:
    """The example the chapters tell: layer 0's head 0 is the story head."""
    word = focus_word(tokens.words, spec.focus)
    focus_index = tokens.tokens_of(word)[0]
    layer, params = record.layers[0], record.params[0]
    config = load_model(spec.model).config
    return WorkedExample(
        spec=replace(spec, focus=_spec_focus(tokens.words, word)),
        tokens=tokens.tokens,
        focus=tokens.words[word],
        focus_index=focus_index,
        d_model=config.d_model,
        n_heads=config.n_heads,
        d_head=config.d_head,
        x=record.x,
        w_q=params.w_q,
        w_k=params.w_k,
        w_v=params.w_v,
        w_o=params.w_o,
        q=layer.q[0],
        k=layer.k[0],
        v=layer.v[0],
        scores=layer.scores[0],
        scaled_scores=layer.scaled_scores[0],
        weights=layer.weights[0],
        outputs=layer.heads[0],
        head_weights=layer.weights,
        head_outputs=layer.heads,
        concat=layer.concat,
        mha_output=layer.output,
        dimensions=config.dimensions,
        sources=record.sources,
        record=record,
        kind=config.kind,
    )


_CACHE: OrderedDict[ExampleSpec, WorkedExample] = OrderedDict()
_CACHE_SIZE = 64


def example_for(spec: ExampleSpec) -> WorkedExample:
    """The worked example of ``spec``, computed once per process (the model's forward pass).

    Raises :class:`ExampleError` (one line) when the model cannot read the sentence (too
    few or too many tokens) or the focus is not a word of it.

    Examples
    --------
    >>> spec = ExampleSpec("The cat sat on the mat")
    >>> example_for(spec) is example_for(spec), example_for(spec).spec.focus
    (True, 'sat')
    """
    found = _CACHE.get(spec)
    if found is None:
        model = load_model(spec.model)
        tokens = model.tokenize(spec.sentence)
        found = _story(spec, tokens, model.forward(tokens))
        _CACHE[found.spec] = found  # the resolved spec names the same example
    _CACHE[spec] = found
    _CACHE.move_to_end(spec)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found


def checked_spec(spec: ExampleSpec) -> ExampleSpec:
    """``spec`` checked and with its focus resolved ("sat", "it@2"), so that every stage
    and process picks the same token; raises :class:`ExampleError` (one line) otherwise.

    Examples
    --------
    >>> checked_spec(ExampleSpec("It fell and it broke", "IT@2")).focus
    'it@2'
    """
    return example_for(spec).spec


def worked_example(
    sentence: str = DEFAULT_SENTENCE, focus: str | None = None, model: str = DEFAULT_MODEL
) -> WorkedExample:
    """The worked example of ``sentence`` focused on ``focus`` (see :data:`FOCUS_RULES`).

    A shorthand for ``example_for(ExampleSpec(sentence, focus, model))``.

    Examples
    --------
    >>> ex = worked_example("The cat sat on the mat")
    >>> ex.tokens[int(ex.weights[ex.focus_index].argmax())]
    'cat'
    """
    return example_for(ExampleSpec(sentence, focus, model))


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
        "head_features": [
            list(names) for names in load_model(example.spec.model).config.head_features
        ],
        "sources": list(example.sources),
        "x": plain(example.x),
        "q": plain(example.q),
        "k": plain(example.k),
        "v": plain(example.v),
        "scores": plain(example.scores),
        "weights": plain(example.weights),
        "head_weights": plain(example.head_weights),
    }
