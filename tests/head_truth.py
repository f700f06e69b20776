"""What a trained model's heads do on a sentence, recomputed by loops from the raw weights.

Independent of ``attention.story.patterns`` and ``attention.story.head_story``: only the documented
rules (README, "A trained model"), written again here with plain Python over nested lists.

- Each weight ``w[i][j]`` of a head goes to one kind of token: [CLS] or [SEP] (the model's
  own), else the token before ``i``, the token after it, ``i`` itself, punctuation (any
  other token of no word), another word.
  A kind's share is the sum of its weights over the head's ``n`` rows, divided by ``n``.
- A habit: previous, next, self, sink ([CLS] and [SEP] together) or punctuation, with
  more than half. No habit: mixed. Spread: mixed, and a row's largest weight averages
  under half.
- A link of the focus: the other word (pieces summed) it gives the most, with a third of
  its row or more and more than any other word, its own word or a punctuation token.
"""

from __future__ import annotations

from dataclasses import dataclass

HABIT_KINDS = ("previous", "next", "self", "sink", "punctuation")


MODEL_TOKENS = ("[CLS]", "[SEP]")  # what the model adds to every sentence


def _kind(i: int, j: int, tokens: tuple[str, ...], word_of: tuple[int | None, ...]) -> str:
    if tokens[j] in MODEL_TOKENS:
        return "sink"
    if j == i - 1:
        return "previous"
    if j == i + 1:
        return "next"
    if j == i:
        return "self"
    return "punctuation" if word_of[j] is None else "words"


@dataclass(frozen=True)
class Head:
    """One head, recomputed: its shares, habit, peak and the focus's link."""

    layer: int
    head: int
    shares: dict[str, float]
    peak: float
    link_word: int  # the other word the focus gives the most
    link_weight: float
    links: bool  # a third or more, and more than every rival

    @property
    def habit(self) -> str:
        over = [k for k in HABIT_KINDS if self.shares[k] > 0.5]
        assert len(over) <= 1, (self.layer, self.head, over)  # the parts are disjoint
        return over[0] if over else "mixed"

    @property
    def spread(self) -> bool:
        return self.habit == "mixed" and self.peak < 0.5

    @property
    def name(self) -> str:
        return f"layer {self.layer + 1}, head {self.head + 1}"


def measure_head(
    layer: int, head: int, w: list[list[float]], tokens: tuple[str, ...],
    word_of: tuple[int | None, ...], focus: int,
) -> Head:  # fmt: skip
    """One head's truth from its weight matrix ``w`` (rows = queries)."""
    n = len(w)
    shares = {k: 0.0 for k in (*HABIT_KINDS, "words")}
    for i in range(n):
        for j in range(n):
            shares[_kind(i, j, tokens, word_of)] += w[i][j] / n
    peak = sum(max(row) for row in w) / n
    row = w[focus]
    n_words = 1 + max(x for x in word_of if x is not None)
    per_word = [sum(row[j] for j in range(n) if word_of[j] == word) for word in range(n_words)]
    own = word_of[focus]
    # the most first; of equal weights, the first word
    others = sorted(((per_word[x], x) for x in range(n_words) if x != own),
                    key=lambda pair: (-pair[0], pair[1]))  # fmt: skip
    weight, word = others[0]
    marks = [row[j] for j in range(n) if word_of[j] is None and tokens[j] not in MODEL_TOKENS]
    rivals = [v for v, _ in others[1:]] + [per_word[own] if own is not None else 0.0] + marks
    links = weight >= 1 / 3 and all(weight > r for r in rivals)
    return Head(layer, head, shares, peak, word, weight, links)


@dataclass(frozen=True)
class Truth:
    """Every head of a sentence, recomputed, and what the narration may claim of them."""

    heads: list[Head]
    words: tuple[str, ...]

    def count(self, habit: str) -> int:
        return sum(h.habit == habit for h in self.heads)

    @property
    def mixed(self) -> list[Head]:
        return [h for h in self.heads if h.habit == "mixed"]

    @property
    def sinks(self) -> int:
        """Heads with more than half their weight on [CLS] and [SEP], whatever else."""
        return sum(h.shares["sink"] > 0.5 for h in self.heads)

    @property
    def story(self) -> Head:
        """The story head by the documented rule."""
        linking = [h for h in self.mixed if h.links]
        return max(linking or self.mixed or self.heads, key=lambda h: h.link_weight)

    def at(self, layer: int, head: int) -> Head:
        """The head spoken as ``layer``, ``head`` (from 1)."""
        found = [h for h in self.heads if (h.layer, h.head) == (layer - 1, head - 1)]
        assert found, (layer, head)
        return found[0]


def truth_of(
    attention: list[list[list[list[float]]]], tokens: tuple[str, ...],
    word_of: tuple[int | None, ...], words: tuple[str, ...], focus: int,
) -> Truth:  # fmt: skip
    """Every head of ``attention`` (nested lists, ``[layer][head][i][j]``)."""
    return Truth(
        [measure_head(layer, h, attention[layer][h], tokens, word_of, focus)
         for layer in range(len(attention)) for h in range(len(attention[layer]))],
        words,
    )  # fmt: skip


def quantifier_holds(word: str, count: int, total: int) -> bool:
    """Whether "most", "many", "some" or "no" is true of ``count`` of ``total``."""
    return {
        "most": count * 2 > total,
        "many": total <= count * 4 and count * 2 <= total,
        "some": count > 0 and count * 4 < total,
        "no": count == 0,
    }[word.lower()]
