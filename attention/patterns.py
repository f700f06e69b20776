"""Head patterns, measured on the sentence: what each head's weight goes to, and its habit.

For every head of every layer, the mean over its query rows of the weight given to: the token
before (``previous``), the token after (``next``), the token itself (``self``), the tokens the
model adds at the start ([CLS]) and at the end ([SEP]), and punctuation. A head has a habit
when one of these holds at least :data:`THRESHOLD` (half) of its weight; the largest wins.
A head with none is ``mixed``: its weight is spread over words, which is most of what a
trained model does and is not one nameable pattern. Nothing here is asserted about a head;
every label is computed from its numbers, and the narration says only what they make true.

Each measure is also a ledger source (``previous_weight[l, h]``, ``word_attention[l, h, i,
w]``), recomputed by :mod:`attention.reference`'s loops when checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attention.example import WorkedExample
from attention.model import TokenizedSentence

__all__ = [
    "COUNTED",
    "HABITS",
    "MEASURES",
    "PATTERNS",
    "THRESHOLD",
    "HeadPattern",
    "habit_counts",
    "head_patterns",
    "sink_count",
    "head_shares",
    "measure_roles",
    "word_attention",
]

Array = NDArray[np.float64]

THRESHOLD = 0.5  # a habit holds at least half of a head's weight, averaged over its rows
MEASURES = ("previous", "next", "self", "start", "end", "punctuation")
COUNTED = (*MEASURES, "mixed")  # habit_counts[k] counts the heads with habit COUNTED[k]
# what a head whose largest measure passes the threshold is called, by measure
HABITS = {
    "previous": "previous token",
    "next": "next token",
    "self": "itself",
    "start": "[CLS]",
    "end": "[SEP]",
    "punctuation": "punctuation",
}


def measure_roles(
    tokens: TokenizedSentence,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The start tokens ([CLS]), end tokens ([SEP]) and punctuation tokens of a sentence.

    Tokens the model adds have no word; those before the first word are the start, those
    after the last word the end, and a token between words without a word is punctuation.

    Examples
    --------
    >>> t = TokenizedSentence("a, b", ("[CLS]", "a", ",", "b", "[SEP]"), ("a", "b"),
    ...                       (None, 0, None, 1, None))
    >>> measure_roles(t)
    ((0,), (4,), (2,))
    """
    worded = [i for i, w in enumerate(tokens.word_of) if w is not None]
    first, last = (worded[0], worded[-1]) if worded else (tokens.n_tokens, -1)
    loose = [i for i, w in enumerate(tokens.word_of) if w is None]
    start = tuple(i for i in loose if i < first)
    end = tuple(i for i in loose if i > last)
    return start, end, tuple(i for i in loose if first < i < last)


def head_shares(weights: Array, tokens: TokenizedSentence) -> Array:  # (L, H, n, n) -> (L, H, 6)
    """Each head's mean weight on each of :data:`MEASURES`, in that order.

    ``previous`` averages the rows that have a token before them, ``next`` those with one
    after; the others average every row (a measure whose tokens the sentence lacks is 0).

    Examples
    --------
    >>> t = TokenizedSentence("a b", ("a", "b"), ("a", "b"), (0, 1))
    >>> head_shares(np.array([[[[1.0, 0.0], [1.0, 0.0]]]]), t)[0, 0].tolist()
    [1.0, 0.0, 0.5, 0.0, 0.0, 0.0]
    """
    w = np.asarray(weights, dtype=np.float64)
    n = w.shape[-1]
    rows = np.arange(n)
    start, end, punctuation = measure_roles(tokens)
    previous = w[..., rows[1:], rows[1:] - 1].mean(axis=-1) if n > 1 else np.zeros(w.shape[:2])
    following = w[..., rows[:-1], rows[:-1] + 1].mean(axis=-1) if n > 1 else np.zeros(w.shape[:2])
    shares = [
        previous,
        following,
        w[..., rows, rows].mean(axis=-1),
        *(w[..., list(group)].sum(axis=-1).mean(axis=-1) for group in (start, end, punctuation)),
    ]
    return np.stack(shares, axis=-1)


def word_attention(weights: Array, tokens: TokenizedSentence) -> Array:  # -> (L, H, n, n_words)
    """The weight each query token gives each word: the sum over the word's tokens.

    Examples
    --------
    >>> t = TokenizedSentence("ab", ("a", "##b"), ("ab",), (0, 0))
    >>> word_attention(np.full((1, 1, 2, 2), 0.5), t)[0, 0].tolist()
    [[1.0], [1.0]]
    """
    w = np.asarray(weights, dtype=np.float64)
    columns = [list(tokens.tokens_of(word)) for word in range(len(tokens.words))]
    return np.stack([w[..., cols].sum(axis=-1) for cols in columns], axis=-1)


