"""What the trained-model chapters show and say: heads picked by measurement, claims by count.

The chapters and the narration take their heads from :func:`story_heads`, so the screen and
the voice name the same ones, and every phrase here is chosen by the numbers it describes:
"most heads" is said only when more than half do, a positional head is called one only when
its habit holds at least half of its weight (:data:`attention.patterns.THRESHOLD`). Heads are
spoken and labelled from 1 (layer 3, head 2); ledger sources index from 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from attention.example import WorkedExample
from attention.patterns import (
    COUNTED,
    HABITS,
    THRESHOLD,
    HeadPattern,
    habit_counts,
    head_patterns,
    sink_count,
)
from attention.rounding import format_number

__all__ = [
    "HABIT_ORDER",
    "TRAINED_PLACEHOLDERS",
    "StoryHeads",
    "quantifier",
    "story_heads",
    "trained_values",
]

# habits counted for the narration, in the order of the ledger's habit_counts[k]
HABIT_ORDER = COUNTED
_POSITIONAL = ("previous", "next", "self")
_SINKS = ("start", "end")


@dataclass(frozen=True)
class StoryHeads:
    """The heads the trained chapters single out, each chosen by a stated rule.

    ``link``: among heads without a positional habit, the one where the focus gives the
    most weight to another word (the story head: RealHead follows it). ``positional``: the
    head with the largest previous- or next-token share. ``sink``: the head with the largest
    [CLS] or [SEP] share. ``other``: among heads without a positional habit, the one whose
    strongest link for the focus is to another word than ``link``'s, with the largest such
    weight (None if every such head agrees).
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


def story_heads(example: WorkedExample) -> StoryHeads:
    """The heads the trained chapters show for ``example`` (see :class:`StoryHeads`).

    Examples
    --------
    >>> from attention.example import worked_example
    >>> heads = story_heads(worked_example())
    >>> heads.link.layer, heads.link.head in (0, 1)
    (0, True)
    """
    patterns = head_patterns(example)
    flat = [p for layer in patterns for p in layer]
    unplaced = [p for p in flat if p.habit not in _POSITIONAL] or flat
    link = max(unplaced, key=lambda p: p.link[1])
    positional = max(flat, key=lambda p: max(p.shares["previous"], p.shares["next"]))
    sink = max(flat, key=lambda p: max(p.shares["start"], p.shares["end"]))
    words = example.record.tokens.words
    said = words[link.link[0]].casefold()  # "the" twice is one word to a listener
    others = [p for p in unplaced if words[p.link[0]].casefold() != said]
    other = max(others, key=lambda p: p.link[1]) if others else None
    return StoryHeads(link, positional, sink, other, patterns)


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


def _positional_phrase(p: HeadPattern) -> str:
    kind = p.stronger("previous", "next")
    share = _shown(p.shares[kind])
    if p.habit == kind:
        return (f"{_head_name(p)} looks at the {kind} token: {share} of its weight on "
                "average")  # fmt: skip
    return (f"no head locks onto a neighbour here; the closest, {_head_name(p)}, gives the "
            f"{kind} token {share}")  # fmt: skip


def _sink_phrase(p: HeadPattern, count: int, total: int) -> str:
    side = p.stronger("start", "end")
    where, share = HABITS[side], _shown(p.shares[side])
    if count == 0:
        return (f"no head parks half its weight on [CLS] or [SEP]; the closest, "
                f"{_head_name(p)}, gives {where} {share}")  # fmt: skip
    if count == 1:
        return (f"one head of {total} parks at least half its weight on [CLS] or [SEP]: "
                f"{_head_name(p)}, where {where} takes {share}")  # fmt: skip
    return (f"{quantifier(count, total)} heads, {count} of {total}, park at least half their "
            f"weight on [CLS] or [SEP]; in {_head_name(p)}, {where} takes {share}")  # fmt: skip


def trained_values(example: WorkedExample) -> dict[str, str]:
    """Every trained-model placeholder, formatted as the screen shows it.

    Examples
    --------
    >>> from attention.example import worked_example
    >>> v = trained_values(worked_example("The bank of the river flooded", "bank", "minilm"))
    >>> v["n_all_heads"], v["link_word"]
    ('72', 'river')
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
        "positional": _capitalised(_positional_phrase(heads.positional)),
        "sinks": _capitalised(_sink_phrase(heads.sink, sinks, total)),
        "n_sink_heads": str(sinks),
        "n_mixed_heads": str(mixed),
        "mixed_quantifier": _capitalised(quantifier(mixed, total)),
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


def _disagreement(example: WorkedExample, heads: StoryHeads) -> str:
    """Two heads linking the focus to two different words, or that none disagree."""
    words, link, other = example.record.tokens.words, heads.link, heads.other
    first = f"in {_head_name(link)}, {example.focus} links most to {words[link.link[0]]}"
    if other is None:
        return f"{first}, and every other head that links words agrees"
    return f"{first}; in {_head_name(other)}, to {words[other.link[0]]}"


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
    "link_layer": "the story head's layer, from 1: among heads without a positional habit, "
    "the one where the focus gives another word the most weight",
    "link_head": "the story head, from 1",
    "link_word": "the word the focus gives the most weight in the story head (pieces summed)",
    "link_weight": "that weight, 2 decimals",
    "link_top_token": "the token the focus gives the most weight in the story head",
    "link_top_weight": "that weight, 2 decimals, as the weight row shows it",
    "link_blend": "what the story head's output for the focus is made of, true to that "
    "weight: 'mostly what big carries' (0.5 or more), else 'a mix, the largest part from big'",
    "positional": "a sentence (capitalised) about the strongest previous- or next-token head, "
    f"true of its share (a habit needs {THRESHOLD} or more)",
    "sinks": "a sentence (capitalised) counting the heads that park half their weight or more "
    "on [CLS] or [SEP], with the strongest one's share",
    "n_sink_heads": "that count",
    "n_mixed_heads": "heads with no habit of half their weight (mixed)",
    "mixed_quantifier": "Most, Many, Some or No: true of n_mixed_heads out of n_all_heads",
    "disagreement": "two heads linking the focus to two different words: 'In layer 3, head 2, "
    "it links most to big; in layer 4, head 2, to trophy'",
    "n_tokens_2": "twice the number of tokens",
    "n_tokens_4": "four times the number of tokens",
    "cells_n": "query-key scores for the sentence's tokens (n squared)",
    "cells_2n": "scores for twice the tokens",
    "cells_4n": "scores for four times the tokens",
    "other_layer": "a second head, from 1: where the focus's strongest word link is to "
    "another word than in the story head",
    "other_head": "that head, from 1",
    "other_word": "the word the focus links to most there",
}
