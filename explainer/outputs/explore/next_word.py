"""The decoder's *Next word* view: its generation, featured heads and head grid, as data.

A decoder's page has one view. It steps through :func:`attention.worked.generation.generation`
(computed at render time: the page runs no model), and at each step shows the
:data:`attention.worked.generation.TOP_K` likeliest next tokens with their probabilities and
the last position's causal row of weights in one *featured* head: the head each measure of
:mod:`attention.story.decoder_patterns` ranks first on the prompt (previous token, first
token, and induction when the prompt repeats a token). The grid names every head by its
measured habit. The ledger's sources (:func:`next_word_sources`):

- ``step_next(s)[k]``: the ``k``-th likeliest next token's probability at step ``s``;
- ``step_attention(s)[l, h, j]`` and ``sum(step_attention(s)[l, h])``: a featured head's
  last row at step ``s``;
- ``decoder_share(m)[l, h]``: a featured head's measure ``m`` (0 previous, 1 first, 2
  induction) on the prompt.

Only the featured heads' rows are stored and shown: the page stays small (every head's
every row at every step would be 270 x n x 4 numbers) and the reference's loops cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attention.numbers.sources import call_source, cell_source
from attention.story.decoder_patterns import (
    DECODER_HABITS,
    DECODER_MEASURES,
    DecoderHead,
    decoder_heads,
    strongest,
)
from attention.worked.example import WorkedExample
from attention.worked.generation import GenerationStep, generation

__all__ = [
    "BAR_DECIMALS",
    "Featured",
    "featured_heads",
    "next_word_data",
    "prob_source",
    "row_source",
    "share_source",
]

BAR_DECIMALS = 4  # the bars' lengths (their texts are the ledger's)


@dataclass(frozen=True)
class Featured:
    """A head the view offers: the measure that ranks it first, and its value there."""

    layer: int
    head: int
    measure: str  # one of DECODER_MEASURES
    share: float

    @property
    def name(self) -> str:
        """ "layer 3 · head 2", counted from 1 as the screen names heads."""
        return f"layer {self.layer + 1} · head {self.head + 1}"


def _heads(example: WorkedExample) -> tuple[tuple[DecoderHead, ...], ...]:
    return decoder_heads(example.attention, example.record.tokens.ids)


def featured_heads(example: WorkedExample) -> tuple[Featured, ...]:
    """The strongest head of each measure on the prompt, in :data:`DECODER_MEASURES`' order;
    a measure undefined on the prompt (induction without a repeated token) is left out, and
    a head first in two measures is offered once.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example("The capital of France is", None, "smollm2")  # doctest: +SKIP
    >>> [f.measure for f in featured_heads(ex)]                         # doctest: +SKIP
    ['previous', 'first']
    """
    out: list[Featured] = []
    for m, measure in enumerate(DECODER_MEASURES):
        for head in strongest(_heads(example), measure, 1):
            if all((f.layer, f.head) != (head.layer, head.head) for f in out):
                out.append(Featured(head.layer, head.head, measure, float(head.measures[m] or 0)))
    return tuple(out)


def prob_source(step: int, k: int) -> str:
    """``step_next(1)[0]``: the likeliest next token's probability at step 1.

    Examples
    --------
    >>> prob_source(1, 0), row_source(2, 17, 4, 3), row_source(2, 17, 4)
    ('step_next(1)[0]', 'step_attention(2)[17, 4, 3]', 'step_attention(2)[17, 4]')
    """
    return cell_source(call_source("step_next", step), k)


def row_source(step: int, layer: int, head: int, *j: int) -> str:
    """``step_attention(s)[l, h, j]`` (or the row ``[l, h]``, for its ``sum(...)``)."""
    return cell_source(call_source("step_attention", step), layer, head, *j)


def share_source(featured: Featured) -> str:
    """``decoder_share(0)[3, 5]``: the featured head's measure on the prompt.

    Examples
    --------
    >>> share_source(Featured(3, 5, "first", 0.9))
    'decoder_share(1)[3, 5]'
    """
    m = DECODER_MEASURES.index(featured.measure)
    return cell_source(call_source("decoder_share", m), featured.layer, featured.head)


def _bars(values: Any) -> list[float]:
    return [round(float(v), BAR_DECIMALS) for v in values]


def _step(s: int, step: GenerationStep, featured: tuple[Featured, ...]) -> dict[str, Any]:
    rows = step.last_rows
    return {
        "tokens": list(step.tokens),
        "top": [
            {"text": t.text, "p": round(t.probability, BAR_DECIMALS), "source": prob_source(s, k)}
            for k, t in enumerate(step.top)
        ],  # fmt: skip
        "rows": [_bars(rows[f.layer, f.head]) for f in featured],
    }


def next_word_data(example: WorkedExample) -> dict[str, Any]:
    """What the Next word view reads: the steps, the featured heads, the head grid.

    ``grid[l][h]`` is head ``h`` of layer ``l``'s habit (a key of ``habits``) on the prompt;
    ``featured[f]`` a head the view offers, ``steps[s].rows[f]`` its last row at step ``s``.
    """
    featured = featured_heads(example)
    habit_of = {v: k for k, v in DECODER_HABITS.items()}
    return {
        "prompt": example.n_tokens,
        "steps": [_step(s, step, featured) for s, step in enumerate(generation(example))],
        "featured": [
            {
                "layer": f.layer,
                "head": f.head,
                "name": f.name,
                "measure": f.measure,
                "habit": DECODER_HABITS[f.measure],
                "share": share_source(f),
            }
            for f in featured
        ],  # fmt: skip
        "grid": [[habit_of.get(h.habit, "mixed") for h in layer] for layer in _heads(example)],
        "habits": {**DECODER_HABITS, "mixed": "mixed"},
    }
