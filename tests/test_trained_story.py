"""What the trained-model narration claims is true of the computed numbers, for any sentence.

Each claim is recomputed here from the model's attention weights with plain loops and the
documented rule (a head's habit is the kind of token that holds at least half of its weight,
averaged over its rows; none: mixed), independently of ``attention.patterns`` and
``attention.head_story``, over the seeds' sentences and random ones.
"""

from __future__ import annotations

import random
import re

import pytest
from helpers import nearest

from attention.example import worked_example
from attention.placeholders import narration_values
from attention.rounding import format_number

SEEDS = [
    ("The trophy didn't fit in the suitcase because it was too big", "it"),
    ("The trophy didn't fit in the suitcase because it was too small", "it"),
    ("The animal didn't cross the street because it was too tired", "it"),
    ("The bank of the river flooded", "bank"),
    ("The bank by the river", "bank"),
    ("She deposited money in the bank", "bank"),
    ("the hot dog was delicious", "dog"),
    ("the bat hit the ball", "bat"),
    ("The cat sat on the mat", None),
    ("Attention Is All You Need", None),
    ("river bank flooded.", None),
    ("Unbelievably, the embeddings were tokenized into subwords", None),
]
WORDS = [
    "the", "a", "cat", "dog", "sat", "ran", "bank", "river", "money", "it", "was", "big",
    "small", "because", "trophy", "suitcase", "fit", "quickly", "old", "farmer", "watched",
    "tokenized", "unbelievably", "and", "of", "in", "on", "happy", "sad",
]  # fmt: skip


