"""Narration values are the numbers the screen shows; fill accepts only plain {name} fields."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import nearest, nearest_row

from attention import worked_example
from attention.numbers.recompute import reference_values
from attention.story.designed_narration import context_tokens, named_tokens
from attention.story.placeholders import PLACEHOLDERS, PlaceholderError, fill, narration_values


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return narration_values(worked_example())


def test_every_value_is_documented_and_every_documented_name_exists(
    values: dict[str, str],
) -> None:
    assert set(values) == set(PLACEHOLDERS)
    assert all(PLACEHOLDERS[name].strip() for name in PLACEHOLDERS)


def test_values_tell_the_default_story(values: dict[str, str]) -> None:
    assert values["sentence"] == "The cat sat on the mat"
    assert (values["focus"], values["top_token"], values["second_token"]) == ("sat", "cat", "mat")
    assert values["least_token"] in ("The", "the", "on")
    assert (values["n_tokens"], values["d_model"], values["d_head"], values["n_heads"]) == (
        "6", "8", "4", "2")  # fmt: skip
    assert values["sqrt_d_head"] == f"{math.sqrt(4):.2f}" == "2.00"
    assert values["head1_top_token"] == "on"


def test_weights_are_said_at_their_nearest_as_shown(values: dict[str, str]) -> None:
    ex = worked_example()
    row = ex.weights[ex.focus_index]
    order = np.argsort(-row, kind="stable")
    assert values["top_weight"] == nearest(row[order[0]], 2) == "0.35"
    # mat's 0.2435 is said 0.24, as every chapter shows it (never nudged to 0.25)
    assert values["second_weight"] == nearest(row[order[1]], 2) == "0.24"
    assert values["least_weight"] == nearest(row.min(), 2)
    # every said weight is within half a unit of the exact one
    for name, index in (("top_weight", order[0]), ("second_weight", order[1])):
        assert abs(float(values[name]) - row[index]) <= 0.005


def test_scores_are_the_top_tokens_scores(values: dict[str, str]) -> None:
    ex = worked_example()
    q, k = ex.x @ ex.w_q[:, :4], ex.x @ ex.w_k[:, :4]  # first principles, not ex.scores
    score = float(q[2] @ k[1])
    assert values["top_score"] == f"{score:.2f}" == "2.50"  # sat asks agent 2.5, cat is one
    assert values["top_scaled_score"] == f"{score / math.sqrt(4):.2f}" == "1.25"


def test_values_follow_a_different_sentence_and_focus() -> None:
    v = narration_values(worked_example("A dog ran under the sofa", focus="dog"))
    assert (v["focus"], v["n_tokens"]) == ("dog", "6")
    assert v["top_token"] in ("A", "dog", "ran", "under", "the", "sofa")


def _reference_row(sentence: str, focus: str | None = None) -> tuple[tuple[str, ...], list[float]]:
    ex = worked_example(sentence, focus)
    return ex.tokens, reference_values(ex)["weights"][ex.focus_index]


def test_phrases_tell_the_default_story(values: dict[str, str]) -> None:
    tokens, row = _reference_row("The cat sat on the mat", "sat")
    shown = nearest_row(row)
    assert values["context_words"] == "cat or mat"
    # cat and mat are the top two and "The" (index 0) the earliest of the lowest
    assert values["weight_list"] == f"cat {shown[1]}, mat {shown[5]}, and The only {shown[0]}"
    assert row[1] + row[5] >= 0.5
    assert values["blend_mix"] == "mostly cat and mat, a little of the rest"


def test_phrases_of_a_two_token_sentence_name_the_one_other_word() -> None:
    tokens, row = _reference_row("I love", "I")
    shown = nearest_row(row)
    v = narration_values(worked_example("I love", "I"))
    assert v["context_words"] == "love"
    high, low = (1, 0) if row[1] > row[0] else (0, 1)
    assert v["weight_list"] == f"{tokens[high]} {shown[high]} and {tokens[low]} {shown[low]}"
    assert all(abs(float(s) - w) <= 0.005 for s, w in zip(shown, row, strict=True))
    split = "about equal parts" if abs(row[0] - row[1]) < 0.1 else "mostly"
    assert v["blend_mix"].startswith(split)


def test_context_words_skip_the_focus_and_repeated_words() -> None:
    ex = worked_example("the cat saw the dog and the cat", "saw")
    context = context_tokens(ex)
    words = [ex.tokens[i].casefold() for i in context]
    assert ex.focus_index not in context
    assert len(set(words)) == len(words) == 2
    row = reference_values(ex)["weights"][ex.focus_index]
    # each chosen word is its own most attended occurrence, and no unchosen word beats them
    others = [i for i in range(ex.n_tokens) if i != ex.focus_index]
    best = {}
    for i in others:
        word = ex.tokens[i].casefold()
        best[word] = max(best.get(word, 0.0), row[i])
    assert sorted(best.values(), reverse=True)[:2] == pytest.approx([row[i] for i in context])


@pytest.mark.parametrize(
    ("sentence", "top_two_are_most"),
    [
        # chased looks for who and whom: dogs and cats take e^1.25 each against 1 for the
        # three others, 0.70 together
        ("Hungry dogs chased frightened cats", True),
        ("The tired old professor finally explained attention to curious students", False),
    ],
)
def test_blend_mix_says_mostly_only_when_the_top_two_weigh_half(
    sentence: str, top_two_are_most: bool
) -> None:
    tokens, row = _reference_row(sentence)
    first, second = sorted(row, reverse=True)[:2]
    assert (first + second >= 0.5) is top_two_are_most
    top = tokens[row.index(first)]
    expected = "mostly" if top_two_are_most else f"a little of every token, the most of {top}"
    assert narration_values(worked_example(sentence))["blend_mix"].startswith(expected)


def test_named_tokens_are_top_second_and_earliest_least() -> None:
    tokens, row = _reference_row("The cat sat on the mat", "sat")
    ranked = sorted(range(len(row)), key=lambda i: (-row[i], i))
    lowest = min(row)
    least = next(i for i in range(len(row)) if math.isclose(row[i], lowest, rel_tol=1e-12))
    assert named_tokens(worked_example()) == [ranked[0], ranked[1], least]
    assert len(named_tokens(worked_example("I love", "I"))) == 2


def test_fill_replaces_plain_names_and_keeps_escaped_braces(values: dict[str, str]) -> None:
    text = "{focus} attends to {top_token} with {top_weight}; {{literal}} braces."
    assert fill(text, values) == (
        f"sat attends to cat with {values['top_weight']}; {{literal}} braces."
    )
    assert fill("no placeholders", values) == "no placeholders"


@pytest.mark.parametrize(
    "text",
    [
        "{focus.__class__}",
        "{focus[0]}",
        "{focus!r}",
        "{focus:>10}",
        "{nope}",
        "{}",
        "{0}",
        "{focus",
        "focus}",
        "{focus.__class__.__mro__[1].__subclasses__()}",
    ],
)
def test_fill_rejects_anything_but_known_plain_names(text: str, values: dict[str, str]) -> None:
    with pytest.raises(PlaceholderError) as err:
        fill(text, values)
    message = str(err.value)
    assert "{focus}" in message  # lists the known names
    assert "{top_token}" in message
    assert "\n" not in message


def test_fill_error_names_the_bad_placeholder(values: dict[str, str]) -> None:
    with pytest.raises(PlaceholderError, match=r"\{top_tokn\}"):
        fill("It looks at {top_tokn}.", values)


# --- placeholders whose wording follows the numbers: the named dimensions ---


def test_dimension_placeholders_of_the_default_story(values: dict[str, str]) -> None:
    assert values["dimensions"] == (
        "agent, place, thing, action, quality, pronoun, determiner and relation"
    )
    # sat = sit, a verb: its embedding is all action; no --focus, so the first verb
    assert (values["focus_meaning"], values["focus_reason"]) == ("action", "the first verb")
    # sat's score with cat has one nonzero term: the query's agent 2.5 times cat's agent 1.0
    assert values["top_dimension"] == "agent"
    # sat's own value is zero in head 0 (action is carried by head 1); what it gathers is
    # mostly cat's agent (weight 0.35) and mat's thing (0.24 x 0.8)
    assert values["meaning_shift"] == "agent"


def test_meaning_shift_moves_bank_toward_the_river() -> None:
    ex = worked_example("The bank of the river flooded", "bank")
    v = narration_values(ex)
    assert (v["top_token"], v["top_dimension"], v["focus_reason"]) == (
        "river", "place", "the word chosen")  # fmt: skip
    # independent: head 0 values are x's agent, place, thing, quality columns
    cols = [0, 1, 2, 4]
    x = ex.x[:, cols]
    gathered = sum(ex.weights[1, j] * x[j] for j in range(ex.n_tokens))
    before, after = x[1] / x[1].sum(), gathered / gathered.sum()
    names = ["agent", "place", "thing", "quality"]
    assert v["meaning_shift"] == names[int(np.argmax(after - before))] == "place"


def test_dimension_placeholders_of_a_sentence_of_function_words() -> None:
    v = narration_values(worked_example("on the"))
    assert v["focus_reason"] == "the first token"
    assert (v["top_dimension"], v["meaning_shift"]) == ("no dimension", "nothing")
