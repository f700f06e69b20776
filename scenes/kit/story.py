"""What chapters take from ``attention`` besides numbers: the story's choices and the code.

Which tokens the narration names, which heads of a trained model it names (picked by
measurement, :func:`story_heads`), the lessons' defaults (temperatures, the words the order
chapter swaps), and the attention function whose source the code chapter shows. Scenes
import these from the kit, so ``scenes.kit`` is their one door to the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from attention.core import scaled_dot_product_attention
from attention.models.designed import HEAD_FEATURES
from attention.story.designed_narration import (
    context_tokens,
    meaning_shift,
    named_tokens,
    top_dimension,
)
from attention.story.head_story import StoryHeads, link_notes, story_heads
from attention.story.lesson_narration import temperature_decimals
from attention.story.patterns import COUNTED, HABITS, THRESHOLD, HeadPattern, measure_roles
from attention.worked.example import WorkedExample, example_for, worked_example
from attention.worked.lessons import DEFAULT_TEMPERATURES, default_swap, swap_order, swap_positions

__all__ = [
    "head_name",
    "DEFAULT_TEMPERATURES",
    "HABITS",
    "COUNTED",
    "THRESHOLD",
    "HeadPattern",
    "StoryHeads",
    "link_notes",
    "measure_roles",
    "story_heads",
    "HEAD_FEATURES",
    "meaning_shift",
    "top_dimension",
    "WorkedExample",
    "dimension_names",
    "example_for",
    "worked_example",
    "context_tokens",
    "default_swap",
    "named_tokens",
    "scaled_dot_product_attention",
    "swap_order",
    "swap_positions",
    "temperature_decimals",
]


def dimension_names(example: WorkedExample) -> Sequence[str]:
    """The names of the example's embedding dimensions, one per entry of ``x[i]``.

    Examples
    --------
    >>> dimension_names(worked_example())[:2]
    ('agent', 'place')
    """
    return tuple(example.dimensions)


def head_name(layer: int, head: int) -> str:
    """How a chapter labels a head of a trained model, counted from 1.

    Examples
    --------
    >>> head_name(2, 1)
    'layer 3 · head 2'
    """
    return f"layer {layer + 1} · head {head + 1}"
