"""The trained chapters' sentences, each worded by the numbers it describes.

Every phrase has a branch for every case its counts can take (none, one, some, most): "most
heads" only when more than half do, a habit only of a head where one kind of token takes more
than half of its weight, a link only as :attr:`attention.story.patterns.HeadPattern.links`
defines it. Heads are spoken from 1 (layer 3, head 2).
"""

from __future__ import annotations

from attention.rounding import format_number
from attention.story.head_story import StoryHeads
from attention.story.patterns import HeadPattern, link_count, spread_count
from attention.worked.example import WorkedExample

__all__ = [
    "capitalised",
    "disagreement",
    "head_name",
    "links_phrase",
    "no_habit_phrase",
    "positional_phrase",
    "quantifier",
    "shown_weight",
    "sink_phrase",
    "spread_phrase",
]


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


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def shown_weight(value: float) -> str:
    return format_number(value, 2)


def head_name(p: HeadPattern) -> str:
    return f"layer {p.layer + 1}, head {p.head + 1}"


def _heads(count: int) -> str:
    """ "no head", "one head", "3 heads"."""
    return {0: "no head", 1: "one head"}.get(count, f"{count} heads")


def positional_phrase(p: HeadPattern, n_previous: int, n_next: int) -> str:
    kind = p.stronger("previous", "next")
    share = shown_weight(p.shares[kind])
    if n_previous + n_next == 0:
        return (f"no head puts more than half its weight on the previous token, or on the "
                f"next; the closest, {head_name(p)}, gives the {kind} token {share} of its "
                "weight")  # fmt: skip
    puts, its = ("puts", "its") if n_previous < 2 else ("put", "their")
    return (f"{_heads(n_previous)} {puts} more than half {its} weight on the previous token, "
            f"and {_heads(n_next)} on the next; in {head_name(p)}, the {kind} token takes "
            f"{share}")  # fmt: skip


def sink_phrase(p: HeadPattern, count: int, total: int) -> str:
    share = shown_weight(p.shares["sink"])
    if count == 0:
        return (f"no head puts more than half its weight on [CLS] and [SEP]; the closest, "
                f"{head_name(p)}, gives them {share}")  # fmt: skip
    if count == 1:
        return (f"one head of {total} parks more than half its weight on [CLS] and [SEP]: "
                f"{head_name(p)}, where they take {share}")  # fmt: skip
    return (f"{quantifier(count, total)} heads, {count} of {total}, park more than half their "
            f"weight on [CLS] and [SEP]; in {head_name(p)}, they take {share}")  # fmt: skip


def no_habit_phrase(mixed: int, total: int) -> str:
    if mixed == 0:
        return "every head here has a habit: one kind of token takes more than half its weight"
    if mixed == 1:
        return (f"one head of {total} follows no single habit here: no one kind of token takes "
                "more than half its weight")  # fmt: skip
    return (f"{quantifier(mixed, total)} heads, {mixed} of {total}, follow no single habit "
            "here: no one kind of token takes more than half their weight")  # fmt: skip


# said of a link (patterns.LINK_FLOOR, HeadPattern.links): more than any other word, its own
# and the punctuation marks included
LINK_PHRASE = "a third of its weight or more, more than any other word gets"


def links_phrase(example: WorkedExample, heads: StoryHeads) -> str:
    """The heads with no habit that link the focus to another word, and the strongest."""
    p, focus = heads.link, example.focus
    word, weight = example.record.tokens.words[p.link[0]], shown_weight(p.link[1])
    mixed = heads.mixed
    linking = link_count(heads.patterns)
    if not mixed:
        return (f"the head followed here, {head_name(p)}, has one too; there, {focus} "
                f"gives {weight} to {word}")  # fmt: skip
    among = "it" if len(mixed) == 1 else "them"
    if linking == 0:
        return (f"in none of {among} does {focus} give one other word {LINK_PHRASE}; its largest "
                f"share for another word is in {head_name(p)}: {weight}, to {word}")  # fmt: skip
    if linking == 1:
        where = "in it" if len(mixed) == 1 else "in one of them"
        return (f"{where}, {head_name(p)}, {focus} gives one other word {LINK_PHRASE}: {weight} "
                f"to {word}")  # fmt: skip
    return (f"in {linking} of them, {focus} gives one other word {LINK_PHRASE}; the most in "
            f"{head_name(p)}: {weight} to {word}")  # fmt: skip


def spread_phrase(heads: StoryHeads, total: int) -> str:
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


def disagreement(example: WorkedExample, heads: StoryHeads) -> str:
    """Two heads linking the focus to two different words; that all that link it agree; or
    that the story head links it to none."""
    words, link, other = example.record.tokens.words, heads.link, heads.other
    focus = example.focus
    if not link.links:
        return (f"in {head_name(link)}, no other word takes a third of {focus}'s weight "
                f"and more than the rest; its largest share for another word goes to "
                f"{words[link.link[0]]}")  # fmt: skip
    first = f"in {head_name(link)}, {focus} links most to {words[link.link[0]]}"
    if other is None:
        return f"{first}, and every other head that links it to a word agrees"
    return f"{first}; in {head_name(other)}, to {words[other.link[0]]}"