@dataclass(frozen=True)
class HeadPattern:
    """One head's measured habit on the sentence.

    ``shares`` are its :data:`MEASURES`; ``habit`` the measure that holds at least half of
    its weight (None: mixed); ``label`` what the head is called ("previous token",
    "[CLS]", "mixed"); ``link`` the word (not the focus word) the focus gives most weight
    to in this head, and that weight (the sum over the word's tokens).
    """

    layer: int
    head: int
    shares: dict[str, float]
    habit: str | None
    link: tuple[int, float]

    @property
    def label(self) -> str:
        """The head's name by its measured habit."""
        return HABITS[self.habit] if self.habit else "mixed"

    @property
    def strength(self) -> float:
        """The share of its habit (its largest measure when it has none)."""
        return self.shares[self.habit] if self.habit else max(self.shares.values())

    def stronger(self, first: str, second: str) -> str:
        """Which of two measures this head favours (``first`` on a tie): the side of a
        neighbour (previous or next) or of a sink (start or end) the screen and the voice name.

        Examples
        --------
        >>> p = HeadPattern(0, 0, {"previous": 0.2, "next": 0.6}, "next", (1, 0.3))
        >>> p.stronger("previous", "next")
        'next'
        """
        return first if self.shares[first] >= self.shares[second] else second


def _links(example: WorkedExample) -> Array:  # -> (L, H, n_words): the focus row per word
    tokens = example.record.tokens
    row = word_attention(example.attention, tokens)[:, :, example.focus_index, :]
    focus_word = tokens.word_of[example.focus_index]
    masked = row.copy()
    if focus_word is not None:
        masked[..., focus_word] = -1.0  # a word's link to itself is not a link
    return masked


def head_patterns(example: WorkedExample) -> tuple[tuple[HeadPattern, ...], ...]:
    """Every head's pattern on the example's sentence, ``[layer][head]``.

    Examples
    --------
    >>> from attention.example import worked_example
    >>> patterns = head_patterns(worked_example())
    >>> len(patterns), len(patterns[0]), [pattern.habit for pattern in patterns[0]]
    (1, 2, [None, None])
    """
    shares = head_shares(example.attention, example.record.tokens)
    links = _links(example)
    patterns = []
    for layer in range(shares.shape[0]):
        heads = []
        for h in range(shares.shape[1]):
            values = dict(zip(MEASURES, (float(v) for v in shares[layer, h]), strict=True))
            best = max(MEASURES, key=lambda m: values[m])
            word = int(np.argmax(links[layer, h]))
            habit = best if values[best] >= THRESHOLD else None
            heads.append(HeadPattern(layer, h, values, habit, (word, float(links[layer, h, word]))))
        patterns.append(tuple(heads))
    return tuple(patterns)


def _measure(index: int) -> Callable[[WorkedExample, tuple[float, ...]], Array]:
    def value(example: WorkedExample, args: tuple[float, ...]) -> Array:
        if args:
            raise ValueError(f"{MEASURES[index]}_weight takes no arguments")
        return head_shares(example.attention, example.record.tokens)[..., index]

    return value


def habit_counts(patterns: tuple[tuple[HeadPattern, ...], ...]) -> list[int]:
    """How many heads have each habit of :data:`COUNTED` (``mixed``: no habit, last).

    Examples
    --------
    >>> from attention.example import worked_example
    >>> counts = habit_counts(head_patterns(worked_example(model="minilm")))
    >>> len(counts) == len(COUNTED), sum(counts)
    (True, 72)
    """
    habits = [p.habit or "mixed" for layer in patterns for p in layer]
    return [habits.count(name) for name in COUNTED]


def sink_count(counts: Sequence[int]) -> int:
    """The heads of ``counts`` (:func:`habit_counts`) that park their weight on [CLS] or [SEP]."""
    return counts[COUNTED.index("start")] + counts[COUNTED.index("end")]


def _habit_counts(example: WorkedExample, args: Sequence[float]) -> Array:
    if args:
        raise ValueError("habit_counts takes no arguments")
    return np.array(habit_counts(head_patterns(example)), dtype=np.float64)


def _sink_heads(example: WorkedExample, args: Sequence[float]) -> float:
    if args:
        raise ValueError("sink_heads takes no arguments")
    return float(sink_count(habit_counts(head_patterns(example))))


def _word_attention(example: WorkedExample, args: Sequence[float]) -> Array:
    if args:
        raise ValueError("word_attention takes no arguments")
    return word_attention(example.attention, example.record.tokens)


# ledger source name -> value for (example, arguments), like attention.lessons.LESSONS
PATTERNS: dict[str, Callable[[WorkedExample, tuple[float, ...]], Array | float]] = {
    **{f"{name}_weight": _measure(i) for i, name in enumerate(MEASURES)},
    "word_attention": _word_attention,
    "habit_counts": _habit_counts,  # heads per habit, in COUNTED's order
    "sink_heads": _sink_heads,  # heads whose habit is [CLS] or [SEP]
}
