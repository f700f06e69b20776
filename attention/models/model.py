"""The model seam: a model reads a sentence's tokens and returns one forward record.

Every number the video shows comes from a :class:`ForwardRecord`: per layer, every head's
q, k, v, scores, weights and outputs (an :class:`attention.core.AttentionRecord`), made by
:func:`attention.core.multi_head_attention`. A model is anything with the :class:`Model`
shape; :data:`attention.models.registry.MODELS` names the ones the command line knows. Adding a
model is one module and one row there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from attention.core import AttentionParams, AttentionRecord
from attention.tokens import ExampleError

__all__ = [
    "ForwardRecord",
    "Model",
    "ModelConfig",
    "ModelError",
    "TokenizedSentence",
    "frozen",
    "frozen_layer",
]

Array = NDArray[np.float64]


class ModelError(ExampleError):
    """A model that cannot be loaded or cannot read a sentence (a one-line message)."""


def frozen(a: NDArray[np.floating]) -> Array:
    """A read-only float64 copy of ``a`` (a private copy, so nothing else can write it)."""
    out = np.array(a, dtype=np.float64)
    out.setflags(write=False)
    return out


def frozen_layer(layer: AttentionRecord) -> AttentionRecord:
    """``layer`` with every array read-only."""
    return dataclasses.replace(
        layer, **{f.name: frozen(getattr(layer, f.name)) for f in dataclasses.fields(layer)}
    )


@dataclass(frozen=True)
class TokenizedSentence:
    """A sentence as a model reads it: its tokens, and the words they came from.

    ``words`` are the sentence's words as a reader sees them (a focus names one of them);
    ``word_of[i]`` is the word token ``i`` came from, or None for a token the model adds
    ([CLS], [SEP]) or a punctuation mark. A word split into pieces ("flood", "##ed") has
    several tokens. ``ids`` are the token ids a trained model's vocabulary gives them (empty
    for the designed model); ``added[i]`` whether the model added token ``i`` itself
    ([CLS], [SEP]: its tokenizer's special tokens; empty when not known).

    Examples
    --------
    >>> t = TokenizedSentence("It rained", ("It", "rained"), ("It", "rained"), (0, 1))
    >>> t.n_tokens, t.tokens_of(1)
    (2, (1,))
    """

    sentence: str
    tokens: tuple[str, ...]
    words: tuple[str, ...]
    word_of: tuple[int | None, ...]
    ids: tuple[int, ...] = ()
    added: tuple[bool, ...] = ()

    @property
    def n_tokens(self) -> int:
        """Number of tokens the model reads."""
        return len(self.tokens)

    def tokens_of(self, word: int) -> tuple[int, ...]:
        """The tokens word ``word`` became, in order."""
        return tuple(i for i, w in enumerate(self.word_of) if w == word)


@dataclass(frozen=True)
class ModelConfig:
    """A model's shape and kind.

    ``kind`` is ``"designed"`` (hand-made, named dimensions), ``"trained"`` (a trained
    model's attention) or ``"decoder"`` (a trained model that also predicts the next token:
    its records carry ``next_logits``); ``dimensions`` names the columns of the first layer's
    input when they have names, and ``head_features`` what each head's query and key columns
    stand for. ``n_kv_heads`` is the number of key/value heads when fewer than ``n_heads``
    (grouped-query attention: query head ``h`` reads key/value head ``h // (n_heads //
    n_kv_heads)``), else 0.
    """

    kind: str
    n_layers: int
    n_heads: int
    d_model: int
    d_head: int
    causal: bool = False
    dimensions: tuple[str, ...] = ()
    head_features: tuple[tuple[str, ...], ...] = ()
    description: str = ""
    n_kv_heads: int = 0


@dataclass(frozen=True)
class ForwardRecord:
    """One forward pass: what every layer and head computed for one sentence.

    Arrays are read-only. ``layers[l]`` is layer ``l``'s attention record (heads first);
    ``params[l]`` the projections it used; ``hidden[l]`` is what layer ``l``'s attention
    reads and ``hidden[-1]`` the last layer's output. ``sources[i]`` says where token
    ``i``'s input vector came from. A decoder's record also has ``next_logits``: its output
    at the last position, one score per token of its vocabulary, whose softmax is the
    probability of each token coming next (None for a model that predicts no token).
    """

    tokens: TokenizedSentence
    x: Array  # (n, d_model): the first layer's input
    layers: tuple[AttentionRecord, ...]
    params: tuple[AttentionParams, ...]
    hidden: Array  # (n_layers + 1, n, d_model)
    sources: tuple[str, ...] = ()
    causal: bool = False  # each token saw only itself and the tokens before it
    next_logits: Array | None = None  # (vocab_size,): the next token's scores, before softmax

    def stacked(self, field: str) -> Array:
        """Field ``field`` of every layer's record, stacked: ``(n_layers, n_heads, ...)``.

        Examples
        --------
        >>> from attention.models.designed import DesignedModel
        >>> model = DesignedModel()
        >>> model.forward(model.tokenize("The cat sat")).stacked("weights").shape
        (1, 2, 3, 3)
        """
        return np.stack([getattr(layer, field) for layer in self.layers])


@runtime_checkable
class Model(Protocol):
    """What the pipeline needs of a model: its name, identity, shape, tokenizer, forward.

    ``identity`` is everything its numbers depend on besides the sentence (for the designed
    model, its tables and lexicon; for a pretrained one, its files' SHA-256): clips and
    ledgers are cached under it.
    """

    @property
    def name(self) -> str:
        """The name the user gave: ``hand``, ``minilm`` or a folder path."""

    @property
    def identity(self) -> str:
        """A digest of everything the model's numbers depend on."""

    @property
    def config(self) -> ModelConfig:
        """The model's shape and kind."""

    def tokenize(self, sentence: str) -> TokenizedSentence:
        """The sentence as this model reads it; ExampleError (one line) if it cannot."""

    def forward(self, tokens: TokenizedSentence) -> ForwardRecord:
        """Run the model on ``tokens``: every layer's every head, recorded."""
