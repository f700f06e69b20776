"""Head patterns, measured on the sentence: where each head's weight goes, and its habit.

A head's weight is all of its rows together (each row adds up to one). Every weight goes to
exactly one kind of token, seen from its row: the model's own tokens at the start ([CLS])
or at the end ([SEP]) first, else the token before (``previous``), the token after
(``next``), the token itself (``self``), a punctuation mark, or another word (``words``).
A head's :data:`SHARES` are the parts of its weight that go to each kind: they add up to one.

A head has a habit when one kind takes more than :data:`THRESHOLD` (half) of its weight:
the neighbour before or after, itself, [CLS] and [SEP] together (a ``sink``), or
punctuation. The parts are disjoint, so no head has two habits, and "N heads put more
than half their weight on [CLS] and [SEP]" counts exactly the heads called sinks. A head
with no habit is ``mixed``; it is ``spread`` when, on average over its rows, no token holds
half of a row (its ``peak``, a row's largest weight averaged over the rows, is under half).

For the focus word a head ``links`` it to another word when that word (its pieces summed)
takes at least :data:`LINK_FLOOR` of the focus's row and more than any other word, the
focus's own word or a punctuation mark. Nothing here is asserted about a head; every label
is computed from its numbers, and the narration says only what they make true.

Each measure is also a ledger source (``previous_weight[l, h]``, ``sink_weight[l, h]``,
``peak_weight[l, h]``, ``word_attention[l, h, i, w]``, ``habit_counts[k]``, ``sink_heads``,
``spread_heads``, ``link_heads``), recomputed by :mod:`attention.numbers.reference`'s loops
when checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from attention.models.model import TokenizedSentence
from attention.worked.example import WorkedExample

__all__ = [
    "COUNTED",
    "HABITS",
    "HABIT_KINDS",
    "LINK_FLOOR",
    "PATTERNS",
    "SHARES",
    "THRESHOLD",
    "HeadPattern",
    "habit_counts",
    "head_patterns",
    "head_peaks",
    "head_shares",
    "link_count",
    "measure_roles",
    "sink_count",
    "spread_count",
    "token_kinds",
    "word_attention",
]

Array = NDArray[np.float64]

THRESHOLD = 0.5  # a habit takes more than half of a head's weight
LINK_FLOOR = 1 / 3  # a link: a third of the focus's weight or more, on its top word
# the parts of a head's weight, by the kind of token each weight goes to (they add up to 1)
SHARES = ("previous", "next", "self", "start", "end", "punctuation", "words")
# the kinds a habit can be: "sink" is start and end together
HABIT_KINDS = ("previous", "next", "self", "sink", "punctuation")
COUNTED = (*HABIT_KINDS, "mixed")  # habit_counts[k] counts the heads with habit COUNTED[k]
# what a head with a habit is called, by habit
HABITS = {
    "previous": "previous token",
    "next": "next token",
    "self": "itself",
    "sink": "[CLS]/[SEP]",
    "punctuation": "punctuation",
}


def measure_roles(
    tokens: TokenizedSentence,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The start tokens ([CLS]), end tokens ([SEP]) and punctuation tokens of a sentence.

    Tokens of no word that the model added itself (``tokens.added``) are the start before
    the first word and the end after the last; any other token of no word is punctuation,
    a sentence's final period too. When ``added`` is not known, every token of no word
    before the first word is the start and after the last word the end.

    Examples
    --------
    >>> t = TokenizedSentence("a, b.", ("[CLS]", "a", ",", "b", ".", "[SEP]"), ("a", "b"),
    ...                       (None, 0, None, 1, None, None), (),
    ...                       (True, False, False, False, False, True))
    >>> measure_roles(t)
    ((0,), (5,), (2, 4))
    """
    worded = [i for i, w in enumerate(tokens.word_of) if w is not None]
    first, last = (worded[0], worded[-1]) if worded else (tokens.n_tokens, -1)
    loose = [i for i, w in enumerate(tokens.word_of) if w is None]
    added = tokens.added or tuple(not first < i < last for i in range(tokens.n_tokens))
    start = tuple(i for i in loose if i < first and added[i])
    end = tuple(i for i in loose if i > last and added[i])
    return start, end, tuple(i for i in loose if i not in start + end)


