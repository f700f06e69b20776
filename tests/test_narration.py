"""Narration values are the numbers the screen shows; fill accepts only plain {name} fields."""

from __future__ import annotations

import math

import numpy as np
import pytest

from attention import round_row, worked_example
from attention.narration import PLACEHOLDERS, PlaceholderError, fill, narration_values


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
        "6", "6", "3", "2")  # fmt: skip
    assert values["sqrt_d_head"] == f"{math.sqrt(3):.2f}" == "1.73"
    assert values["head1_top_token"] == "on"


def test_weights_are_the_largest_remainder_row_as_shown(values: dict[str, str]) -> None:
    ex = worked_example()
    row = ex.weights[ex.focus_index]
    shown = round_row(list(row), 2)
    order = np.argsort(-row, kind="stable")
    assert values["top_weight"] == f"{shown[order[0]]:.2f}"
    assert values["second_weight"] == f"{shown[order[1]]:.2f}"
    assert values["least_weight"] == f"{min(shown):.2f}"
    # Every shown weight is within one unit of the exact one.
    assert abs(float(values["top_weight"]) - row.max()) <= 0.01


def test_scores_are_the_top_tokens_scores(values: dict[str, str]) -> None:
    ex = worked_example()
    q, k = ex.x @ ex.w_q[:, :3], ex.x @ ex.w_k[:, :3]  # first principles, not ex.scores
    score = float(q[2] @ k[1])
    assert values["top_score"] == f"{score:.2f}"
    assert values["top_scaled_score"] == f"{score / math.sqrt(3):.2f}"


def test_values_follow_a_different_sentence_and_focus() -> None:
    v = narration_values(worked_example("A dog ran under the sofa", focus="dog"))
    assert (v["focus"], v["n_tokens"]) == ("dog", "6")
    assert v["top_token"] in ("A", "dog", "ran", "under", "the", "sofa")


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
