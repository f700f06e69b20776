"""The lecture chapters' facts, asserted from first principles, and their ledger sources."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from helpers import nearest_row, nearest_rows

from attention import NumbersLedger, scaled_dot_product_attention, worked_example
from attention.core import causal_mask, positional_encoding, softmax
from attention.numbers.reference import ref_attention, ref_positional_encoding
from attention.numbers.sources import SourceError, parse_source
from attention.numbers.verify import verify
from attention.rounding import format_number
from attention.story.lesson_narration import lesson_values
from attention.worked.lessons import (
    attention_cells,
    causal_weights,
    default_swap,
    head_weights_of,
    permuted_weights,
    positioned_weights,
    swap_order,
    tempered_weights,
)

SENTENCES = [
    ("The cat sat on the mat", None),
    ("The dog ran under the sofa", "ran"),
    ("Extraordinarily talkative parrots repeated unbelievably complicated "
     "sentences while everyone laughed loudly today", None),
    ("I love", "I"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES)
def test_permuting_tokens_permutes_the_weights_exactly_without_positions(
    sentence: str, focus: str | None
) -> None:
    ex = worked_example(sentence, focus)
    rng = np.random.default_rng(7)
    for order in [swap_order(ex.n_tokens, *default_swap(ex)), tuple(rng.permutation(ex.n_tokens))]:
        idx = np.ix_(order, order)
        # computed from the reordered sentence, not by moving the numbers
        moved = permuted_weights(ex, order)
        np.testing.assert_allclose(moved, ex.weights[idx], rtol=0, atol=1e-12)
        assert nearest_rows(moved) == nearest_rows(ex.weights[idx])


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES[:3])
def test_with_positions_a_swap_changes_the_weights(sentence: str, focus: str | None) -> None:
    ex = worked_example(sentence, focus)
    order = swap_order(ex.n_tokens, *default_swap(ex))
    idx = np.ix_(order, order)
    identity = tuple(range(ex.n_tokens))
    assert not np.allclose(positioned_weights(ex, order), positioned_weights(ex, identity)[idx])
    # positions are the only difference: with zero positions it would be the plain model
    np.testing.assert_allclose(
        head_weights_of(ex, ex.x[list(order)] + positional_encoding(ex.n_tokens, ex.d_model)),
        positioned_weights(ex, order),
    )


def test_positional_encoding_follows_the_formula() -> None:
    n, d = 16, 6
    pe = positional_encoding(n, d)
    for pos in range(n):
        for i in range(d // 2):
            angle = pos / 10000 ** (2 * i / d)
            assert pe[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
            assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)
    np.testing.assert_allclose(pe, ref_positional_encoding(n, d), rtol=0, atol=1e-12)
    assert np.all(pe[0, ::2] == 0)
    assert np.all(pe[0, 1::2] == 1)
    assert len({tuple(np.round(row, 9)) for row in pe}) == n  # every position its own mix


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES)
def test_causal_weights_are_exactly_zero_ahead_and_rows_sum_to_one(
    sentence: str, focus: str | None
) -> None:
    ex = worked_example(sentence, focus)
    w = causal_weights(ex)
    n = ex.n_tokens
    later = ~causal_mask(n)
    assert np.all(w[later] == 0.0)  # exactly, not nearly
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert w[0, 0] == 1.0  # the first token sees only itself
    _, core = scaled_dot_product_attention(ex.q, ex.k, ex.v, mask=causal_mask(n))
    _, ref = ref_attention(ex.q.tolist(), ex.k.tolist(), ex.v.tolist(), causal_mask(n).tolist())
    np.testing.assert_allclose(w, core, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w, ref, rtol=0, atol=1e-12)
    # the screen shows every later weight as 0.00 exactly, and the first token's as 1.00
    assert all(s == "0.00" for i, row in enumerate(nearest_rows(w)) for s in row[i + 1 :])
    assert nearest_rows(w)[0][0] == "1.00"


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES)
def test_lower_temperature_raises_the_top_weight_monotonically(
    sentence: str, focus: str | None
) -> None:
    ex = worked_example(sentence, focus)
    f = ex.focus_index
    temps = [8.0, 4.0, 2.0, 1.0, 0.5, 0.25, 0.1]
    tops = [float(tempered_weights(ex, t)[f].max()) for t in temps]
    assert all(a < b for a, b in zip(tops, tops[1:], strict=False)), tops
    assert tops[-1] < 1.0
    assert tops[0] > 1.0 / ex.n_tokens
    np.testing.assert_allclose(tempered_weights(ex, 1.0), ex.weights, rtol=0, atol=1e-15)
    # the same knob as the core's temperature argument
    _, w = scaled_dot_product_attention(ex.q, ex.k, ex.v, temperature=0.5)
    np.testing.assert_allclose(tempered_weights(ex, 0.5), w, rtol=0, atol=1e-12)
    # dividing by sqrt(d) is a temperature of sqrt(d) on the raw scores
    np.testing.assert_allclose(
        softmax(ex.scores, temperature=math.sqrt(ex.d_head)), ex.weights, rtol=0, atol=1e-12
    )


def test_the_code_chapter_runs_the_function_the_worked_example_uses() -> None:
    from scenes.s11_code import function_source

    ex = worked_example()
    out, w = scaled_dot_product_attention(ex.q, ex.k, ex.v)
    np.testing.assert_allclose(out, ex.outputs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w, ex.weights, rtol=0, atol=1e-12)
    lines = function_source(scaled_dot_product_attention)
    source = inspect.getsource(scaled_dot_product_attention)
    assert lines[0].startswith("def scaled_dot_product_attention(")
    assert all(line in source for line in lines)
    assert '"""' not in "\n".join(lines)
    assert any(line.strip().startswith("return weights @ v") for line in lines)