def token_kinds(tokens: TokenizedSentence) -> NDArray[np.int64]:  # -> (n, n): SHARES index
    """The kind of token each weight ``[i, j]`` goes to, as an index into :data:`SHARES`.

    [CLS] and [SEP] first, then the token before row ``i``, after it, itself, punctuation,
    and any other word.

    Examples
    --------
    >>> t = TokenizedSentence("a b", ("[CLS]", "a", "b", "[SEP]"), ("a", "b"),
    ...                       (None, 0, 1, None))
    >>> [[SHARES[k] for k in row] for row in token_kinds(t)][2]
    ['start', 'previous', 'self', 'end']
    """
    n = tokens.n_tokens
    start, end, punctuation = measure_roles(tokens)
    kinds = np.full((n, n), SHARES.index("words"), dtype=np.int64)
    rows, cols = np.indices((n, n))
    # later assignments win: the order below is the reverse of the precedence
    kinds[:, list(punctuation)] = SHARES.index("punctuation")
    kinds[rows == cols] = SHARES.index("self")
    kinds[cols == rows + 1] = SHARES.index("next")
    kinds[cols == rows - 1] = SHARES.index("previous")
    kinds[:, list(end)] = SHARES.index("end")
    kinds[:, list(start)] = SHARES.index("start")
    return kinds


def head_shares(weights: Array, tokens: TokenizedSentence) -> Array:  # (L, H, n, n) -> (L, H, 7)
    """The parts of each head's weight (all its rows together) that go to each kind of
    :data:`SHARES`, in that order; they add up to one.

    Examples
    --------
    >>> t = TokenizedSentence("a b", ("a", "b"), ("a", "b"), (0, 1))
    >>> head_shares(np.array([[[[1.0, 0.0], [1.0, 0.0]]]]), t)[0, 0].tolist()
    [0.5, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0]
    """
    w = np.asarray(weights, dtype=np.float64)
    kinds = token_kinds(tokens)
    n = w.shape[-1]
    return np.stack([w[..., kinds == k].sum(axis=-1) / n for k in range(len(SHARES))], axis=-1)


def head_peaks(weights: Array) -> Array:  # (L, H, n, n) -> (L, H)
    """Each head's peak: the largest weight of a row, averaged over its rows.

    Examples
    --------
    >>> head_peaks(np.array([[[[0.9, 0.1], [0.5, 0.5]]]])).tolist()
    [[0.7]]
    """
    peaks: Array = np.asarray(weights, dtype=np.float64).max(axis=-1).mean(axis=-1)
    return peaks


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
    """One head's measured pattern on the sentence.

    ``shares`` are its :data:`SHARES` and ``sink`` (start and end together); ``peak`` a
    row's largest weight, averaged over its rows; ``habit`` the kind of
    :data:`HABIT_KINDS` that takes more than half of its weight (None: mixed); ``link`` the
    word (not the focus's own) the focus gives most weight to in this head, and that weight
    (the sum over the word's tokens); ``rival`` the most the focus gives any other word,
    its own word or a punctuation mark.
    """

    layer: int
    head: int
    shares: dict[str, float]
    habit: str | None
    link: tuple[int, float]
    peak: float = 1.0
    rival: float = 0.0

    @property
    def label(self) -> str:
        """The head's name by its measured habit ("previous token", "[CLS]/[SEP]", "mixed")."""
        return HABITS[self.habit] if self.habit else "mixed"

    @property
    def spread(self) -> bool:
        """A mixed head whose rows' largest weight is under half, on average."""
        return self.habit is None and self.peak < THRESHOLD

    @property
    def links(self) -> bool:
        """Whether the focus's link word takes at least :data:`LINK_FLOOR` of its row and
        more than any other word, its own word or a punctuation mark.

        Examples
        --------
        >>> HeadPattern(0, 0, {}, None, (1, 0.4), rival=0.3).links
        True
        >>> HeadPattern(0, 0, {}, None, (1, 0.4), rival=0.45).links
        False
        """
        return self.link[1] >= LINK_FLOOR and self.link[1] > self.rival

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


def _focus_units(example: WorkedExample) -> tuple[Array, Array]:
    """The focus row of every head, per word (the focus's own word -1) and the most it
    gives any rival of a link: its own word or a punctuation mark. -> (L, H, words), (L, H)"""
    tokens = example.record.tokens
    row = word_attention(example.attention, tokens)[:, :, example.focus_index, :]
    focus_word = tokens.word_of[example.focus_index]
    masked = row.copy()
    rivals = [np.zeros(row.shape[:2])]
    if focus_word is not None:
        masked[..., focus_word] = -1.0  # a word's link to itself is not a link
        rivals.append(row[..., focus_word])
    _, _, punctuation = measure_roles(tokens)
    focus_row = example.attention[:, :, example.focus_index, :]
    rivals += [focus_row[..., j] for j in punctuation]
    return masked, np.max(np.stack(rivals), axis=0)


def _pattern(
    layer: int, h: int, shares: Array, peak: float, words: Array, rival: float
) -> HeadPattern:
    values = dict(zip(SHARES, (float(v) for v in shares), strict=True))
    values["sink"] = values["start"] + values["end"]
    best = max(HABIT_KINDS, key=lambda k: values[k])
    habit = best if values[best] > THRESHOLD else None
    word = int(np.argmax(words))
    second = float(np.sort(words)[-2]) if len(words) > 1 else 0.0
    return HeadPattern(layer, h, values, habit, (word, float(words[word])), peak,
                       max(rival, second))  # fmt: skip


