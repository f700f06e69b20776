"""The story the video tells is true of the numbers, for sentences a teacher would try.

Each sentence names a focus word and the words it should look at most (head 0, the story
head): a verb its doers, objects and places; a noun its describing words; a pronoun the
nouns it could stand for; an ambiguous word the words that decide its sense. The assertion
is on the computed weights: the focus's strongest attention other than itself is one of the
expected words, and that weight is at least MARGIN times every function word's.

Why 1.5: two weights in one softmax row stand in the ratio e^(difference of their scaled
scores), whatever the sentence's length, so a ratio is the fair test for 3 tokens and for
16 (an absolute gap shrinks like 1/n). At 1.5 the top word's bar in chapter 4 is half again
as tall as any little word's, visible at a glance, and the two show different numbers at
two decimals (asserted too).

Position plays no part in this model (no positional encoding): a noun cannot tell its own
adjective from another noun's, so with two adjectives either is accepted ("tired cold").
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import nearest_row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attention import ExampleError, tokenize, worked_example
from attention.models.wordnet import wordnet_dir
from attention.numbers.recompute import reference_values

MARGIN = 1.5

# Function words of the sentences below, listed here independently of the model's lists.
FUNCTION_WORDS = frozenset(
    ("the", "a", "an", "of", "in", "on", "at", "to", "after", "across", "about", "under",
     "near", "out", "because", "and", "was", "is", "didn't", "it", "its", "he", "she", "they",
     "we", "i", "you", "my", "our", "her", "his", "their", "too")
)  # fmt: skip

CORPUS = [
    # the seeds' examples
    ("The cat sat on the mat", "sat", "cat mat"),
    ("The bank of the river flooded", "bank", "river flooded"),
    ("the hot dog was delicious", "dog", "hot"),
    ("The trophy didn't fit in the suitcase because it was too big", "it", "trophy suitcase"),
    ("The agent paid the merchant after checking its budget", "its", "agent merchant budget"),
    ("The bat hit the ball", "bat", "hit ball"),
    # a verb finds its doers, objects and places
    ("The dog chased the ball in the park", "chased", "dog ball park"),
    ("A farmer planted corn in the field", "planted", "farmer corn field"),
    ("The chef cooked pasta in the kitchen", "cooked", "chef pasta kitchen"),
    ("My sister painted the fence", "painted", "sister fence"),
    ("The children ate cake at the party", "ate", "children cake party"),
    ("The pilot landed the plane at the airport", "landed", "pilot plane airport"),
    ("The bird built a nest in the tree", "built", "bird nest tree"),
    ("She read the letter in the garden", "read", "She letter garden"),
    ("He gave his brother a book", "gave", "He brother book"),
    ("The students wrote essays about the war", "wrote", "students essays war"),
    ("The boy kicked the ball across the street", "kicked", "boy ball street"),
    ("The fisherman caught a fish in the lake", "caught", "fisherman fish lake"),
    ("The nurse helped the patient", "helped", "nurse patient"),
    ("The company hired a new manager", "hired", "company manager"),
    ("A strong wind broke the window", "broke", "wind window"),
    ("The baby slept in the crib", "slept", "baby crib"),
    ("The mouse ate the cheese", "ate", "mouse cheese"),
    ("Tom met Sarah in Paris", "met", "Tom Sarah Paris"),
    ("The musician played the guitar on the stage", "played", "musician guitar stage"),
    ("The soldiers crossed the river at dawn", "crossed", "soldiers river dawn"),
    ("We watched a long movie at the cinema", "watched", "We movie cinema"),
    ("The gardener watered the flowers in the morning", "watered", "gardener flowers morning"),
    ("The waiter brought the soup to our table", "brought", "waiter soup table"),
    ("Alice sent Bob a long letter", "sent", "Alice Bob letter"),
    ("The well-known author signed copies of her new book", "signed", "author copies book"),
    ("Our team won 3 games in 2024", "won", "team games"),
    ("The \U0001f408 sat on the mat", "sat", "mat \U0001f408"),
    ("The storm destroyed the old bridge", "destroyed", "storm bridge"),
    # a noun finds the words that describe it (adjectives, possessives)
    ("The old man fed the pigeons", "man", "old"),
    ("The tired horse drank cold water", "horse", "tired cold"),
    ("The tired horse drank cold water", "water", "cold tired"),
    ("A red car stopped near the school", "car", "red"),
    ("The cat's toy was under the sofa", "toy", "cat's"),
    ("The teacher's car was blue", "car", "teacher's blue"),
    ("The company hired a new manager", "manager", "new"),
    ("The sun warmed the sandy beach", "beach", "sandy"),
    ("The doctor examined the sick child", "child", "sick"),
    ("They found a golden key", "key", "golden"),
    ("The hot coffee burned my tongue", "coffee", "hot"),
    ("The lawyer won the difficult case", "case", "difficult"),
    ("A little bird sang", "bird", "little"),
    ("The storm destroyed the old bridge", "bridge", "old"),
    # a pronoun finds the nouns it could stand for
    ("The girl lost her umbrella", "her", "girl umbrella"),
    ("The man bought a car because he needed it", "he", "man car"),
    ("The dog found the bone and buried it", "it", "bone dog"),
    # an ambiguous word finds the words that decide its sense
    ("The river bank was muddy", "bank", "river muddy"),
    ("river bank flooded", "bank", "river flooded"),
    ("The bat flew out of the dark cave", "bat", "cave dark"),
    # sixteen tokens: the verb still finds who, what and where
    (
        "The tired old farmer slowly carried the heavy wooden box across the muddy field to town",
        "carried",
        "farmer box field town",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "focus", "expected"), CORPUS, ids=[f"{f}: {s}" for s, f, _ in CORPUS]
)
def test_the_focus_looks_at_what_a_reader_expects(sentence: str, focus: str, expected: str) -> None:
    ex = worked_example(sentence, focus)
    f = ex.focus_index
    row = ex.weights[f]
    want = set(expected.split())
    others = [i for i in range(ex.n_tokens) if i != f]
    top = max(others, key=lambda i: row[i])
    assert ex.tokens[top] in want, f"{focus} looks most at {ex.tokens[top]}, not {want}"
    function = [i for i in others
                if ex.tokens[i].lower() in FUNCTION_WORDS and ex.tokens[i] not in want]  # fmt: skip
    shown = [float(t) for t in nearest_row(row)]
    for i in function:
        assert row[top] >= MARGIN * row[i], f"{ex.tokens[top]} vs {ex.tokens[i]}"
        assert shown[top] > shown[i]


# Known limits, kept visible: each would pass the test above if the model were better.
KNOWN_LIMITS = [
    # bank's institution sense is split between agent (noun.group) and thing
    # (noun.possession), and thing-to-thing similarity is kept weak so that a noun prefers its
    # adjective to another noun: loan is on top but only 1.18x the function words.
    ("The bank approved the loan", "bank", "loan approved"),
    ("She deposited money in the bank", "bank", "money deposited"),
]


@pytest.mark.xfail(strict=True, reason="known limit of the hand-designed model")
@pytest.mark.parametrize(("sentence", "focus", "expected"), KNOWN_LIMITS)
def test_known_limits(sentence: str, focus: str, expected: str) -> None:
    test_the_focus_looks_at_what_a_reader_expects(sentence, focus, expected)


def test_the_corpus_is_large_and_has_the_seeds() -> None:
    assert len(CORPUS) >= 40
    sentences = {s for s, _, _ in CORPUS}
    assert "The cat sat on the mat" in sentences
    assert "The agent paid the merchant after checking its budget" in sentences


def test_the_default_video_story() -> None:
    ex = worked_example()
    row = ex.weights[ex.focus_index]
    ranked = [ex.tokens[i] for i in np.argsort(-row, kind="stable") if i != ex.focus_index]
    assert ranked[:2] == ["cat", "mat"]


def test_an_ambiguous_word_moves_toward_its_sense() -> None:
    # bank is part riverside (place) and part institution (agent); next to river, the
    # share of place in what it gathers (head 0's output) is larger than in bank itself.
    ex = worked_example("The bank of the river flooded", "bank")
    place = 1  # head 0's columns: agent, place, thing, quality
    before = ex.v[ex.focus_index] / ex.v[ex.focus_index].sum()
    after = ex.outputs[ex.focus_index] / ex.outputs[ex.focus_index].sum()
    assert after[place] > before[place]


# --- any sentence: builds and verifies, or fails with one line ---


def _lexicon_words() -> list[str]:
    words: list[str] = []
    for pos in ("noun", "verb", "adj", "adv"):
        lines = (wordnet_dir() / f"index.{pos}").read_text(encoding="utf-8").splitlines()
        words += [line.split()[0] for line in lines[29::97] if not line.startswith(" ")]
    return words


LEXICON = _lexicon_words()
ODD = ["\U0001f408", "\u2764\ufe0f", "&", "%", "3.5", "1,000", "didn't", "cat's",
       "Zorblax", "qwzx", "well-known", "The", "it", "it", ",", ".", "!", "?", "--", "'",
       "THE", "I"]  # fmt: skip
tokens = st.one_of(st.sampled_from(LEXICON), st.sampled_from(ODD))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tokens, min_size=1, max_size=17), st.data())
def test_any_sentence_verifies_or_fails_with_one_line(
    words: list[str], data: st.DataObject
) -> None:
    sentence = " ".join(words)
    n = len(tokenize(sentence))
    if not 2 <= n <= 16:
        with pytest.raises(ExampleError) as err:
            worked_example(sentence)
        assert "\n" not in str(err.value)
        return
    ex = worked_example(sentence)
    assert ex.n_tokens == n
    ref = reference_values(ex)
    for name in ("scores", "weights", "outputs", "head_weights", "mha_output"):
        np.testing.assert_allclose(getattr(ex, name), ref[name], rtol=1e-12, atol=1e-13)
    assert math.isclose(float(ex.weights[ex.focus_index].sum()), 1.0, rel_tol=1e-12)
    # any token can be the focus, by its own spelling in any case
    j = data.draw(st.integers(0, n - 1))
    word = ex.tokens[j]
    nth = [t.casefold() for t in ex.tokens[: j + 1]].count(word.casefold())
    assert worked_example(sentence, f"{word.upper()}@{nth}").focus_index == j


def test_seed_scores_by_hand() -> None:
    # "it" = pronoun 0.7 + thing 0.3 (lists); trophy (noun.communication, noun.artifact) and
    # suitcase (noun.artifact) are all thing. Head 0's query of it: 0.7 x the pronoun row
    # (agent 2.4, place 1.0, thing 2.4) + 0.3 x the thing row (thing 0.6, quality 2.5):
    # thing = 0.7 * 2.4 + 0.3 * 0.6 = 1.86, which is its score with either noun.
    ex = worked_example("The trophy didn't fit in the suitcase because it was too big", "it")
    f = ex.focus_index
    assert ex.scores[f, 1] == pytest.approx(1.86, abs=1e-12)
    assert ex.scores[f, 6] == pytest.approx(1.86, abs=1e-12)
    for j in (0, 2, 4, 5, 7, 9):  # The didn't in the because was: keys of zero in head 0
        assert ex.scores[f, j] == 0.0
    # dog (noun.animal, agent 0.9 after its verb sense) asks quality 2.5 x 0.9 = 2.25 of
    # hot, which is all adj.all
    ex = worked_example("the hot dog was delicious", "dog")
    assert ex.x[2, 0] == 0.9
    assert ex.scores[2, 1] == pytest.approx(2.25, abs=1e-12)
