"""The explorer's numbers ledger: every number the page shows at its default settings.

Each number is recorded once, with its source in the grammar of :mod:`attention.numbers.sources`,
as scene ``explorer``, each the nearest value at its decimals
(:func:`attention.rounding.format_number`); a row of weights is its values one by one, and
its true sum (``sum(weights[2])``) is recorded beside it, so the page can show it where the
rounded parts do not add up. The page shows exactly these texts; what it recomputes when a
setting moves (temperature, mask, edited cells) it formats itself, by the same rule.
A render verifies these entries with the scenes' (:func:`explainer.pipeline.checks.check_numbers`)
and writes them into ``numbers.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from attention.numbers.ledger import NumbersLedger
from attention.numbers.sources import call_source, cell_source
from attention.rounding import format_number
from attention.story.head_story import story_heads
from attention.worked.example import WorkedExample
from attention.worked.generation import generation
from attention.worked.lessons import (
    causal_weights,
    selected_outputs,
    selected_weights,
    tempered_weights,
)
from explainer.outputs.explore.experiment import Experiment, experiment_for
from explainer.outputs.explore.heads import HeadCard, example_cards
from explainer.outputs.explore.next_word import (
    featured_heads,
    prob_source,
    row_source,
    share_source,
)

__all__ = [
    "DECIMALS",
    "EXPLORER_SCENE",
    "TEMPERATURES",
    "StoryHead",
    "StoryNames",
    "explorer_ledger",
    "story_head",
    "story_names",
]

EXPLORER_SCENE = "explorer"
DECIMALS = 2  # as the video shows weights, scores and vectors
# the temperature slider: its low end, its default, its high end (seed 003 drags 0.05-3)
TEMPERATURES = (0.1, 1.0, 5.0)

Array = NDArray[np.float64]
Label = Callable[[tuple[int, ...]], str]


@dataclass(frozen=True)
class Pairs:
    """Labels of a matrix over tokens: ``weights cat→sat`` for an entry, ``Σ weights cat``
    for a row's sum."""

    name: str
    tokens: tuple[str, ...]

    def __call__(self, index: tuple[int, ...]) -> str:
        return f"{self.name} {self.tokens[index[-2]]}→{self.tokens[index[-1]]}"

    def row(self, index: tuple[int, ...]) -> str:
        return f"Σ {self.name} {self.tokens[index[-1]]}"


