"""A decoder's head patterns: each measure recomputed here with plain loops, never through
:mod:`attention.story.decoder_patterns`, and the heads SmolLM2 has on a repeated random sequence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from attention.models.llama import LlamaModel
from attention.models.model import ForwardRecord
from attention.models.registry import load_model
from attention.story.decoder_patterns import (
    THRESHOLD,
    decoder_heads,
    first_share,
    induction_share,
    previous_share,
)
from explainer.cli.app import app

Matrix = Sequence[Sequence[float]]


# --- the measures, by loops over one head's rows ---------------------------------------------


def loop_previous(w: Matrix) -> float:
    """Mean over queries 1..n-1 of the weight on the key one place to the left."""
    values = [w[query][query - 1] for query in range(1, len(w))]
    return sum(values) / len(values) if values else math.nan


def loop_first(w: Matrix) -> float:
    """Mean over queries 1..n-1 of the weight on key 0."""
    values = [w[query][0] for query in range(1, len(w))]
    return sum(values) / len(values) if values else math.nan


def loop_induction(w: Matrix, ids: Sequence[int]) -> float:
    """Mean over queries that have one of the weight on every earlier key whose left
    neighbour is the query's own token (the token that followed it last time)."""
    per_query = []
    for query in range(len(ids)):
        keys = [key for key in range(1, query) if ids[key - 1] == ids[query]]
        if keys:
            per_query.append(sum(w[query][key] for key in keys))
    return sum(per_query) / len(per_query) if per_query else math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-12


def _causal_rows(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    n = draw(st.integers(1, 9))
    raw = draw(st.lists(st.floats(0.0, 1.0), min_size=n * n, max_size=n * n))
    w = np.tril(np.array(raw).reshape(n, n))
    ids = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))  # few ids: repeats
    return w, ids


@settings(max_examples=200, deadline=None)
@given(st.composite(_causal_rows)())
def test_each_measure_equals_its_loop(case: tuple[np.ndarray, list[int]]) -> None:
    w, ids = case
    rows = w.tolist()
    assert _same(float(previous_share(w)), loop_previous(rows))
    assert _same(float(first_share(w)), loop_first(rows))
    assert _same(float(induction_share(w, ids)), loop_induction(rows, ids))
    # the same measures, every head of a stack at once
    stack = np.stack([w, w[::-1, ::-1].copy()])[None]  # (1, 2, n, n)
    for h, head in enumerate(decoder_heads(stack, ids)[0]):
        loops = (loop_previous(stack[0, h].tolist()), loop_first(stack[0, h].tolist()),
                 loop_induction(stack[0, h].tolist(), ids))  # fmt: skip
        for ours, loop in zip(head.measures, loops, strict=True):
            assert _same(math.nan if ours is None else ours, loop)


# --- SmolLM2 on a repeated random sequence ---------------------------------------------------

REPEATED_SEED, REPEATED_LENGTH = 2, 12


@pytest.fixture(scope="module")
def repeated() -> tuple[list[int], ForwardRecord]:
    """Twelve random word tokens (a space and 4+ ASCII letters), seeded, given twice."""
    model = load_model("smollm2")
    assert isinstance(model, LlamaModel)
    vocab = model.tokenizer.get_vocab()
    words = sorted(i for t, i in vocab.items() if t[:1] == "Ġ" and t[1:].isascii()
                   and t[1:].isalpha() and len(t) >= 5)  # fmt: skip
    rng = np.random.default_rng(REPEATED_SEED)
    ids = [int(i) for i in rng.choice(words, size=REPEATED_LENGTH, replace=False)] * 2
    return ids, model.forward(model.from_ids(ids))


def _looped(record: ForwardRecord, ids: list[int]) -> dict[str, dict[tuple[int, int], float]]:
    weights = record.stacked("weights")
    out: dict[str, dict[tuple[int, int], float]] = {"previous": {}, "first": {}, "induction": {}}
    for layer in range(weights.shape[0]):
        for head in range(weights.shape[1]):
            w = weights[layer, head].tolist()
            out["previous"][layer, head] = loop_previous(w)
            out["first"][layer, head] = loop_first(w)
            out["induction"][layer, head] = loop_induction(w, ids)
    return out


def test_induction_heads_follow_previous_token_heads(
    repeated: tuple[list[int], ForwardRecord],
) -> None:
    ids, record = repeated
    looped = _looped(record, ids)
    induction = sorted(k for k, v in looped["induction"].items() if v >= THRESHOLD)
    previous = sorted(k for k, v in looped["previous"].items() if v >= THRESHOLD)
    assert len(induction) >= 3, looped["induction"]
    assert previous, looped["previous"]
    # a head can only look at "the token after the earlier one" if an earlier layer wrote,
    # into each token, which token preceded it: a previous-token head comes first
    assert min(layer for layer, _ in previous) < min(layer for layer, _ in induction)
    # grouped-query attention: three query heads of one layer share a key/value head, and
    # on this sequence all three are induction heads
    shared = {(layer, head // 3) for layer, head in induction}
    assert any(all((layer, 3 * kv + h) in induction for h in range(3)) for layer, kv in shared)
    # the project's measures say the same, head for head
    heads = decoder_heads(record.stacked("weights"), ids)
    for (layer, head), value in looped["induction"].items():
        assert abs((heads[layer][head].induction or 0.0) - value) < 1e-12
        assert (heads[layer][head].habit == "induction") == (
            value >= THRESHOLD and value == max(looped[m][layer, head] for m in looped)
        )


def test_numbers_json_patterns_equal_loops_over_its_own_weights(runner: CliRunner) -> None:
    sentence = "The cat sat on the mat and the cat sat on the"
    result = runner.invoke(app, ["numbers", "--model", "smollm2", "--json", "--sentence", sentence])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    ids = data["ids"]
    assert data["induction_rows"] == sum(
        any(ids[k - 1] == ids[q] for k in range(1, q)) for q in range(len(ids))
    )
    for layer, heads in enumerate(data["patterns"]):
        for head, pattern in enumerate(heads):
            w = data["attention"][layer][head]
            for name, loop in (("previous", loop_previous(w)), ("first", loop_first(w)),
                               ("induction", loop_induction(w, ids))):  # fmt: skip
                assert _same(math.nan if pattern[name] is None else pattern[name], loop)
