"""The numbers of the lecture's extra chapters: order, masking, temperature, cost.

Each function is one small piece of math on the worked example's own matrices, so every
number those chapters show comes from here and is checked against ``attention.numbers.reference``
by the ledger (sources such as ``tempered_weights(0.5)[2, 1]``, see :data:`LESSONS`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from attention.core import causal_mask, multi_head_attention, positional_encoding, softmax
from attention.models.lexicon import CLOSED_CLASS
from attention.worked.example import WorkedExample

__all__ = [
    "DEFAULT_TEMPERATURES",
    "swap_positions",
    "LESSONS",
    "attention_cells",
    "causal_weights",
    "default_swap",
    "head_weights_of",
    "permutation",
    "permuted_weights",
    "positioned_weights",
    "selected_outputs",
    "selected_weights",
    "selection",
    "swap_order",
    "tempered_weights",
    "tokens_times",
]

Array = NDArray[np.float64]

DEFAULT_TEMPERATURES = (0.5, 1.0, 2.0)


def head_weights_of(example: WorkedExample, x: NDArray[np.floating]) -> Array:
    """The story head's weights for inputs ``x`` with the example's own projections.

    The same forward pass as the worked example (:func:`attention.core.multi_head_attention`
    with the first layer's projections), on other inputs: a reordered sentence, added
    positions.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> bool(np.allclose(head_weights_of(ex, ex.x), ex.weights))
    True
    """
    weights: Array = multi_head_attention(x, example.record.params[0]).weights[0]  # [n, n]
    return weights


def permutation(order: Sequence[float], n: int) -> tuple[int, ...]:
    """``order`` as a permutation of ``range(n)``; ValueError if it is not one.

    Examples
    --------
    >>> permutation((1.0, 0.0), 2)
    (1, 0)
    """
    perm = tuple(int(i) for i in order)
    if sorted(perm) != list(range(n)) or any(float(i) != int(i) for i in order):
        raise ValueError(f"{tuple(order)} is not a permutation of 0..{n - 1}")
    return perm


def swap_order(n: int, a: int, b: int) -> tuple[int, ...]:
    """The permutation of ``range(n)`` that swaps positions ``a`` and ``b``.

    Examples
    --------
    >>> swap_order(4, 1, 3)
    (0, 3, 2, 1)
    """
    order = list(range(n))
    order[a], order[b] = order[b], order[a]
    return tuple(order)


def default_swap(example: WorkedExample) -> tuple[int, int]:
    """The first and last content words other than the focus (cat and mat), to swap.

    With fewer than two such words: the first and last tokens.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> default_swap(worked_example())
    (1, 5)
    """
    content = [
        i
        for i, t in enumerate(example.tokens)
        if i != example.focus_index and t.isalnum() and t.lower() not in CLOSED_CLASS
    ]
    if len(content) >= 2:
        return content[0], content[-1]
    return 0, example.n_tokens - 1


def swap_positions(example: WorkedExample, words: Sequence[str]) -> tuple[int, int]:
    """The positions (first occurrences) of the two words the order chapter swaps.

    No words: the default pair (:func:`default_swap`). Raises ValueError saying what is
    wrong for anything but two different words of the sentence.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> swap_positions(worked_example(), ["mat", "The"]), swap_positions(worked_example(), [])
    ((0, 5), (1, 5))
    """
    if not words:
        return default_swap(example)
    lowered = [t.lower() for t in example.tokens]
    if len(words) != 2 or any(str(w).lower() not in lowered for w in words):
        raise ValueError(
            f"swap needs two words of {example.sentence!r}, got {list(words)}: "
            f"choose from {', '.join(example.tokens)}"
        )
    a, b = sorted(lowered.index(str(w).lower()) for w in words)
    if a == b:
        raise ValueError(f"swap needs two different words, got {list(words)}")
    return a, b


def permuted_weights(example: WorkedExample, order: Sequence[float]) -> Array:  # -> [n, n]
    """Head 0's weights for the sentence reordered: new token ``i`` is old token ``order[i]``.

    No positions: attention sees a set of tokens, so the result is the original matrix
    with rows and columns permuted, exactly.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> p = swap_order(6, 1, 5)
    >>> bool(np.allclose(permuted_weights(ex, p), ex.weights[np.ix_(p, p)], rtol=0, atol=1e-15))
    True
    """
    perm = permutation(order, example.n_tokens)
    return head_weights_of(example, example.x[list(perm)])


def positioned_weights(example: WorkedExample, order: Sequence[float]) -> Array:  # -> [n, n]
    """Like :func:`permuted_weights`, with sinusoidal positions added to the embeddings.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> positioned_weights(ex, range(6)).shape
    (6, 6)
    """
    perm = permutation(order, example.n_tokens)
    x = example.x[list(perm)] + positional_encoding(example.n_tokens, example.d_model)
    return head_weights_of(example, x)


def selection(tokens: Sequence[float], n: int) -> tuple[int, ...]:
    """``tokens`` as distinct positions of ``range(n)``; ValueError if they are not.

    Examples
    --------
    >>> selection((2.0, 0.0), 3)
    (2, 0)
    """
    picked = tuple(int(i) for i in tokens)
    if (
        not picked
        or len(set(picked)) != len(picked)
        or any(not 0 <= i < n or float(i) != float(t) for i, t in zip(picked, tokens, strict=True))
    ):
        raise ValueError(f"{tuple(tokens)} are not distinct token positions of 0..{n - 1}")
    return picked


def selected_weights(example: WorkedExample, tokens: Sequence[float]) -> Array:  # -> [m, m]
    """Head 0's weights for a sentence made of only the tokens at ``tokens``, in that order.

    The explorer's experiment starts from a few of the sentence's tokens: their queries,
    keys and values are the sentence's own, and each softmax runs over those tokens alone.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> bool(np.allclose(selected_weights(ex, range(6)), ex.weights))
    True
    """
    picked = selection(tokens, example.n_tokens)
    return head_weights_of(example, example.x[list(picked)])


def selected_outputs(example: WorkedExample, tokens: Sequence[float]) -> Array:  # -> [m, d_head]
    """Head 0's outputs for the sentence of only the tokens at ``tokens`` (see
    :func:`selected_weights`).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> bool(np.allclose(selected_outputs(ex, (2, 1)), selected_weights(ex, (2, 1)) @ ex.v[[2, 1]]))
    True
    """
    picked = selection(tokens, example.n_tokens)
    record = multi_head_attention(example.x[list(picked)], example.record.params[0])
    outputs: Array = record.heads[0]  # [m, d_head]
    return outputs


def causal_weights(example: WorkedExample) -> Array:  # -> [n, n]
    """Head 0's weights when each token may see only itself and earlier tokens.

    Masked entries are exactly 0; each row is renormalised over what it may see.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> w = causal_weights(worked_example())
    >>> w[0].tolist()[:2], bool(np.allclose(w.sum(axis=1), 1))
    ([1.0, 0.0], True)
    """
    mask = causal_mask(example.n_tokens)  # [n, n]
    weights: Array = multi_head_attention(example.x, example.record.params[0], mask).weights[0]
    return weights


def tempered_weights(example: WorkedExample, temperature: float) -> Array:  # -> [n, n]
    """Head 0's weights with the scaled scores divided by ``temperature`` first.

    Below 1 the top weight grows (sharper), above 1 the row flattens.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> bool(np.allclose(tempered_weights(ex, 1.0), ex.weights))
    True
    """
    return softmax(example.scaled_scores, axis=-1, temperature=temperature)


def attention_cells(n: int) -> int:
    """Query-key pairs attention scores for ``n`` tokens: every token with every token.

    Examples
    --------
    >>> [attention_cells(n) for n in (6, 12, 24)]
    [36, 144, 576]
    """
    return n * n


def tokens_times(example: WorkedExample, factor: int) -> int:
    """A sentence ``factor`` times as long as the example's, in tokens.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> tokens_times(worked_example(), 4)
    24
    """
    return factor * example.n_tokens


def _one(args: tuple[float, ...], name: str) -> float:
    if len(args) != 1:
        raise ValueError(f"{name} takes one argument, got {len(args)}")
    return args[0]


def _none(args: tuple[float, ...], name: str) -> None:
    if args:
        raise ValueError(f"{name} takes no arguments")


def _cells(ex: WorkedExample, args: tuple[float, ...]) -> float:
    return float(attention_cells(int(_one(args, "attention_cells"))))


def _causal(ex: WorkedExample, args: tuple[float, ...]) -> Array:
    _none(args, "causal_weights")
    return causal_weights(ex)


def _positions(ex: WorkedExample, args: tuple[float, ...]) -> Array:
    _none(args, "positional_encoding")
    return positional_encoding(ex.n_tokens, ex.d_model)


# Lesson quantities a ledger source may name: name -> value for (example, arguments).
LESSONS: dict[str, Callable[[WorkedExample, tuple[float, ...]], Array | float]] = {
    "causal_weights": _causal,
    "tempered_weights": lambda ex, a: tempered_weights(ex, _one(a, "tempered_weights")),
    "temperature": lambda ex, a: _one(a, "temperature"),
    "permuted_weights": permuted_weights,
    "positioned_weights": positioned_weights,
    "positional_encoding": _positions,
    "attention_cells": _cells,
    "tokens_times": lambda ex, a: float(tokens_times(ex, int(_one(a, "tokens_times")))),
    "selected_weights": selected_weights,
    "selected_outputs": selected_outputs,
}
