"""What the trained-model narration claims is true of the computed numbers, for any sentence.

Each phrase the narration says (``positional``, ``sinks``, ``no_habit``, ``links``,
``spread``, ``disagreement`` and the story head's numbers) is parsed with a regular
expression that must match the whole phrase, one per branch, and every claim in it is
recomputed here from the model's raw attention weights by ``tests/head_truth.py``'s loops
and the documented rules, never through ``attention.story.patterns`` or
``attention.story.head_story`` and the modules that word its phrases.
The claims are checked over the seeds' sentences (the ones users type first), sentences of
the story corpus and random ones, and every branch of every phrase is reached by heads
whose weights are made here to reach it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from head_truth import Head, Truth, quantifier_holds, truth_of
from helpers import nearest

from attention.story.placeholders import narration_values
from attention.worked.example import WorkedExample, worked_example
from explainer.plan.script import load_script
from scenes.scripts import LECTURE_SCRIPT, PROJECT_ROOT

TRAINED_SCRIPT = PROJECT_ROOT / "scripts" / "trained-model.toml"

SEEDS = [
    # /work/shared/seeds: the examples of the pages users come from, typed first
    ("The trophy didn't fit in the suitcase because it was too big", "it"),
    ("The trophy didn't fit in the suitcase because it was too small", "it"),
    ("The animal didn't cross the street because it was too tired", "it"),
    ("The agent paid the merchant after checking its budget", "its"),
    ("The bank of the river flooded", "bank"),
    ("The bank by the river", "bank"),
    ("river bank flooded.", "bank"),
    ("She deposited money in the bank", "bank"),
    ("the hot dog was delicious", "dog"),
    ("the hot dog was", "dog"),
    ("the dog was", "dog"),
    ("the bat hit the ball", "bat"),
    ("The cat sat on the mat", None),
    ("Attention Is All You Need", None),
    ("river bank flooded.", None),
    ("Unbelievably, the embeddings were tokenized into subwords", None),
    # from tests/test_story_corpus.py: a verb, a noun, a pronoun, sixteen words
    ("The dog chased the ball in the park", "chased"),
    ("The tired horse drank cold water", "water"),
    ("The man bought a car because he needed it", "he"),
    ("The tired old farmer slowly carried the heavy wooden box across the muddy field to town",
     "carried"),
]  # fmt: skip
WORDS = [
    "the", "a", "cat", "dog", "sat", "ran", "bank", "river", "money", "it", "was", "big",
    "small", "because", "trophy", "suitcase", "fit", "quickly", "old", "farmer", "watched",
    "tokenized", "unbelievably", "and", "of", "in", "on", "happy", "sad", ",", ".", "!",
]  # fmt: skip


def _random_sentences(count: int, seed: int = 11) -> list[tuple[str, None]]:
    rng = random.Random(seed)
    return [(" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 16))), None)
            for _ in range(count)]  # fmt: skip


CORPUS = SEEDS + _random_sentences(8)
TOTAL = 72
NUMBER = r"(\d+\.\d\d)"
HEAD = r"layer (\d+), head (\d+)"


def truth(example: WorkedExample) -> Truth:
    """Every head of ``example`` recomputed from its raw weights (the record's array)."""
    tokens = example.record.tokens
    return truth_of(np.asarray(example.attention).tolist(), tokens.tokens, tokens.word_of,
                    tokens.words, example.focus_index)  # fmt: skip


def whole(pattern: str, text: str) -> re.Match[str] | None:
    return re.fullmatch(pattern, text)


def heads_said(phrase: str) -> int:
    """ "No head" 0, "one head" 1, "12 heads" 12."""
    word = phrase.split()[0].lower()
    return {"no": 0, "one": 1}.get(word, int(word) if word.isdigit() else -1)


def named(t: Truth, match: re.Match[str], first: int) -> Head:
    return t.at(int(match[first]), int(match[first + 1]))


# -- each phrase: its branches, each claim recomputed; returns the branch it took ----------


def check_positional(said: dict[str, str], t: Truth, _: WorkedExample) -> str:
    text = said["positional"]
    closest = max(t.heads, key=lambda h: max(h.shares["previous"], h.shares["next"]))
    neighbours = [h for h in t.heads if h.habit in ("previous", "next")]
    if m := whole(rf"No head puts more than half its weight on the previous token, or on the "
                  rf"next; the closest, {HEAD}, gives the (previous|next) token {NUMBER} of its "
                  r"weight", text):  # fmt: skip
        assert not neighbours
        branch, p, kind, number = "none", named(t, m, 1), m[3], m[4]
        best = max(closest.shares["previous"], closest.shares["next"])
    else:
        m = whole(rf"(No head|One head|\d+ heads) (puts|put) more than half (its|their) weight "
                  rf"on the previous token, and (no head|one head|\d+ heads) on the next; in "
                  rf"{HEAD}, the (previous|next) token takes {NUMBER}", text)  # fmt: skip
        assert m, text
        assert heads_said(m[1]) == t.count("previous")
        assert heads_said(m[4]) == t.count("next")
        assert (m[2], m[3]) == (("puts", "its") if t.count("previous") < 2 else ("put", "their"))
        branch, p, kind, number = "some", named(t, m, 5), m[7], m[8]
        assert p.habit in ("previous", "next")
        best = max(max(h.shares["previous"], h.shares["next"]) for h in neighbours)
    assert max(p.shares["previous"], p.shares["next"]) == best  # the strongest is named
    assert kind == ("previous" if p.shares["previous"] >= p.shares["next"] else "next")
    assert number == nearest(p.shares[kind], 2)
    return f"positional {branch}"


def check_sinks(said: dict[str, str], t: Truth, _: WorkedExample) -> str:
    text = said["sinks"]
    strongest = max(h.shares["sink"] for h in t.heads)
    # the words' criterion and the habit's are one: no head is a sink by one and not the other
    assert t.sinks == t.count("sink")
    assert said["n_sink_heads"] == str(t.sinks)
    where = r"on \[CLS\] and \[SEP\]"
    if m := whole(rf"No head puts more than half its weight {where}; the closest, {HEAD}, "
                  rf"gives them {NUMBER}", text):  # fmt: skip
        branch, count, p, number = "0", 0, named(t, m, 1), m[3]
    elif m := whole(rf"One head of {TOTAL} parks more than half its weight {where}: {HEAD}, "
                    rf"where they take {NUMBER}", text):  # fmt: skip
        branch, count, p, number = "1", 1, named(t, m, 1), m[3]
    else:
        m = whole(rf"(Most|Many|Some) heads, (\d+) of {TOTAL}, park more than half their weight "
                  rf"{where}; in {HEAD}, they take {NUMBER}", text)  # fmt: skip
        assert m, text
        assert quantifier_holds(m[1], int(m[2]), TOTAL)
        branch, count, p, number = "n", int(m[2]), named(t, m, 3), m[5]
    assert count == t.sinks
    assert p.shares["sink"] == strongest
    assert number == nearest(strongest, 2)
    return f"sinks {branch}"


def check_no_habit(said: dict[str, str], t: Truth, _: WorkedExample) -> str:
    text, mixed = said["no_habit"], len(t.mixed)
    assert said["n_mixed_heads"] == str(mixed)
    assert quantifier_holds(said["mixed_quantifier"], mixed, TOTAL)
    rest = "no one kind of token takes more than half"
    if whole("Every head here has a habit: one kind of token takes more than half its weight",
             text):  # fmt: skip
        assert mixed == 0
        return "no_habit 0"
    if whole(rf"One head of {TOTAL} follows no single habit here: {rest} its weight", text):
        assert mixed == 1
        return "no_habit 1"
    m = whole(rf"(Most|Many|Some) heads, (\d+) of {TOTAL}, follow no single habit here: {rest} "
              "their weight", text)  # fmt: skip
    assert m, text
    assert int(m[2]) == mixed
    assert quantifier_holds(m[1], mixed, TOTAL)
    return "no_habit n"


LINK = "a third of its weight or more, more than any other word gets"


def check_links(said: dict[str, str], t: Truth, example: WorkedExample) -> str:
    text, focus, mixed = said["links"], example.focus, t.mixed
    linking = [h for h in mixed if h.links]
    assert said["n_link_heads"] == str(len(linking))
    if m := whole(rf"The head followed here, {HEAD}, has one too; there, (.+) gives {NUMBER} "
                  r"to (.+)", text):  # fmt: skip
        assert not mixed
        branch, p, name, number, word = "nomix", named(t, m, 1), m[3], m[4], m[5]
        assert p.link_weight == max(h.link_weight for h in t.heads)
    elif m := whole(rf"In none of (it|them) does (.+) give one other word {LINK}; its largest "
                    rf"share for another word is in {HEAD}: {NUMBER}, to (.+)", text):  # fmt: skip
        assert mixed
        assert not linking
        assert (m[1] == "it") == (len(mixed) == 1)
        branch, p, name, number, word = "none", named(t, m, 3), m[2], m[5], m[6]
        assert p.habit == "mixed"
        assert p.link_weight == max(h.link_weight for h in mixed)
    elif m := whole(rf"(In it|In one of them), {HEAD}, (.+) gives one other word {LINK}: "
                    rf"{NUMBER} to (.+)", text):  # fmt: skip
        assert len(linking) == 1
        assert (m[1] == "In it") == (len(mixed) == 1)
        branch, p, name, number, word = "one", named(t, m, 2), m[4], m[5], m[6]
        assert p is linking[0]
    else:
        m = whole(rf"In (\d+) of them, (.+) gives one other word {LINK}; the most in {HEAD}: "
                  rf"{NUMBER} to (.+)", text)  # fmt: skip
        assert m, text
        assert int(m[1]) == len(linking) >= 2
        branch, p, name, number, word = "many", named(t, m, 3), m[2], m[5], m[6]
        assert p.links
        assert p.habit == "mixed"
        assert p.link_weight == max(h.link_weight for h in linking)
    assert name == focus
    assert number == nearest(p.link_weight, 2)
    assert word == t.words[p.link_word]
    assert (p.layer + 1, p.head + 1) == (int(said["link_layer"]), int(said["link_head"]))
    return f"links {branch}"


def check_spread(said: dict[str, str], t: Truth, _: WorkedExample) -> str:
    text, mixed = said["spread"], len(t.mixed)
    spread = sum(h.spread for h in t.heads)
    assert said["n_spread_heads"] == str(spread)
    if whole("Here every head has a habit, on this sentence", text):
        assert mixed == 0
        return "spread 0"
    one = rf"One head here, of {TOTAL}, follows"
    some = rf"(Most|Many|Some) heads here, (\d+) of {TOTAL}, follow"
    prefix = whole(rf"(?:{one}|{some}) no single habit[,;] .*", text)
    assert prefix, text
    if prefix[2]:
        assert int(prefix[2]) == mixed
        assert quantifier_holds(prefix[1], mixed, TOTAL)
    else:
        assert mixed == 1
    rest = text[text.index("no single habit") + len("no single habit") :]
    if m := whole(r", and (it|each of them) spreads its weight: a row's largest weight is under "
                  "half, on average", rest):  # fmt: skip
        assert spread == mixed
        assert (m[1] == "it") == (mixed == 1)
        return "spread all"
    if m := whole(r", though in (it|each of them) a row's largest weight is half or more, on "
                  "average", rest):  # fmt: skip
        assert spread == 0
        assert (m[1] == "it") == (mixed == 1)
        return "spread none"
    m = whole(r"; (one of them spreads its|(\d+) of them spread their) weight, a row's largest "
              "weight under half on average", rest)  # fmt: skip
    assert m, text
    assert 0 < spread < mixed
    assert spread == (int(m[2]) if m[2] else 1)
    return "spread some"


def check_disagreement(said: dict[str, str], t: Truth, example: WorkedExample) -> str:
    text, focus, story = said["disagreement"], example.focus, t.story
    if m := whole(rf"In {HEAD}, no other word takes a third of (.+)'s weight and more than the "
                  r"rest; its largest share for another word goes to (.+)", text):  # fmt: skip
        p = named(t, m, 1)
        assert p is story
        assert not p.links
        assert m[3] == focus
        assert m[4] == t.words[p.link_word]
        return "disagreement nolink"
    if m := whole(rf"In {HEAD}, (.+) links most to (.+), and every other head that links it to "
                  "a word agrees", text):  # fmt: skip
        p = named(t, m, 1)
        assert p is story
        assert p.links
        assert m[3] == focus
        assert m[4] == t.words[p.link_word]
        said_word = m[4].casefold()
        assert all(t.words[h.link_word].casefold() == said_word for h in t.heads if h.links)
        return "disagreement agree"
    m = whole(rf"In {HEAD}, (.+) links most to (.+); in {HEAD}, to (.+)", text)
    assert m, text
    first, second = named(t, m, 1), named(t, m, 5)
    assert first is story
    assert m[3] == focus
    for p, word in ((first, m[4]), (second, m[7])):
        assert p.links
        assert t.words[p.link_word] == word
    assert m[4].casefold() != m[7].casefold()
    return "disagreement two"


def check_story_head(said: dict[str, str], t: Truth, example: WorkedExample) -> str:
    """The head RealHead follows: the documented rule, never a head with a habit while a
    head without one exists; the weight row's numbers the voice says."""
    p = t.at(int(said["link_layer"]), int(said["link_head"]))
    assert p is t.story
    assert p.habit == "mixed" or not t.mixed
    assert said["link_word"] == t.words[p.link_word]
    assert said["link_weight"] == nearest(p.link_weight, 2)
    row = np.asarray(example.attention)[p.layer, p.head, example.focus_index].tolist()
    top = max(range(len(row)), key=lambda j: row[j])
    assert said["link_top_token"] == example.tokens[top]
    assert said["link_top_weight"] == nearest(row[top], 2)
    assert said["link_blend"].startswith("mostly") == (row[top] >= 0.5)
    return "story"


CHECKS: list[Callable[[dict[str, str], Truth, WorkedExample], str]] = [
    check_positional, check_sinks, check_no_habit, check_links, check_spread,
    check_disagreement, check_story_head,
]  # fmt: skip
BRANCHES = {
    "positional none", "positional some", "sinks 0", "sinks 1", "sinks n", "no_habit 0",
    "no_habit 1", "no_habit n", "links nomix", "links none", "links one", "links many",
    "spread 0", "spread all", "spread none", "spread some", "disagreement nolink",
    "disagreement agree", "disagreement two", "story",
}  # fmt: skip


@pytest.mark.parametrize(("sentence", "focus"), CORPUS, ids=[s[:40] for s, _ in CORPUS])
def test_every_claim_of_the_narration_is_true_of_the_weights(sentence: str, focus: str) -> None:
    example = worked_example(sentence, focus, model="minilm")
    said, t = narration_values(example), truth(example)
    assert said["n_all_heads"] == str(len(t.heads)) == str(TOTAL)
    for check in CHECKS:
        check(said, t, example)


# -- every branch, reached by heads whose weights are made to reach it ---------------------

BASE = ("The cat sat on the mat", "sat")  # [CLS] the cat sat on the mat [SEP]: n = 8


def _head(kind: str, n: int, focus: int, word_token: int = 2) -> np.ndarray:
    """A weight matrix of one kind: uniform, sink ([CLS]), previous, next, link (the focus
    row on one token, the rest uniform) or peaked (every row 0.9 on one far word)."""
    w = np.full((n, n), 1.0 / n)
    if kind == "sink":
        w = np.zeros((n, n))
        w[:, 0] = 1.0
    elif kind in ("previous", "next"):
        w = np.zeros((n, n))
        for i in range(n):
            j = i - 1 if kind == "previous" else i + 1
            w[i, j if 0 <= j < n else i] = 1.0
    elif kind == "link":
        w[focus] = 0.0
        w[focus, word_token] = 1.0
    elif kind == "peaked":
        w = np.full((n, n), 0.1 / (n - 1))
        for i in range(n):
            w[i, 2 if i not in (1, 2, 3) else 6] = 0.9  # "cat", or "mat" near cat
    return w


def _made(kinds: list[str], rest: str) -> WorkedExample:
    """The base example with its 72 heads' weights replaced: ``kinds`` first, then ``rest``."""
    example = worked_example(BASE[0], BASE[1], model="minilm")
    n, f = example.n_tokens, example.focus_index
    plan = [*kinds, *[rest] * (TOTAL - len(kinds))]
    made = []
    for kind in plan:
        name, _, token = kind.partition(":")
        made.append(_head(name, n, f, int(token) if token else 2))
    weights = np.asarray(made).reshape(6, 12, n, n)
    layers = tuple(replace(layer, weights=weights[k])
                   for k, layer in enumerate(example.record.layers))  # fmt: skip
    return replace(example, record=replace(example.record, layers=layers))


SCENARIOS = {
    "all uniform": ([], "uniform"),
    "one sink": (["sink"], "uniform"),
    "one link, the rest sinks": (["link:2"], "sink"),
    "every head a sink": ([], "sink"),
    "two links to two words": (["link:2", "link:6"], "sink"),
    "peaked and one uniform": (["peaked", "peaked", "peaked", "uniform"], "sink"),
    "peaked only": (["peaked", "peaked"], "sink"),
    "one peaked": (["peaked"], "sink"),
    "neighbours": (["previous", "previous", "next"], "uniform"),
    "one link among mixed": (["link:2", "uniform"], "sink"),
}


def test_every_branch_of_every_phrase_is_reached_and_true() -> None:
    reached = set()
    for name, (kinds, rest) in SCENARIOS.items():
        example = _made(kinds, rest)
        said, t = narration_values(example), truth(example)
        for check in CHECKS:
            try:
                reached.add(check(said, t, example))
            except AssertionError as error:
                raise AssertionError(f"{name}: {check.__name__}: {error}") from error
    real = worked_example(*SEEDS[0], model="minilm")
    reached |= {check(narration_values(real), truth(real), real) for check in CHECKS}
    assert reached == BRANCHES


def test_a_phrase_no_branch_matches_fails() -> None:
    example = worked_example(*SEEDS[0], model="minilm")
    said, t = narration_values(example), truth(example)
    for key, check in (("sinks", check_sinks), ("links", check_links),
                       ("disagreement", check_disagreement)):  # fmt: skip
        with pytest.raises(AssertionError):
            check({**said, key: said[key].replace("layer", "stratum")}, t, example)


# -- the scripts say the phrases, not fixed claims ------------------------------------------

PHRASES = {
    "positional": "{positional}", "sinks": "{sinks}", "link": "{links}",
    "not_explanations": "{disagreement}", "not_concepts": "{spread}",
}  # fmt: skip


@pytest.mark.parametrize("path", [TRAINED_SCRIPT, LECTURE_SCRIPT], ids=["trained", "lecture"])
def test_the_trained_chapters_say_the_measured_phrases(path: object) -> None:
    model = "minilm" if path == TRAINED_SCRIPT else None  # the lecture's own chapters: hand
    script = load_script(path, sentence="river bank flooded.", focus="bank", model=model)
    example = worked_example("river bank flooded.", "bank", model="minilm")
    values = narration_values(example)
    beats = {(plan.class_name, beat.id): beat.text for plan in script.scenes
             for beat in plan.beats}  # fmt: skip
    for (chapter, beat_id), text in beats.items():
        if chapter not in ("TrainedHeads", "Caveats") or beat_id not in PHRASES:
            continue
        if chapter == "Caveats" and path == LECTURE_SCRIPT:
            continue  # the lecture's caveats are the designed model's
        phrase = PHRASES[beat_id][1:-1]
        assert values[phrase] in text, (beat_id, text)
        # nothing said besides the phrases claims a count or a spread
        rest = text.replace(values[phrase], "").replace(values.get("no_habit", ""), "")
        for claim in ("Some heads", "some heads", "spread their weight", "link words"):
            assert claim not in rest, (beat_id, text)


def test_every_trained_placeholder_is_documented() -> None:
    from attention.story.trained_placeholders import TRAINED_PLACEHOLDERS

    values = narration_values(worked_example("The cat sat on the mat", model="minilm"))
    assert set(values) == set(TRAINED_PLACEHOLDERS)
    assert all(text.strip() for text in TRAINED_PLACEHOLDERS.values())
