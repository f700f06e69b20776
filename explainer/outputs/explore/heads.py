"""Every head of the forward record as a card of the explorer's head grid.

The grid is built from ``record.layers`` alone, so a model of any shape (the designed
model's 1 x 2, a trained model's 6 x 12) gives its grid. Two callables say what a head is
called and how the ledger names its weights; :func:`head_labels` (a trained model's heads
by their measured habit) and :func:`head_sources` give the defaults for an example's model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from attention.models.designed import HEAD_ROLES
from attention.models.model import ForwardRecord
from attention.numbers.sources import SOURCE_NAMES, cell_source
from attention.story.patterns import head_patterns
from attention.worked.example import WorkedExample

__all__ = [
    "HeadCard",
    "HeadLabel",
    "HeadSource",
    "example_cards",
    "head_cards",
    "head_labels",
    "head_sources",
]

HeadLabel = Callable[[int, int], str]  # (layer, head) -> what the head is called
HeadSource = Callable[[int, int], tuple[str, tuple[int, ...]]]  # -> (source name, index prefix)


@dataclass(frozen=True)
class HeadCard:
    """One head: where it sits, its name, the ledger name of its weights, its weights.

    ``source`` and ``index`` name weight ``[i, j]`` as ``source[*index, i, j]``
    (``head_weights[1, i, j]``, ``attention[2, 7, i, j]``).
    """

    layer: int
    head: int
    label: str
    source: str
    index: tuple[int, ...]
    weights: np.ndarray  # (n, n), rows = queries

    def cell_source(self, i: int, j: int) -> str:
        """The ledger source of weight ``[i, j]`` of this head.

        Examples
        --------
        >>> card = HeadCard(0, 1, "grammar", "head_weights", (1,), np.eye(2))
        >>> card.cell_source(0, 1)
        'head_weights[1, 0, 1]'
        """
        return cell_source(self.source, *self.index, i, j)


def head_cards(record: ForwardRecord, label: HeadLabel, source: HeadSource) -> list[HeadCard]:
    """A card per head of every layer of ``record``, layer by layer.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> cards = head_cards(ex.record, head_labels(ex), head_sources(ex))
    >>> [(c.layer, c.head, c.label) for c in cards]
    [(0, 0, 'meaning'), (0, 1, 'grammar')]
    """
    weights = record.stacked("weights")  # (layers, heads, n, n)
    return [
        HeadCard(layer, head, label(layer, head), *source(layer, head), weights[layer, head])
        for layer in range(weights.shape[0])
        for head in range(weights.shape[1])
    ]


def head_labels(example: WorkedExample) -> HeadLabel:
    """What each head of ``example``'s model is called: the designed model's roles
    (``meaning``, ``grammar``), else the habit measured on this sentence
    (:func:`attention.story.patterns.head_patterns`: ``previous token``, ``[CLS]``, ``mixed``).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> head_labels(worked_example())(0, 1)
    'grammar'
    """
    if example.kind == "designed":
        roles = [role.split(":")[0] for role in HEAD_ROLES]
        return lambda layer, head: roles[head]
    patterns = head_patterns(example)
    return lambda layer, head: patterns[layer][head].label


def head_sources(example: WorkedExample) -> HeadSource:
    """How the ledger names each head's weights: ``head_weights[h, i, j]`` for a model of
    one layer (the video's own source), else ``attention[l, h, i, j]``.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> head_sources(worked_example())(0, 1)
    ('head_weights', (1,))
    """
    if len(example.record.layers) == 1:
        return lambda layer, head: ("head_weights", (head,))
    if "attention" not in SOURCE_NAMES:
        raise ValueError("a model of several layers needs the attention[l, h, i, j] source")
    return lambda layer, head: ("attention", (layer, head))


def example_cards(example: WorkedExample) -> list[HeadCard]:
    """The head grid of ``example``'s page: every head, named by its measured habit (a
    trained model) or its designed role, under the ledger's names for its weights.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> [card.cell_source(0, 1) for card in example_cards(worked_example())][:2]
    ['head_weights[0, 0, 1]', 'head_weights[1, 0, 1]']
    """
    return head_cards(example.record, head_labels(example), head_sources(example))