def test_cells_grow_with_the_square_of_the_length() -> None:
    assert [attention_cells(n) for n in (6, 12, 24)] == [36, 144, 576]
    for n in range(1, 40):
        assert attention_cells(2 * n) == 4 * attention_cells(n)


def test_lesson_placeholders_say_what_the_numbers_show() -> None:
    ex = worked_example()
    v = lesson_values(ex)
    assert float(v["temp_low_top_weight"]) > 0.34 > float(v["temp_high_top_weight"])
    assert (v["swap_a"], v["swap_b"], v["swapped_sentence"]) == (
        "cat",
        "mat",
        "The mat sat on the cat",
    )
    assert v["positioned_before"] != v["positioned_after"]
    assert v["n_later"] == "3"
    assert v["causal_top_token"] == "cat"
    assert (v["cells_n"], v["cells_2n"], v["cells_4n"]) == ("36", "144", "576")


def test_lesson_sources_parse_and_verify() -> None:
    assert parse_source("tempered_weights(0.5)[2, 1]").args == (0.5,)
    assert parse_source("sum(causal_weights[2])").total
    assert parse_source("permuted_weights(0, 5, 2, 3, 4, 1)[2, 1]").args == (0, 5, 2, 3, 4, 1)
    for bad in ("tempered_weights(x)[1]", "nonsense(1)[0]", "weights(1, )[0]"):
        with pytest.raises(SourceError):
            parse_source(bad)
    ex = worked_example()
    ledger = NumbersLedger()
    for j, text in enumerate(nearest_row(tempered_weights(ex, 0.5)[2])):
        ledger.record("t", f"w{j}", text, f"tempered_weights(0.5)[2, {j}]", 2)
    ledger.record("t", "Σ", "1.00", "sum(tempered_weights(0.5)[2])", 2)
    ledger.record("t", "cells", "144", "attention_cells(12)", 0)
    ledger.record("t", "pe", format_number(math.sin(1.0), 2), "positional_encoding[1, 0]", 2)
    assert verify(ledger, ex) == []
    wrong = NumbersLedger()
    wrong.record("t", "cells", "145", "attention_cells(12)", 0)
    wrong.record("t", "p", "0.10", "permuted_weights(0, 0, 1, 2, 3, 4)[0, 0]", 2)
    wrong.record("t", "c", "0.10", "causal_weights(3)[0, 0]", 2)
    problems = verify(wrong, ex)
    assert len(problems) == 3, problems
    assert "not an order" in problems[1]
    assert "takes no arguments" in problems[2]


def test_scene_numbers_reject_a_bad_source_when_recorded() -> None:
    from scenes.kit import Numbers

    ex = worked_example()
    nums = Numbers(NumbersLedger(), ex, "t")
    assert nums.text("tempered_weights(0.5)[2, 1]").text == format_number(
        float(tempered_weights(ex, 0.5)[2, 1]), 2
    )
    for bad in ("weights[2, 1", "weight[2, 1]", "tempered_weights[2, 1]", "weights[9, 0]"):
        with pytest.raises(SourceError):
            nums.text(bad)
    assert len(nums.ledger.entries) == 1
