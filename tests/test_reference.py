"""The numpy core agrees with the independent loop-and-float reference."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attention import causal_mask, multi_head_attention, scaled_dot_product_attention, softmax
from attention.core import AttentionParams
from attention.numbers.recompute import reference_values
from attention.numbers.reference import (
    ref_attention,
    ref_matmul,
    ref_multi_head,
    ref_softmax,
)
from attention.worked.example import worked_example

seeds = st.integers(0, 2**32 - 1)


def test_ref_softmax_matches_the_definition() -> None:
    row = [0.3, -1.2, 2.0]
    total = sum(math.exp(x) for x in row)
    np.testing.assert_allclose(ref_softmax(row), [math.exp(x) / total for x in row], rtol=1e-15)


def test_ref_matmul_by_hand() -> None:
    assert ref_matmul([[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]) == [
        [19.0, 22.0],
        [43.0, 50.0],
    ]


@given(st.lists(st.floats(-30, 30), min_size=1, max_size=10), st.floats(0.1, 10))
def test_softmax_equals_reference(row: list[float], temperature: float) -> None:
    np.testing.assert_allclose(
        softmax(np.array(row), temperature=temperature),
        ref_softmax(row, temperature),
        rtol=1e-12,
        atol=1e-15,
    )


@settings(max_examples=50)
@given(st.integers(1, 7), st.integers(1, 5), st.booleans(), seeds)
def test_attention_equals_reference(n: int, d: int, masked: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(n, d)) for _ in range(3))
    mask = causal_mask(n) if masked else None
    out, w = scaled_dot_product_attention(q, k, v, mask=mask)
    ref_out, ref_w = ref_attention(
        q.tolist(), k.tolist(), v.tolist(), None if mask is None else mask.tolist()
    )
    np.testing.assert_allclose(w, ref_w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)


@settings(max_examples=20)
@given(seeds)
def test_batched_attention_equals_reference_per_item(seed: int) -> None:
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(3, 4, 2)) for _ in range(3))
    out, w = scaled_dot_product_attention(q, k, v)
    for b in range(3):
        ref_out, ref_w = ref_attention(q[b].tolist(), k[b].tolist(), v[b].tolist())
        np.testing.assert_allclose(w[b], ref_w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out[b], ref_out, rtol=1e-12, atol=1e-12)


@settings(max_examples=30)
@given(
    st.integers(1, 6),
    st.sampled_from([(4, 2), (6, 2), (6, 3), (8, 4)]),
    st.booleans(),
    st.booleans(),
    seeds,
)
def test_multi_head_equals_reference(
    n: int, dims: tuple[int, int], masked: bool, with_bias: bool, seed: int
) -> None:
    d_model, n_heads = dims
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_model))
    w_q, w_k, w_v, w_o = (rng.normal(size=(d_model, d_model)) for _ in range(4))
    biases = [rng.normal(size=d_model) if with_bias else None for _ in range(4)]
    mask = causal_mask(n) if masked else None
    params = AttentionParams(w_q, w_k, w_v, w_o, n_heads, *biases)
    record = multi_head_attention(x, params, mask=mask)
    ref_mask = None if mask is None else mask.tolist()
    ref = ref_multi_head(
        x.tolist(), w_q.tolist(), w_k.tolist(), w_v.tolist(), w_o.tolist(), n_heads, ref_mask,
        [None if b is None else b.tolist() for b in biases],
    )  # fmt: skip
    np.testing.assert_allclose(record.weights, ref.weights, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(record.q, ref.q, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(record.heads, ref.heads, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(record.output, ref.output, rtol=1e-10, atol=1e-10)


FIELDS = (
    "x", "w_q", "w_k", "w_v", "w_o", "q", "k", "v", "scores", "scaled_scores", "weights",
    "outputs", "head_weights", "head_outputs", "concat", "mha_output",
)  # fmt: skip


def test_reference_values_recompute_every_field_of_the_worked_example() -> None:
    for sentence in ("The cat sat on the mat", "Zebras quietly juggle seven purple umbrellas !"):
        ex = worked_example(sentence)
        ref = reference_values(ex)
        for name in FIELDS:
            np.testing.assert_allclose(
                getattr(ex, name), ref[name], rtol=1e-12, atol=1e-13, err_msg=name
            )
        # 8 named dimensions over 2 heads: d_head = 4, sqrt = 2
        assert ref["sqrt_d_head"] == math.sqrt(4) == 2.0
        assert (ref["d_head"], ref["d_model"], ref["n_heads"]) == (4, 8, 2)
        assert ref["n_tokens"] == len(ex.tokens)


def test_reference_values_are_plain_python_floats() -> None:
    ref = reference_values(worked_example())
    assert type(ref["weights"][0][0]) is float
    assert type(ref["head_weights"][1][0][0]) is float