class _Recorder:
    """Records numbers into one ledger, each source once, formatted as the page shows it."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.ledger = NumbersLedger()
        self.tokens = tokens
        self._seen: set[str] = set()

    def _record(self, label: str, shown: str, source: str, decimals: int) -> None:
        if source not in self._seen:
            self._seen.add(source)
            self.ledger.record(EXPLORER_SCENE, label, shown, source, decimals)

    def scalar(self, source: str, value: float, label: str, decimals: int = DECIMALS) -> None:
        self._record(label, format_number(float(value), decimals), source, decimals)

    def cells(self, name: str, array: Array, label: Label, prefix: tuple[int, ...] = ()) -> None:
        """Every entry of ``array`` (any shape) at :data:`DECIMALS`, as ``name[*prefix, ...]``."""
        for index in np.ndindex(*array.shape):
            self.scalar(cell_source(name, *prefix, *index), float(array[index]), label(index))

    def rows(self, name: str, array: Array, label: Pairs, prefix: tuple[int, ...] = ()) -> None:
        """Every row (last axis) of ``array``: its weights, each the nearest value, and its
        true sum (``sum(name[i])``), which the page shows beside the rounded parts."""
        for index in np.ndindex(*array.shape[:-1]):
            row = (*prefix, *index)
            for j, value in enumerate(array[index]):
                self.scalar(cell_source(name, *row, j), float(value), label((*row, j)))
            self.scalar(f"sum({cell_source(name, *row)})", float(np.sum(array[index])),
                        label.row(row))  # fmt: skip

    def pair(self, name: str, tokens: Sequence[str] | None = None) -> Pairs:
        """``weights cat→sat``: labels for the entries of a matrix over ``tokens`` (default:
        the sentence's), and ``Σ weights cat`` for its rows' sums."""
        return Pairs(name, tuple(self.tokens if tokens is None else tokens))

    def vector(self, name: str, tokens: Sequence[str] | None = None) -> Label:
        """``q sat [2]``: a label for an entry of a vector per token of ``tokens``."""
        t = self.tokens if tokens is None else tokens
        return lambda index: f"{name} {t[index[0]]} [{index[1]}]"


@dataclass(frozen=True)
class StoryHead:
    """The head the video follows, whose numbers the explorer's views show.

    For the designed model, head 0 of its one layer (the example's own ``q`` ... ``outputs``);
    for a trained model, the trained chapters' story head
    (:func:`attention.story.head_story.story_heads`), read from its record. ``layer`` and ``head``
    count from 0, as the ledger does; :attr:`name` from 1, as the screen and the voice do.
    """

    layer: int
    head: int
    q: Array  # (n, d_head)
    k: Array
    v: Array
    scaled_scores: Array  # (n, n)
    weights: Array  # (n, n)
    outputs: Array  # (n, d_head)

    @property
    def name(self) -> str:
        """ "layer 3 · head 2": how the screen names it, from 1."""
        return f"layer {self.layer + 1} · head {self.head + 1}"


def story_head(example: WorkedExample) -> StoryHead:
    """The head the video of ``example`` follows (see :class:`StoryHead`).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> story_head(worked_example()).name
    'layer 1 · head 1'
    >>> story_head(worked_example("The cat sat on the mat", model="minilm")).name
    'layer 6 · head 12'
    """
    if example.kind == "designed":
        return StoryHead(0, 0, example.q, example.k, example.v, example.scaled_scores,
                         example.weights, example.outputs)  # fmt: skip
    link = story_heads(example).link
    at = (link.layer, link.head)
    return StoryHead(*at, example.queries[at], example.keys[at], example.values[at],
                     example.logits[at], example.attention[at], example.contexts[at])  # fmt: skip


@dataclass(frozen=True)
class StoryNames:
    """How the ledger names the story head's numbers (:func:`story_head`) for a model.

    The designed model's are the worked example's own fields (``weights[i, j]``, as the
    video's); a trained model's are its record's (``attention[l, h, i, j]``, the story
    head's layer and head). The names the reference can check only for the designed model
    (the unscaled scores, the causal and tempered weights) are None for a trained one: the
    page computes those itself.
    """

    weights: str
    q: str
    k: str
    v: str
    outputs: str
    logits: str
    index: tuple[int, ...] = ()
    scores: str | None = None
    causal: str | None = None
    tempered: bool = False

    def cell(self, name: str, *index: int) -> str:
        """The source of ``name``'s entry ``index`` (``weights``, 2, 1 -> ``weights[2, 1]``)."""
        return cell_source(getattr(self, name), *self.index, *index)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the page: each name's source and index prefix, or None."""
        names = ("weights", "q", "k", "v", "outputs", "logits", "scores", "causal")
        return {n: None if getattr(self, n) is None else {"source": getattr(self, n),
                                                         "index": list(self.index)}
                for n in names}  # fmt: skip


def story_names(example: WorkedExample) -> StoryNames:
    """The ledger's names for ``example``'s story head (see :class:`StoryNames`).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> story_names(worked_example()).cell("weights", 2, 1)
    'weights[2, 1]'
    >>> story_names(worked_example("The cat sat on the mat", model="minilm")).cell("weights", 2, 1)
    'attention[5, 11, 2, 1]'
    """
    if example.kind == "designed":
        return StoryNames("weights", "q", "k", "v", "outputs", "scaled_scores", (),
                          "scores", "causal_weights", tempered=True)  # fmt: skip
    head = story_head(example)
    return StoryNames("attention", "queries", "keys", "values", "contexts", "logits",
                      (head.layer, head.head))  # fmt: skip


def _story(rec: _Recorder, ex: WorkedExample, names: StoryNames) -> None:
    """The story head: tokens, pairs, blend, Q/K/V, mask and temperature views."""
    prefix, head = names.index, story_head(ex)
    rec.rows(names.weights, head.weights, rec.pair("weights"), prefix)
    rec.cells(names.logits, head.scaled_scores, rec.pair("q·k/√d"), prefix)
    for role in ("q", "k", "v", "outputs"):
        rec.cells(getattr(names, role), getattr(head, role), rec.vector(role), prefix)
    if names.scores is not None:
        rec.cells(names.scores, ex.scores, rec.pair("q·k"))
    if names.causal is not None:
        rec.rows(names.causal, causal_weights(ex), rec.pair("causal"))
    rec.scalar("sqrt_d_head", np.sqrt(ex.d_head), "√d_head")
    rec.scalar("d_head", ex.d_head, "d_head", 0)
    rec.scalar("d_model", ex.d_model, "d_model", 0)
    rec.scalar("n_heads", ex.n_heads, "heads per layer", 0)
    rec.scalar("n_tokens", ex.n_tokens, "tokens", 0)
    for t in TEMPERATURES:
        # the slider's ends as written (0.1, 5), its value as it moves (1.00)
        places = DECIMALS if t == 1.0 else len(f"{t:g}".partition(".")[2])
        rec.scalar(call_source("temperature", t), t, "temperature", places)
        if names.tempered:
            row = tempered_weights(ex, t)[ex.focus_index]
            rec.rows(
                call_source("tempered_weights", t), row, rec.pair(f"T={t:g}"), (ex.focus_index,)
            )


def _heads(rec: _Recorder, cards: Sequence[HeadCard]) -> None:
    for card in cards:
        name = f"{card.label} {card.layer + 1}.{card.head + 1}"  # counted from 1, as spoken
        rec.rows(card.source, card.weights, rec.pair(name), card.index)


def _experiment(rec: _Recorder, ex: WorkedExample, experiment: Experiment | None) -> None:
    if experiment is None or experiment.whole_sentence:
        return  # its numbers are the story head's own, recorded above
    picked = [ex.tokens[i] for i in experiment.tokens]
    weights, outputs = (
        selected_weights(ex, experiment.tokens),
        selected_outputs(ex, experiment.tokens),
    )
    rec.rows(experiment.weights, weights, rec.pair("experiment", picked))
    rec.cells(experiment.outputs, outputs, rec.vector("output", picked))


def _next_word(rec: _Recorder, ex: WorkedExample) -> None:
    """The decoder's Next word view (:mod:`explainer.outputs.explore.next_word`): each step's
    likeliest next tokens and the featured heads' last rows, and the heads' measures."""
    featured = featured_heads(ex)
    for f in featured:
        rec.scalar(share_source(f), f.share, f"{f.measure} share {f.layer + 1}.{f.head + 1}")
    for s, step in enumerate(generation(ex)):
        for k, t in enumerate(step.top):
            rec.scalar(prob_source(s, k), t.probability, f"P(next = {t.text!r}) at step {s}")
        last = step.tokens[-1]
        for f in featured:
            row = step.last_rows[f.layer, f.head]  # (n,)
            name = f"step {s} {f.layer + 1}.{f.head + 1}"
            for j, value in enumerate(row):
                rec.scalar(row_source(s, f.layer, f.head, j), value,
                           f"{name} {last}→{step.tokens[j]}")  # fmt: skip
            rec.scalar(f"sum({row_source(s, f.layer, f.head)})", float(np.sum(row)),
                       f"Σ {name} {last}")  # fmt: skip
    rec.scalar("n_layers", ex.n_layers, "layers", 0)
    rec.scalar("n_heads", ex.n_heads, "heads per layer", 0)
    rec.scalar("n_tokens", ex.n_tokens, "tokens", 0)


def explorer_ledger(example: WorkedExample) -> NumbersLedger:
    """Every number the explorer of ``example`` shows at its default settings: the story
    head's, the head grid's (:func:`explainer.outputs.explore.heads.example_cards`) and the
    experiment's (:func:`explainer.outputs.explore.experiment.experiment_for`); for a decoder,
    its Next word view's (:func:`_next_word`).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> from attention.numbers.verify import verify
    >>> ex = worked_example()
    >>> ledger = explorer_ledger(ex)
    >>> verify(ledger, ex), {e.scene for e in ledger.entries}
    ([], {'explorer'})
    >>> next(e.shown for e in ledger.entries if e.source == "weights[2, 1]")
    '0.35'
    """
    rec = _Recorder(example.tokens)
    if example.kind == "decoder":
        _next_word(rec, example)
        return rec.ledger
    _story(rec, example, story_names(example))
    _heads(rec, example_cards(example))
    _experiment(rec, example, experiment_for(example))
    return rec.ledger