def _random_sentences(count: int, seed: int = 11) -> list[tuple[str, None]]:
    rng = random.Random(seed)
    return [(" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 16))), None)
            for _ in range(count)]  # fmt: skip


CORPUS = SEEDS + _random_sentences(8)


def _measures(w: list[list[float]], word_of: tuple[int | None, ...]) -> dict[str, float]:
    """A head's mean weights, by loops: previous, next, self, start, end, punctuation."""
    n = len(w)
    worded = [j for j in range(n) if word_of[j] is not None]
    start = [j for j in range(n) if word_of[j] is None and j < worded[0]]
    end = [j for j in range(n) if word_of[j] is None and j > worded[-1]]
    marks = [j for j in range(n) if word_of[j] is None and worded[0] < j < worded[-1]]
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return {
        "previous": mean([w[i][i - 1] for i in range(1, n)]),
        "next": mean([w[i][i + 1] for i in range(n - 1)]),
        "self": mean([w[i][i] for i in range(n)]),
        "start": mean([sum(w[i][j] for j in start) for i in range(n)]),
        "end": mean([sum(w[i][j] for j in end) for i in range(n)]),
        "punctuation": mean([sum(w[i][j] for j in marks) for i in range(n)]),
    }


def _habit(m: dict[str, float]) -> str:
    best = max(m, key=lambda k: m[k])
    return best if m[best] >= 0.5 else "mixed"


@pytest.fixture(scope="module", params=CORPUS, ids=lambda c: c[0][:40])
def told(request: pytest.FixtureRequest) -> tuple:
    sentence, focus = request.param
    example = worked_example(sentence, focus, model="minilm")
    tokens = example.record.tokens
    heads = {
        (layer, h): example.attention[layer, h].tolist()
        for layer in range(example.n_layers) for h in range(example.n_heads)
    }  # fmt: skip
    measures = {key: _measures(w, tokens.word_of) for key, w in heads.items()}
    return example, narration_values(example), heads, measures


def _word_weights(example, w_row: list[float]) -> list[float]:  # noqa: ANN001
    tokens = example.record.tokens
    return [sum(w_row[j] for j in range(len(w_row)) if tokens.word_of[j] == word)
            for word in range(len(tokens.words))]  # fmt: skip


def test_the_counts_said_are_the_heads_counted(told: tuple) -> None:
    example, said, _, measures = told
    habits = [_habit(m) for m in measures.values()]
    assert said["n_all_heads"] == str(len(habits)) == "72"
    assert said["n_mixed_heads"] == str(habits.count("mixed"))
    sinks = habits.count("start") + habits.count("end")
    assert said["n_sink_heads"] == str(sinks)
    mixed = habits.count("mixed")
    word = said["mixed_quantifier"].lower()
    truth = {"most": mixed * 2 > 72, "many": 18 <= mixed <= 36, "some": 0 < mixed < 18,
             "no": mixed == 0}  # fmt: skip
    assert truth[word], (word, mixed)


def test_the_positional_head_named_is_the_strongest_and_its_share_is_said(told: tuple) -> None:
    _, said, _, measures = told
    found = re.search(r"layer (\d+), head (\d+)", said["positional"], re.I)
    assert found
    key = (int(found[1]) - 1, int(found[2]) - 1)
    strongest = max(measures.values(), key=lambda m: max(m["previous"], m["next"]))
    m = measures[key]
    assert max(m["previous"], m["next"]) == max(strongest["previous"], strongest["next"])
    kind = "previous" if m["previous"] >= m["next"] else "next"
    assert f"the {kind} token" in said["positional"]
    assert format_number(m[kind], 2) in said["positional"]
    # "looks at" only for a real habit; otherwise the sentence says no head locks on
    assert ("looks at" in said["positional"]) == (m[kind] >= 0.5)


def test_the_sink_sentence_counts_and_names_the_strongest_sink(told: tuple) -> None:
    _, said, _, measures = told
    found = re.search(r"layer (\d+), head (\d+)", said["sinks"], re.I)
    assert found
    m = measures[(int(found[1]) - 1, int(found[2]) - 1)]
    best = max(max(x["start"], x["end"]) for x in measures.values())
    assert max(m["start"], m["end"]) == best
    assert format_number(best, 2) in said["sinks"]
    count = sum(_habit(x) in ("start", "end") for x in measures.values())
    if count > 1:
        assert f"{count} of 72" in said["sinks"]


def test_the_story_head_is_the_strongest_word_link_outside_positional_heads(
    told: tuple,
) -> None:
    example, said, heads, measures = told
    tokens = example.record.tokens
    f, focus_word = example.focus_index, tokens.word_of[example.focus_index]

    def link(key: tuple[int, int]) -> tuple[float, int]:
        weights = _word_weights(example, heads[key][f])
        others = [(w, i) for i, w in enumerate(weights) if i != focus_word]
        return max(others)

    candidates = [k for k in heads if _habit(measures[k]) not in ("previous", "next", "self")]
    best = max(link(k)[0] for k in candidates)
    key = (int(said["link_layer"]) - 1, int(said["link_head"]) - 1)
    weight, word = link(key)
    assert weight == best
    assert said["link_word"] == tokens.words[word]
    assert said["link_weight"] == format_number(weight, 2)
    row = heads[key][f]
    top = max(range(len(row)), key=lambda j: row[j])
    assert said["link_top_token"] == example.tokens[top]
    assert said["link_top_weight"] == nearest(row[top], 2)
    assert said["link_blend"].startswith("mostly") == (row[top] >= 0.5)


def test_the_two_heads_said_to_disagree_do(told: tuple) -> None:
    example, said, heads, _ = told
    tokens = example.record.tokens
    f = example.focus_index
    named = re.findall(r"layer (\d+), head (\d+), (?:\S+ links most )?to ([^;,]+)", said[
        "disagreement"], re.I)  # fmt: skip
    for layer, head, word in named:
        weights = _word_weights(example, heads[(int(layer) - 1, int(head) - 1)][f])
        focus_word = tokens.word_of[f]
        best = max((w, i) for i, w in enumerate(weights) if i != focus_word)[1]
        assert tokens.words[best] == word.strip()
    if len(named) == 2:
        assert named[0][2].casefold() != named[1][2].casefold()


def test_every_trained_placeholder_is_documented() -> None:
    from attention.head_story import TRAINED_PLACEHOLDERS

    values = narration_values(worked_example("The cat sat on the mat", model="minilm"))
    assert set(values) == set(TRAINED_PLACEHOLDERS)
    assert all(text.strip() for text in TRAINED_PLACEHOLDERS.values())
