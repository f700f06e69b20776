"""What the trained-model chapters show and say: heads picked by measurement, claims by count.

The chapters and the narration take their heads from :func:`story_heads`, so the screen and
the voice name the same ones, and every phrase here is chosen by the numbers it describes,
with a branch for every case: "most heads" is said only when more than half do, a habit only
when one kind of token takes more than half of a head's weight
(:data:`attention.story.patterns.THRESHOLD`), "spread" only of heads whose rows' largest weight is
under half on average, and a link only when the word takes at least a third of the focus's
weight and more than any other word or mark (:data:`attention.story.patterns.LINK_FLOOR`). Heads
are spoken and labelled from 1 (layer 3, head 2); ledger sources index from 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from attention.rounding import format_number
from attention.story.patterns import (
    COUNTED,
    THRESHOLD,
    HeadPattern,
    habit_counts,
    head_patterns,
    link_count,
    sink_count,
    spread_count,
)
from attention.worked.example import WorkedExample

__all__ = [
    "HABIT_ORDER",
    "TRAINED_PLACEHOLDERS",
    "StoryHeads",
    "link_notes",
    "quantifier",
    "story_heads",
    "trained_values",
]

# habits counted for the narration, in the order of the ledger's habit_counts[k]
HABIT_ORDER = COUNTED
_NEIGHBOURS = ("previous", "next")


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
    neighbours = [p for p in flat if p.habit in _NEIGHBOURS] or flat
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


def quantifier(count: int, total: int) -> str:
    """A word true of ``count`` out of ``total``: most (over half), many (a quarter or more),
    some, or no.

    Examples
    --------
    >>> [quantifier(c, 72) for c in (40, 36, 18, 1, 0)]
    ['most', 'many', 'many', 'some', 'no']
    """
    if count * 2 > total:
        return "most"
    if count * 4 >= total:
        return "many"
    return "some" if count else "no"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(value: float) -> str:
    return format_number(value, 2)


def _head_name(p: HeadPattern) -> str:
    return f"layer {p.layer + 1}, head {p.head + 1}"


def _heads(count: int) -> str:
    """ "no head", "one head", "3 heads"."""
    return {0: "no head", 1: "one head"}.get(count, f"{count} heads")


def _positional_phrase(p: HeadPattern, n_previous: int, n_next: int) -> str:
    kind = p.stronger("previous", "next")
    share = _shown(p.shares[kind])
    if n_previous + n_next == 0:
        return (f"no head puts more than half its weight on the previous token, or on the "
                f"next; the closest, {_head_name(p)}, gives the {kind} token {share} of its "
                "weight")  # fmt: skip
    puts, its = ("puts", "its") if n_previous < 2 else ("put", "their")
    return (f"{_heads(n_previous)} {puts} more than half {its} weight on the previous token, "
            f"and {_heads(n_next)} on the next; in {_head_name(p)}, the {kind} token takes "
            f"{share}")  # fmt: skip


def _sink_phrase(p: HeadPattern, count: int, total: int) -> str:
    share = _shown(p.shares["sink"])
    if count == 0:
        return (f"no head puts more than half its weight on [CLS] and [SEP]; the closest, "
                f"{_head_name(p)}, gives them {share}")  # fmt: skip
    if count == 1:
        return (f"one head of {total} parks more than half its weight on [CLS] and [SEP]: "
                f"{_head_name(p)}, where they take {share}")  # fmt: skip
    return (f"{quantifier(count, total)} heads, {count} of {total}, park more than half their "
            f"weight on [CLS] and [SEP]; in {_head_name(p)}, they take {share}")  # fmt: skip


def _no_habit_phrase(mixed: int, total: int) -> str:
    if mixed == 0:
        return "every head here has a habit: one kind of token takes more than half its weight"
    if mixed == 1:
        return (f"one head of {total} follows no single habit here: no one kind of token takes "
                "more than half its weight")  # fmt: skip
    return (f"{quantifier(mixed, total)} heads, {mixed} of {total}, follow no single habit "
            "here: no one kind of token takes more than half their weight")  # fmt: skip


# said of a link (patterns.LINK_FLOOR, HeadPattern.links): more than any other word, its own
# and the punctuation marks included
_LINK = "a third of its weight or more, more than any other word gets"


def _links_phrase(example: WorkedExample, heads: StoryHeads) -> str:
    """The heads with no habit that link the focus to another word, and the strongest."""
    p, focus = heads.link, example.focus
    word, weight = example.record.tokens.words[p.link[0]], _shown(p.link[1])
    mixed = heads.mixed
    linking = link_count(heads.patterns)
    if not mixed:
        return (f"the head followed here, {_head_name(p)}, has one too; there, {focus} "
                f"gives {weight} to {word}")  # fmt: skip
    among = "it" if len(mixed) == 1 else "them"
    if linking == 0:
        return (f"in none of {among} does {focus} give one other word {_LINK}; its largest "
                f"share for another word is in {_head_name(p)}: {weight}, to {word}")  # fmt: skip
    if linking == 1:
        where = "in it" if len(mixed) == 1 else "in one of them"
        return (f"{where}, {_head_name(p)}, {focus} gives one other word {_LINK}: {weight} "
                f"to {word}")  # fmt: skip
    return (f"in {linking} of them, {focus} gives one other word {_LINK}; the most in "
            f"{_head_name(p)}: {weight} to {word}")  # fmt: skip


def _spread_phrase(heads: StoryHeads, total: int) -> str:
    """The heads with no habit, and how many of them spread their weight."""
    mixed = len(heads.mixed)
    spread = spread_count(heads.patterns)
    if mixed == 0:
        return "here every head has a habit, on this sentence"
    if mixed == 1:
        said, each, spreads = f"one head here, of {total}, follows no single habit", "it", "it"
    else:
        said = f"{quantifier(mixed, total)} heads here, {mixed} of {total}, follow no single habit"
        each, spreads = "each of them", "each of them"
    if spread == mixed:
        return f"{said}, and {spreads} spreads its weight: a row's largest weight is under " \
               "half, on average"  # fmt: skip
    if spread == 0:
        return f"{said}, though in {each} a row's largest weight is half or more, on average"
    some = "one of them spreads its" if spread == 1 else f"{spread} of them spread their"
    return f"{said}; {some} weight, a row's largest weight under half on average"


def _disagreement(example: WorkedExample, heads: StoryHeads) -> str:
    """Two heads linking the focus to two different words; that all that link it agree; or
    that the story head links it to none."""
    words, link, other = example.record.tokens.words, heads.link, heads.other
    focus = example.focus
    if not link.links:
        return (f"in {_head_name(link)}, no other word takes a third of {focus}'s weight "
                f"and more than the rest; its largest share for another word goes to "
                f"{words[link.link[0]]}")  # fmt: skip
    first = f"in {_head_name(link)}, {focus} links most to {words[link.link[0]]}"
    if other is None:
        return f"{first}, and every other head that links it to a word agrees"
    return f"{first}; in {_head_name(other)}, to {words[other.link[0]]}"


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


def trained_values(example: WorkedExample) -> dict[str, str]:
    """Every trained-model placeholder, formatted as the screen shows it.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = trained_values(worked_example("The cat sat on the mat", "sat", "minilm"))
    >>> v["n_all_heads"], v["link_word"], v["n_sink_heads"]
    ('72', 'cat', '58')
    """
    heads = story_heads(example)
    tokens = example.record.tokens
    counts = habit_counts(heads.patterns)
    total = len(heads.all)
    sinks = sink_count(counts)
    mixed = counts[HABIT_ORDER.index("mixed")]
    link, f = heads.link, example.focus_index
    row = example.attention[link.layer, link.head, f]
    shown = [_shown(w) for w in row.tolist()]
    top = int(row.argmax())
    other = heads.other
    n = example.n_tokens
    n_previous, n_next = (counts[HABIT_ORDER.index(k)] for k in _NEIGHBOURS)
    return {
        "sentence": example.sentence,
        "focus": example.focus,
        "n_tokens": str(example.n_tokens),
        "n_words": str(len(tokens.words)),
        "n_layers": str(example.n_layers),
        "n_heads": str(example.n_heads),
        "n_all_heads": str(total),
        "d_model": str(example.d_model),
        "d_head": str(example.d_head),
        "pieces": _pieces(example),
        "link_layer": str(link.layer + 1),
        "link_head": str(link.head + 1),
        "link_word": tokens.words[link.link[0]],
        "link_weight": _shown(link.link[1]),
        "link_top_token": example.tokens[top],
        "link_top_weight": shown[top],
        "link_blend": _blend(example.tokens[top], float(row[top])),
        "positional": _capitalised(_positional_phrase(heads.positional, n_previous, n_next)),
        "sinks": _capitalised(_sink_phrase(heads.sink, sinks, total)),
        "n_sink_heads": str(sinks),
        "n_mixed_heads": str(mixed),
        "mixed_quantifier": _capitalised(quantifier(mixed, total)),
        "no_habit": _capitalised(_no_habit_phrase(mixed, total)),
        "links": _capitalised(_links_phrase(example, heads)),
        "n_link_heads": str(link_count(heads.patterns)),
        "spread": _capitalised(_spread_phrase(heads, total)),
        "n_spread_heads": str(spread_count(heads.patterns)),
        "disagreement": _capitalised(_disagreement(example, heads)),
        "n_tokens_2": str(2 * n),
        "n_tokens_4": str(4 * n),
        "cells_n": str(n * n),
        "cells_2n": str(4 * n * n),
        "cells_4n": str(16 * n * n),
        "other_layer": str(other.layer + 1) if other else str(link.layer + 1),
        "other_head": str(other.head + 1) if other else str(link.head + 1),
        "other_word": tokens.words[other.link[0]] if other else tokens.words[link.link[0]],
    }


def _pieces(example: WorkedExample) -> str:
    """How the model cut the words, speakable: "didn't is cut into 3 pieces", "every word is
    one token"."""
    tokens = example.record.tokens
    split = [w for w in range(len(tokens.words)) if len(tokens.tokens_of(w)) > 1]
    if not split:
        return "every word is one token"
    word = split[0]
    said = f"{tokens.words[word]} is cut into {len(tokens.tokens_of(word))} pieces"
    more = len(split) - 1
    return (
        said
        if not more
        else f"{said}, and {more} more word{'s are' if more > 1 else ' is'} cut too"
    )


