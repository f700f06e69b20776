"""Properties and known answers for the numpy attention core."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attention import (
    AttentionParams,
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
rows = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)), elements=finite)


def qkv(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, d)), rng.normal(size=(n, d))


@given(rows)
def test_softmax_rows_sum_to_one_and_are_probabilities(x: np.ndarray) -> None:
    p = softmax(x)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@given(rows, finite)
def test_softmax_ignores_a_constant_added_to_every_score(x: np.ndarray, c: float) -> None:
    np.testing.assert_allclose(softmax(x + c), softmax(x), rtol=0, atol=1e-12)


@given(rows)
def test_softmax_axis_zero_is_softmax_of_the_transpose(x: np.ndarray) -> None:
    np.testing.assert_allclose(softmax(x, axis=0), softmax(x.T).T, rtol=0, atol=1e-15)


def test_softmax_of_two_scores_is_the_hand_formula() -> None:
    a, b = 1.5, -0.5
    expected = [
        math.exp(a) / (math.exp(a) + math.exp(b)),
        math.exp(b) / (math.exp(a) + math.exp(b)),
    ]
    np.testing.assert_allclose(softmax(np.array([a, b])), expected, rtol=1e-15)


@pytest.mark.parametrize("big", [1e4, -1e4, 1e300])
def test_softmax_stays_finite_on_extreme_scores(big: float) -> None:
    p = softmax(np.array([[big, 0.0, -big], [big, big, big]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    assert p[0].argmax() == (0 if big > 0 else 2)


@given(arrays(np.float64, 5, elements=finite, unique=True))
def test_tiny_temperature_approaches_one_hot_argmax(x: np.ndarray) -> None:
    p = softmax(x, temperature=1e-6)
    gap = np.sort(x)[-1] - np.sort(x)[-2]
    if gap > 1e-3:  # only a clear winner can take all the weight at this temperature
        np.testing.assert_allclose(p, np.eye(5)[x.argmax()], atol=1e-9)


@given(arrays(np.float64, 5, elements=finite))
def test_huge_temperature_approaches_uniform(x: np.ndarray) -> None:
    np.testing.assert_allclose(softmax(x, temperature=1e9), np.full(5, 0.2), atol=1e-6)


def test_temperature_must_be_positive() -> None:
    with pytest.raises(ValueError, match="temperature"):
        softmax(np.zeros(3), temperature=0.0)


def test_equal_keys_give_uniform_weights_and_the_mean_of_values() -> None:
    q = np.array([[1.0, 2.0], [-3.0, 0.5]])
    k = np.tile([[0.7, -0.2]], (4, 1))  # every key identical -> every score in a row equal
    v = np.arange(8.0).reshape(4, 2)
    out, w = scaled_dot_product_attention(q, k, v)
    np.testing.assert_array_equal(w, np.full((2, 4), 0.25))
    np.testing.assert_allclose(out, np.tile(v.mean(axis=0), (2, 1)))


def test_two_token_attention_by_hand() -> None:
    q = np.array([[1.0, 0.0]])
    k = np.array([[2.0, 0.0], [0.0, 1.0]])
    v = np.array([[10.0], [20.0]])
    a, b = 2.0 / math.sqrt(2), 0.0  # q·k_j / sqrt(d_k)
    w0 = math.exp(a) / (math.exp(a) + math.exp(b))
    out, w = scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(w, [[w0, 1 - w0]], rtol=1e-14)
    np.testing.assert_allclose(out, [[10 * w0 + 20 * (1 - w0)]], rtol=1e-14)


def test_causal_mask_is_lower_triangular_including_the_diagonal() -> None:
    m = causal_mask(4)
    assert m.dtype == np.bool_
    for i in range(4):
        for j in range(4):
            assert m[i, j] == (j <= i)


@given(st.integers(1, 8), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_causal_mask_gives_exactly_zero_weight_to_later_tokens(n: int, d: int, seed: int) -> None:
    q, k, v = qkv(n, d, seed)
    out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(n))
    assert np.all(w[np.triu_indices(n, 1)] == 0.0)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(out[0], v[0], atol=1e-12)  # the first token sees only itself


@given(st.integers(2, 8), st.integers(1, 5), st.integers(0, 2**32 - 1), st.randoms())
def test_self_attention_is_permutation_equivariant(
    n: int, d: int, seed: int, rnd: random.Random
) -> None:
    q, k, v = qkv(n, d, seed)
    perm = np.array(rnd.sample(range(n), n))
    out, w = scaled_dot_product_attention(q, k, v)
    out_p, w_p = scaled_dot_product_attention(q[perm], k[perm], v[perm])
    np.testing.assert_allclose(out_p, out[perm], atol=1e-12)
    np.testing.assert_allclose(w_p, w[perm][:, perm], atol=1e-12)


@given(st.integers(0, 2**32 - 1))
def test_batched_attention_equals_attention_per_item(seed: int) -> None:
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(2, 3, 5, 4)) for _ in range(3))
    out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(5))
    for i in range(2):
        for j in range(3):
            o, ww = scaled_dot_product_attention(q[i, j], k[i, j], v[i, j], mask=causal_mask(5))
            np.testing.assert_allclose(out[i, j], o, atol=1e-12)
            np.testing.assert_allclose(w[i, j], ww, atol=1e-12)


def test_scaled_dot_product_attention_is_finite_on_huge_scores() -> None:
    q = np.array([[1e4, 0.0], [-1e4, 1e4]])
    out, w = scaled_dot_product_attention(q, q, np.eye(2))
    assert np.all(np.isfinite(w))
    assert np.all(np.isfinite(out))


def test_split_and_merge_heads_use_consecutive_columns() -> None:
    x = np.arange(12.0).reshape(2, 6)
    heads = split_heads(x, 3)
    assert heads.shape == (3, 2, 2)
    for h in range(3):
        np.testing.assert_array_equal(heads[h], x[:, 2 * h : 2 * h + 2])
    np.testing.assert_array_equal(merge_heads(heads), x)


def test_split_heads_rejects_an_uneven_split() -> None:
    with pytest.raises(AssertionError, match="divisible"):
        split_heads(np.zeros((2, 6)), 4)


@settings(max_examples=30)
@given(
    st.integers(1, 6), st.sampled_from([(4, 1), (4, 2), (6, 3), (8, 4)]), st.integers(0, 2**32 - 1)
)
def test_multi_head_is_per_head_attention_concatenated(
    n: int, dims: tuple[int, int], seed: int
) -> None:
    d_model, n_heads = dims
    d_head = d_model // n_heads
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_model))
    w_q, w_k, w_v, w_o = (rng.normal(size=(d_model, d_model)) for _ in range(4))
    record = multi_head_attention(x, AttentionParams(w_q, w_k, w_v, w_o, n_heads))
    out, w = record.output, record.weights
    assert w.shape == (n_heads, n, n)
    parts = []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        o, ww = scaled_dot_product_attention(x @ w_q[:, cols], x @ w_k[:, cols], x @ w_v[:, cols])
        np.testing.assert_allclose(w[h], ww, atol=1e-12)
        parts.append(o)
    np.testing.assert_allclose(out, np.concatenate(parts, axis=1) @ w_o, atol=1e-10)
