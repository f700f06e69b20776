"""The worked example: deterministic, read-only, and the story the video tells is true."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from attention import ExampleError, WorkedExample, multi_head_attention, tokenize, worked_example
from attention.core import AttentionParams
from attention.models.designed import HEAD_FEATURES
from attention.models.lexicon import embed
from attention.worked.example import DIMENSIONS, FOCUS_RULES, find_focus

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
    assert names == ["spec", "tokens", "focus", "focus_index", "d_model", "n_heads",
                     "d_head", *ARRAYS, "dimensions", "sources", "record", "kind"]  # fmt: skip


def test_default_sentence_tokens_dimensions_and_shapes(ex: WorkedExample) -> None:
    assert ex.tokens == ("The", "cat", "sat", "on", "the", "mat")
    assert (ex.focus, ex.focus_index) == ("sat", 2)
    # 8 named dimensions split over 2 heads of 4
    assert ex.dimensions == DIMENSIONS
    assert len(DIMENSIONS) == 8
    assert (ex.d_model, ex.n_heads, ex.d_head) == (8, 2, 4)
    assert len(ex.sources) == 6
    n = 6
    shapes = {"x": (n, 8), "w_q": (8, 8), "q": (n, 4), "scores": (n, n), "weights": (n, n),
              "outputs": (n, 4), "head_weights": (2, n, n), "head_outputs": (2, n, 4),
              "concat": (n, 8), "mha_output": (n, 8)}  # fmt: skip
    for name, shape in shapes.items():
        assert getattr(ex, name).shape == shape, name


def test_sources_say_where_each_embedding_came_from(ex: WorkedExample) -> None:
    assert ex.sources[0] == "closed class: determiner"
    assert ex.sources[3] == "closed class: preposition"
    assert ex.sources[1].startswith("wordnet cat: noun.animal")
    assert ex.sources[2].startswith("wordnet sat, sit: verb.")  # sat is sit's past tense


def test_head_zero_is_the_single_head_story(ex: WorkedExample) -> None:
    np.testing.assert_array_equal(ex.head_weights[0], ex.weights)
    np.testing.assert_array_equal(ex.head_outputs[0], ex.outputs)
    np.testing.assert_allclose(ex.q, ex.x @ ex.w_q[:, :4], atol=1e-15)
    np.testing.assert_allclose(ex.k, ex.x @ ex.w_k[:, :4], atol=1e-15)
    np.testing.assert_allclose(ex.v, ex.x @ ex.w_v[:, :4], atol=1e-15)
    np.testing.assert_allclose(ex.scaled_scores, ex.scores / math.sqrt(4), atol=1e-15)


def test_example_agrees_with_multi_head_attention(ex: WorkedExample) -> None:
    params = AttentionParams(ex.w_q, ex.w_k, ex.w_v, ex.w_o, n_heads=2)
    record = multi_head_attention(ex.x, params)
    np.testing.assert_allclose(record.weights, ex.head_weights, atol=1e-14)
    np.testing.assert_allclose(record.output, ex.mha_output, atol=1e-13)


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


def test_embeddings_and_matrices_print_with_one_decimal(ex: WorkedExample) -> None:
    for word in ("cat", "zebra", "Quixotic", "!", "didn't", "bank"):
        vector = embed(word).vector
        assert all(0.0 <= value <= 1.0 and round(value, 1) == value for value in vector)
        # every embedding is a mix: its tenths add up to exactly one
        assert sum(round(value * 10) for value in vector) == 10, word
    np.testing.assert_array_equal(ex.x, np.round(ex.x, 1))
    for w in (ex.w_q, ex.w_k, ex.w_v, ex.w_o):
        np.testing.assert_array_equal(w, np.round(w, 1))


def test_head_zero_columns_read_named_dimensions(ex: WorkedExample) -> None:
    # Each head-0 key/value column copies exactly one named dimension, so every term of
    # q·k belongs to one dimension name.
    for c, name in enumerate(HEAD_FEATURES[0]):
        column = ex.w_k[:, c]
        assert column[DIMENSIONS.index(name)] == 1.0
        assert column.sum() == 1.0
        assert ex.w_v[DIMENSIONS.index(name), c] == 1.0
        assert ex.w_v[:, c].sum() == 1.0


# --- the narrative claims the video makes about the focus row of head 0 ---


def test_sat_row_by_hand(ex: WorkedExample) -> None:
    # WordNet: cat's senses are almost all tagged noun.animal -> agent 1.0; sat = sit, a
    # verb -> action 1.0; mat is a noun.artifact mat -> thing 0.8 (its untagged verb and
    # adjective senses take the rest). W_Q's action row asks agent 2.5, thing 2.2; function
    # words offer nothing to head 0, so their scores are 0. Scaled by sqrt(4) = 2.
    assert ex.x[1, DIMENSIONS.index("agent")] == 1.0
    assert ex.x[2, DIMENSIONS.index("action")] == 1.0
    assert ex.x[5, DIMENSIONS.index("thing")] == 0.8
    scores = [0.0, 2.5, 0.0, 0.0, 0.0, 2.2 * 0.8]
    exps = [math.exp(s / 2) for s in scores]
    expected = [e / sum(exps) for e in exps]
    np.testing.assert_allclose(ex.weights[2], expected, rtol=1e-12)


def test_sat_attends_most_to_cat_then_mat(ex: WorkedExample) -> None:
    row = ex.weights[ex.focus_index]
    order = [ex.tokens[i] for i in np.argsort(-row, kind="stable")]
    assert order[:2] == ["cat", "mat"]


def test_every_function_word_gets_less_than_every_other_content_word(ex: WorkedExample) -> None:
    row = ex.weights[ex.focus_index]
    assert max(row[i] for i in FUNCTION) < min(row[ex.tokens.index(w)] for w in ("cat", "mat"))


def test_weights_are_visible_but_not_extreme(ex: WorkedExample) -> None:
    row = ex.weights[ex.focus_index]
    assert 0.3 <= row.max() <= 0.4
    assert all(0.07 <= row[i] <= 0.12 for i in FUNCTION)


def test_function_words_spread_their_attention_in_head_zero(ex: WorkedExample) -> None:
    for i in FUNCTION:
        np.testing.assert_allclose(ex.weights[i], 1 / 6, rtol=1e-12)


def test_head_one_is_grammar(ex: WorkedExample) -> None:
    top1 = [ex.tokens[int(j)] for j in ex.head_weights[1].argmax(axis=1)]
    # nouns look at a determiner, the verb at its preposition, determiners and the
    # preposition at a noun
    assert top1[1].lower() == "the"
    assert top1[5].lower() == "the"
    assert top1[2] == "on"
    assert all(top1[i] in ("cat", "mat") for i in FUNCTION)
    # so the heads disagree on every content word
    top0 = ex.head_weights[0].argmax(axis=1)
    assert all(top0[i] != ex.head_weights[1, i].argmax() for i in (1, 2, 5))


# --- input handling ---


def test_focus_is_matched_case_insensitively_first_occurrence() -> None:
    ex = worked_example("The cat sat on the mat", focus="THE")
    assert (ex.focus, ex.focus_index) == ("The", 0)
    assert worked_example("the dog ran", focus="Ran").focus_index == 2


def test_focus_by_occurrence() -> None:
    sentence = "The dog found the bone and buried it because it was hungry"
    assert worked_example(sentence, "it@2").focus_index == 9
    assert worked_example(sentence, "it@1").focus_index == 7
    assert find_focus(("a", "b"), "b@1") == 1
    with pytest.raises(ExampleError, match=r"'it' occurs 2 time\(s\).*it@1 to it@2") as err:
        worked_example(sentence, "it@3")
    assert "\n" not in str(err.value)


def test_default_focus_rules() -> None:
    assert "word@N" in FOCUS_RULES
    # the first verb
    assert worked_example("The dog ran to the box").focus == "ran"
    assert worked_example("The bank of the river flooded").focus == "flooded"
    # no verb: the most ambiguous noun (bank is split between riverside and institution)
    assert worked_example("the river bank").focus == "bank"
    # no verb, no ambiguous noun: the first noun; only function words: the first token
    assert worked_example("the hot dog").focus == "dog"
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
        ("Hello!!!", "only 1 token"),
        (" ".join(["cat"] * 17), "17 tokens"),
        ("a b c d e f g h i j k l m n o p q .", "17 tokens.*a | b | c"),
    ],
)
def test_bad_sentences_raise_a_clear_error(sentence: str, message: str) -> None:
    with pytest.raises(ExampleError, match=message) as err:
        worked_example(sentence)
    assert "\n" not in str(err.value)


def test_sixteen_tokens_fit() -> None:
    sentence = (
        "The tired old farmer slowly carried the heavy wooden box across the muddy field to town"
    )
    assert len(tokenize(sentence)) == 16
    ex = worked_example(sentence)
    assert ex.focus == "carried"
    np.testing.assert_allclose(ex.head_weights.sum(axis=-1), 1.0, atol=1e-12)
