"""The worked example: deterministic, read-only, and the story the video tells is true."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention import ExampleError, WorkedExample, multi_head_attention, tokenize, worked_example
from attention.example import FUNCTION_WORDS, embed

ARRAYS = (
    "x", "w_q", "w_k", "w_v", "w_o", "q", "k", "v", "scores", "scaled_scores", "weights",
    "outputs", "head_weights", "head_outputs", "concat", "mha_output",
)  # fmt: skip
CONTENT = ("cat", "sat", "mat")
FUNCTION = (0, 3, 4)  # The, on, the


@pytest.fixture(scope="module")
def ex() -> WorkedExample:
    return worked_example()


def test_fields_are_exactly_the_documented_ones(ex: WorkedExample) -> None:
    names = [f.name for f in dataclasses.fields(ex)]
    assert names == ["sentence", "tokens", "focus", "focus_index", "d_model", "n_heads",
                     "d_head", *ARRAYS]  # fmt: skip


def test_default_sentence_tokens_dimensions_and_shapes(ex: WorkedExample) -> None:
    assert ex.tokens == ("The", "cat", "sat", "on", "the", "mat")
    assert (ex.focus, ex.focus_index) == ("sat", 2)
    assert (ex.d_model, ex.n_heads, ex.d_head) == (6, 2, 3)
    n = 6
    shapes = {"x": (n, 6), "w_q": (6, 6), "q": (n, 3), "scores": (n, n), "weights": (n, n),
              "outputs": (n, 3), "head_weights": (2, n, n), "head_outputs": (2, n, 3),
              "concat": (n, 6), "mha_output": (n, 6)}  # fmt: skip
    for name, shape in shapes.items():
        assert getattr(ex, name).shape == shape, name


def test_head_zero_is_the_single_head_story(ex: WorkedExample) -> None:
    np.testing.assert_array_equal(ex.head_weights[0], ex.weights)
    np.testing.assert_array_equal(ex.head_outputs[0], ex.outputs)
    np.testing.assert_allclose(ex.q, ex.x @ ex.w_q[:, :3], atol=1e-15)
    np.testing.assert_allclose(ex.k, ex.x @ ex.w_k[:, :3], atol=1e-15)
    np.testing.assert_allclose(ex.v, ex.x @ ex.w_v[:, :3], atol=1e-15)
    np.testing.assert_allclose(ex.scaled_scores, ex.scores / math.sqrt(3), atol=1e-15)


def test_example_agrees_with_multi_head_attention(ex: WorkedExample) -> None:
    out, w = multi_head_attention(ex.x, ex.w_q, ex.w_k, ex.w_v, ex.w_o, n_heads=2)
    np.testing.assert_allclose(w, ex.head_weights, atol=1e-14)
    np.testing.assert_allclose(out, ex.mha_output, atol=1e-13)


def test_arrays_are_read_only(ex: WorkedExample) -> None:
    for name in ARRAYS:
        arr = getattr(ex, name)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.focus = "cat"  # type: ignore[misc]


def test_same_input_gives_the_same_numbers_bit_for_bit(ex: WorkedExample) -> None:
    again = worked_example("The cat sat on the mat")
    for name in ARRAYS:
        assert getattr(ex, name).tobytes() == getattr(again, name).tobytes(), name


def test_hashed_embeddings_are_stable_across_processes() -> None:
    # A new interpreter has a different hash() seed; the numbers must not change.
    code = "from attention.example import embed; print(embed('zebra'))"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}  # fmt: skip
    assert runs == {f"{embed('zebra')}\n"}


def test_embeddings_print_with_one_decimal(ex: WorkedExample) -> None:
    for word in ("cat", "zebra", "Quixotic", "!"):
        for value in embed(word):
            assert -1.0 <= value <= 1.0
            assert round(value, 1) == value
    np.testing.assert_array_equal(ex.x, np.round(ex.x, 1))
    for w in (ex.w_q, ex.w_k, ex.w_v, ex.w_o):
        np.testing.assert_array_equal(w, np.round(w, 1))


# --- the narrative claims the video makes about the focus row of head 0 ---


def test_sat_attends_most_to_cat_then_mat(ex: WorkedExample) -> None:
    row = ex.weights[ex.focus_index]
    order = [ex.tokens[i] for i in np.argsort(-row, kind="stable")]
    assert order[:2] == ["cat", "mat"]


def test_every_function_word_gets_less_than_every_content_word(ex: WorkedExample) -> None:
    row = ex.weights[ex.focus_index]
    content = [row[ex.tokens.index(w)] for w in CONTENT]
    assert max(row[i] for i in FUNCTION) < min(content)


def test_weights_are_visible_but_not_extreme(ex: WorkedExample) -> None:
    row = ex.weights[ex.focus_index]
    assert 0.3 <= row.max() <= 0.4
    assert all(0.07 <= row[i] <= 0.12 for i in FUNCTION)


def test_head_one_looks_at_function_words_unlike_head_zero(ex: WorkedExample) -> None:
    top0 = ex.head_weights[0].argmax(axis=1)
    top1 = ex.head_weights[1].argmax(axis=1)
    # Head 0 ("meaning"): every token's strongest link is a content word.
    assert all(ex.tokens[j].lower() in CONTENT for j in top0)
    # Head 1 ("grammar"): every token's strongest link is a function word ...
    assert all(ex.tokens[j].lower() in FUNCTION_WORDS for j in top1)
    # ... so the two heads disagree on every row, and "sat" pairs with "on".
    assert np.all(top0 != top1)
    assert ex.tokens[int(top1[ex.focus_index])] == "on"


def test_nouns_look_at_their_determiner_in_head_one(ex: WorkedExample) -> None:
    for noun in ("cat", "mat"):
        row = ex.head_weights[1, ex.tokens.index(noun)]
        assert ex.tokens[int(row.argmax())].lower() == "the"


# --- input handling ---


def test_tokenize_keeps_spelling_and_splits_punctuation() -> None:
    assert tokenize("Hello, World!") == ("Hello", ",", "World", "!")
    assert tokenize("  The   cat ") == ("The", "cat")


def test_focus_is_matched_case_insensitively_first_occurrence() -> None:
    ex = worked_example("The cat sat on the mat", focus="THE")
    assert (ex.focus, ex.focus_index) == ("The", 0)
    assert worked_example("the dog ran", focus="Ran").focus_index == 2


def test_default_focus_without_sat_is_the_first_content_word() -> None:
    assert worked_example("The dog ran to the box").focus == "dog"
    assert worked_example("on the").focus == "on"


def test_missing_focus_names_the_available_tokens() -> None:
    with pytest.raises(ExampleError, match=r"'dog'.*The, cat, sat, on, the, mat"):
        worked_example(focus="dog")


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        ("", "no words"),
        ("   \n\t", "no words"),
        ("Hello", "only 1 token"),
        (" ".join(["cat"] * 13), "13 tokens"),
        ("a b c d e f g h i j k l .", "13 tokens"),
    ],
)
def test_bad_sentences_raise_a_clear_error(sentence: str, message: str) -> None:
    with pytest.raises(ExampleError, match=message) as err:
        worked_example(sentence)
    assert "\n" not in str(err.value)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄéß", min_size=1, max_size=9)


@settings(max_examples=40, deadline=None)
@given(st.lists(words, min_size=2, max_size=12))
def test_any_sentence_of_2_to_12_words_works(ws: list[str]) -> None:
    ex = worked_example(" ".join(ws))
    assert ex.tokens == tuple(ws)
    assert np.all(np.isfinite(ex.mha_output))
    np.testing.assert_allclose(ex.head_weights.sum(axis=-1), 1.0, atol=1e-12)