def _blend(top: str, weight: float) -> str:
    """What the story head's output for the focus is made of, true to its top weight."""
    return f"mostly what {top} carries" if weight >= 0.5 else f"a mix, the largest part from {top}"


_RULE = f"more than {THRESHOLD} of a head's weight, all its rows together"

TRAINED_PLACEHOLDERS: dict[str, str] = {
    "sentence": "the example sentence as written",
    "focus": "the focus word as written",
    "n_tokens": "tokens the model reads, [CLS] and [SEP] included",
    "n_words": "words in the sentence",
    "n_layers": "layers of the model (6)",
    "n_heads": "heads per layer (12)",
    "n_all_heads": "heads in all (72)",
    "d_model": "the model's width (384)",
    "d_head": "one head's query and key size (32)",
    "pieces": "how the model cut the words, speakable: 'didn't is cut into 3 pieces', or "
    "'every word is one token'",
    "link_layer": "the story head's layer, from 1: among heads with no habit, the one that "
    "links the focus to another word most strongly (a third of its weight or more, more than "
    "itself or any other word or mark); if none links it, the one where the focus gives "
    "another word the most; a head with a habit only when every head has one",
    "link_head": "the story head, from 1",
    "link_word": "the word the focus gives the most weight in the story head (pieces summed), "
    "itself aside",
    "link_weight": "that weight, 2 decimals",
    "link_top_token": "the token the focus gives the most weight in the story head",
    "link_top_weight": "that weight, 2 decimals, as the weight row shows it",
    "link_blend": "what the story head's output for the focus is made of, true to that "
    "weight: 'mostly what big carries' (0.5 or more), else 'a mix, the largest part from big'",
    "positional": "a sentence (capitalised) counting the heads whose habit is the previous "
    f"token and the next ({_RULE}), with the strongest one's share; with none: that no head "
    "has one, and the closest head's share",
    "sinks": "a sentence (capitalised) counting the heads that park more than half their "
    "weight on [CLS] and [SEP] together, with the strongest one's share; with none or one, "
    "said so",
    "n_sink_heads": "that count",
    "n_mixed_heads": "heads with no habit (mixed): no one kind of token takes more than half "
    "their weight",
    "mixed_quantifier": "Most, Many, Some or No: true of n_mixed_heads out of n_all_heads",
    "no_habit": "a sentence (capitalised) counting the heads with no habit: 'Most heads, 44 of "
    "72, follow no single habit here: ...', one head, or every head has a habit",
    "links": "a sentence (capitalised): in how many heads with no habit the focus gives one "
    "other word a third of its weight or more, more than itself or any other word or mark, "
    "and the story head's weight and word; or that none does and the story head's largest "
    "share for another word; or, when every head has a habit, that the story head has one",
    "n_link_heads": "heads with no habit that link the focus to another word, as 'links' "
    "counts them",
    "spread": "a sentence (capitalised) counting the heads with no habit and how many of them "
    "spread their weight (a row's largest weight under half, on average): all, none or some; "
    "or that every head has a habit",
    "n_spread_heads": "heads with no habit whose rows' largest weight is under half, on average",
    "disagreement": "when the story head links the focus: it and a head linking the focus to "
    "another word ('In layer 3, head 2, it links most to big; in layer 4, head 2, to trophy'), "
    "or that every other head that links it agrees; else that the story head links it to no "
    "word, with its largest share",
    "n_tokens_2": "twice the number of tokens",
    "n_tokens_4": "four times the number of tokens",
    "cells_n": "query-key scores for the sentence's tokens (n squared)",
    "cells_2n": "scores for twice the tokens",
    "cells_4n": "scores for four times the tokens",
    "other_layer": "the second head of 'disagreement', from 1 (the story head's when there is "
    "none)",
    "other_head": "that head, from 1",
    "other_word": "the word the focus links to most there",
}
