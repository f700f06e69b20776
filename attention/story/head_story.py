"""What the trained-model chapters show and say: heads picked by measurement, claims by count.

The chapters and the narration take their heads from :func:`story_heads`, so the screen and
the voice name the same ones, and every phrase (:mod:`attention.story.head_phrases`) is
chosen by the numbers it describes, with a branch for every case: "most heads" is said only
when more than half do, a habit only when one kind of token takes more than half of a head's
weight (:data:`attention.story.patterns.THRESHOLD`), "spread" only of heads whose rows'
largest weight is under half on average, and a link only when the word takes at least a
third of the focus's weight and more than any other word or mark
(:data:`attention.story.patterns.LINK_FLOOR`). Heads are spoken and labelled from 1 (layer 3,
head 2); ledger sources index from 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from attention.story.patterns import HeadPattern, head_patterns
from attention.worked.example import WorkedExample

__all__ = ["NEIGHBOURS", "StoryHeads", "link_notes", "story_heads"]

NEIGHBOURS = ("previous", "next")  # the habits of a positional head


@dataclass(frozen=True)
class StoryHeads:
    """The heads the trained chapters single out, each chosen by a stated rule.

    ``link`` (the story head: RealHead follows it): among the heads with no habit, the one
    that links the focus to another word with the largest weight; if none links it, the
    one where the focus gives another word the most; a head with a habit only when every
    head has one. ``positional``: among heads whose habit is the previous or next token,
    the one with the largest such share; with none, the head with the largest previous- or
    next-token share. ``sink``: the head with the largest share on [CLS] and [SEP].
    ``other``: when the story head links, a head that links the focus to another word than
    it does (a head with no habit first, then any), the strongest; None when every head
    that links it agrees, or the story head links nothing.
    """

    link: HeadPattern
    positional: HeadPattern
    sink: HeadPattern
    other: HeadPattern | None
    patterns: tuple[tuple[HeadPattern, ...], ...]

    @property
    def all(self) -> list[HeadPattern]:
        """Every head, layer by layer."""
        return [p for layer in self.patterns for p in layer]

    @property
    def mixed(self) -> list[HeadPattern]:
        """The heads with no habit."""
        return [p for p in self.all if p.habit is None]


def _strongest_link(heads: Sequence[HeadPattern]) -> HeadPattern | None:
    return max(heads, key=lambda p: p.link[1]) if heads else None


def _story_head(flat: list[HeadPattern]) -> HeadPattern:
    mixed = [p for p in flat if p.habit is None]
    linking = [p for p in mixed if p.links]
    return max(linking or mixed or flat, key=lambda p: p.link[1])


def _positional_head(flat: list[HeadPattern]) -> HeadPattern:
    neighbours = [p for p in flat if p.habit in NEIGHBOURS] or flat
    return max(neighbours, key=lambda p: max(p.shares["previous"], p.shares["next"]))


def story_heads(example: WorkedExample) -> StoryHeads:
    """The heads the trained chapters show for ``example`` (see :class:`StoryHeads`).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> heads = story_heads(worked_example())
    >>> heads.link.layer, heads.link.head in (0, 1)
    (0, True)
    """
    patterns = head_patterns(example)
    flat = [p for layer in patterns for p in layer]
    link = _story_head(flat)
    sink = max(flat, key=lambda p: p.shares["sink"])
    other = None
    if link.links:
        words = example.record.tokens.words
        said = words[link.link[0]].casefold()  # "the" twice is one word to a listener
        others = [p for p in flat if p.links and words[p.link[0]].casefold() != said]
        other = _strongest_link([p for p in others if p.habit is None]) or _strongest_link(others)
    return StoryHeads(link, _positional_head(flat), sink, other, patterns)


def link_notes(example: WorkedExample, heads: StoryHeads) -> list[str]:
    """What the screen writes under the focus rows of the caveat's heads, true to the same
    branches as the narration's ``disagreement``: one line per head shown, or the line
    saying that every other head that links the focus agrees (or that none links it).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example("The cat sat on the mat", "sat", "minilm")
    >>> link_notes(ex, story_heads(ex))[0]
    'in layer 6 · head 12, “sat” links most to “cat”'
    """
    words, link, other = example.record.tokens.words, heads.link, heads.other
    focus = example.focus
    name = f"layer {link.layer + 1} · head {link.head + 1}"
    if not link.links:
        return [f"in {name}, no word takes a third of “{focus}”'s weight ahead of the rest",
                f"its largest share for another word goes to “{words[link.link[0]]}”"]
    first = f"in {name}, “{focus}” links most to “{words[link.link[0]]}”"
    if other is None:
        return [first, "every other head that links it to a word agrees"]
    return [first, f"in layer {other.layer + 1} · head {other.head + 1}, to "
                   f"“{words[other.link[0]]}”"]  # fmt: skip