def head_patterns(example: WorkedExample) -> tuple[tuple[HeadPattern, ...], ...]:
    """Every head's pattern on the example's sentence, ``[layer][head]``.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> patterns = head_patterns(worked_example())
    >>> len(patterns), len(patterns[0]), round(sum(patterns[0][0].shares[k] for k in SHARES), 9)
    (1, 2, 1.0)
    """
    shares = head_shares(example.attention, example.record.tokens)
    peaks = head_peaks(example.attention)
    words, rivals = _focus_units(example)
    return tuple(
        tuple(
            _pattern(layer, h, shares[layer, h], float(peaks[layer, h]), words[layer, h],
                     float(rivals[layer, h]))
            for h in range(shares.shape[1])
        )
        for layer in range(shares.shape[0])
    )  # fmt: skip


def habit_counts(patterns: tuple[tuple[HeadPattern, ...], ...]) -> list[int]:
    """How many heads have each habit of :data:`COUNTED` (``mixed``: no habit, last).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> counts = habit_counts(head_patterns(worked_example(model="minilm")))
    >>> len(counts) == len(COUNTED), sum(counts)
    (True, 72)
    """
    habits = [p.habit or "mixed" for layer in patterns for p in layer]
    return [habits.count(name) for name in COUNTED]


def sink_count(counts: Sequence[int]) -> int:
    """The heads of ``counts`` (:func:`habit_counts`) that put more than half their weight
    on [CLS] and [SEP].

    Examples
    --------
    >>> sink_count([1, 0, 0, 40, 0, 31])
    40
    """
    return counts[COUNTED.index("sink")]


def spread_count(patterns: tuple[tuple[HeadPattern, ...], ...]) -> int:
    """The mixed heads that spread their weight (see :attr:`HeadPattern.spread`)."""
    return sum(p.spread for layer in patterns for p in layer)


def link_count(patterns: tuple[tuple[HeadPattern, ...], ...]) -> int:
    """The mixed heads that link the focus to another word (see :attr:`HeadPattern.links`)."""
    return sum(p.habit is None and p.links for layer in patterns for p in layer)


def _no_arguments(name: str, args: Sequence[float]) -> None:
    if args:
        raise ValueError(f"{name} takes no arguments")


def _share(index: int) -> Callable[[WorkedExample, tuple[float, ...]], Array]:
    def value(example: WorkedExample, args: tuple[float, ...]) -> Array:
        _no_arguments(f"{SHARES[index]}_weight", args)
        return head_shares(example.attention, example.record.tokens)[..., index]

    return value


def _sink_weight(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_arguments("sink_weight", args)
    shares = head_shares(example.attention, example.record.tokens)
    return shares[..., SHARES.index("start")] + shares[..., SHARES.index("end")]


def _peak_weight(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_arguments("peak_weight", args)
    return head_peaks(example.attention)


def _habit_counts(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_arguments("habit_counts", args)
    return np.array(habit_counts(head_patterns(example)), dtype=np.float64)


def _sink_heads(example: WorkedExample, args: Sequence[float]) -> float:
    _no_arguments("sink_heads", args)
    return float(sink_count(habit_counts(head_patterns(example))))


def _spread_heads(example: WorkedExample, args: Sequence[float]) -> float:
    _no_arguments("spread_heads", args)
    return float(spread_count(head_patterns(example)))


def _link_heads(example: WorkedExample, args: Sequence[float]) -> float:
    _no_arguments("link_heads", args)
    return float(link_count(head_patterns(example)))


def _word_attention(example: WorkedExample, args: Sequence[float]) -> Array:
    _no_arguments("word_attention", args)
    return word_attention(example.attention, example.record.tokens)


# ledger source name -> value for (example, arguments), like attention.worked.lessons.LESSONS
PATTERNS: dict[str, Callable[[WorkedExample, tuple[float, ...]], Array | float]] = {
    **{f"{name}_weight": _share(i) for i, name in enumerate(SHARES)},
    "sink_weight": _sink_weight,  # start + end: the part on [CLS] and [SEP]
    "peak_weight": _peak_weight,  # a row's largest weight, averaged over the rows
    "word_attention": _word_attention,
    "habit_counts": _habit_counts,  # heads per habit, in COUNTED's order
    "sink_heads": _sink_heads,  # heads with more than half their weight on [CLS] and [SEP]
    "spread_heads": _spread_heads,  # mixed heads whose rows' largest weight is under half
    "link_heads": _link_heads,  # mixed heads that link the focus to another word
}
