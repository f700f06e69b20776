"""A decoder's generation at render time: the steps the explorer's *Next word* view shows.

Step ``s`` (0-based) is the forward pass on the prompt and the ``s`` tokens chosen before it
(:func:`attention.worked.next_token.generate`, greedy): step 0 reads the prompt. The ledger
names its numbers with two derived sources (:data:`GENERATION`), each with the step as its
one numeric argument:

- ``step_next(s)[k]``: the probability of the ``k``-th likeliest next token at step ``s``
  (0-based; ``step_next(0)[k]`` is the prompt's ``next[k]``);
- ``step_attention(s)[l, h, j]``: the weight the last position at step ``s`` gives position
  ``j`` in head ``h`` of layer ``l`` (0-based, as ``attention[l, h, i, j]``), and
  ``sum(step_attention(s)[l, h])`` that row's sum.

The reference recomputes both with its own greedy loop
(:mod:`attention.numbers.reference_steps`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from attention.models.registry import load_model
from attention.spec import ExampleSpec
from attention.worked.example import WorkedExample, example_for
from attention.worked.next_token import Decoder, NextToken, Step, generate, likeliest

__all__ = [
    "GENERATION",
    "GENERATION_STEPS",
    "TOP_K",
    "GenerationStep",
    "generation",
    "step_attention",
    "step_next",
]

Array = NDArray[np.float64]

GENERATION_STEPS = 4  # forward passes: the prompt, then three tokens appended one by one
TOP_K = 5  # the likeliest next tokens a step shows


class GenerationStep:
    """One step: the tokens read, the :data:`TOP_K` likeliest next tokens, the chosen one
    (the first of them) and the last position's row of every head.

    Examples
    --------
    >>> ex = example_for(ExampleSpec("One, two, three,", None, "smollm2"))  # doctest: +SKIP
    >>> generation(ex)[0].top[0].text                                       # doctest: +SKIP
    ' four'
    """

    def __init__(self, model: Decoder, step: Step) -> None:
        self.record = step.record
        self.tokens: tuple[str, ...] = step.record.tokens.tokens
        self.ids: tuple[int, ...] = step.record.tokens.ids
        self.top: tuple[NextToken, ...] = likeliest(model, step.record, TOP_K)
        self.chosen = step.chosen

    @property
    def last_rows(self) -> Array:  # (n_layers, n_heads, n)
        """The last position's weights in every head."""
        return self.record.stacked("weights")[:, :, -1, :]


@functools.lru_cache(maxsize=4)
def _generation(spec: ExampleSpec, steps: int) -> tuple[GenerationStep, ...]:
    model = load_model(spec.model)
    if not isinstance(model, Decoder):
        raise ValueError(f"{spec.model} predicts no next token: generation needs a decoder")
    example = example_for(spec)
    return tuple(GenerationStep(model, s) for s in generate(model, example.record.tokens, steps))


def generation(example: WorkedExample, steps: int = GENERATION_STEPS) -> tuple[GenerationStep, ...]:
    """The ``steps`` steps of greedy generation from ``example``'s prompt, once per process.

    Raises ValueError for a model that is not a decoder.
    """
    return _generation(example.spec, steps)


def _step(example: WorkedExample, args: tuple[float, ...]) -> GenerationStep:
    if len(args) != 1 or args[0] != int(args[0]) or not 0 <= args[0] < GENERATION_STEPS:
        raise ValueError(f"takes one step from 0 to {GENERATION_STEPS - 1}, got {args}")
    return generation(example)[int(args[0])]


def step_next(example: WorkedExample, args: tuple[float, ...]) -> Array:  # (TOP_K,)
    """``step_next(s)``: the probabilities of the likeliest next tokens at step ``s``."""
    return np.array([t.probability for t in _step(example, args).top])


def step_attention(example: WorkedExample, args: tuple[float, ...]) -> Array:  # (L, H, n)
    """``step_attention(s)``: every head's last row at step ``s``."""
    return _step(example, args).last_rows


GENERATION: dict[str, Callable[[WorkedExample, tuple[float, ...]], Array | float]] = {
    "step_next": step_next,
    "step_attention": step_attention,
}
