"""The explorer of a decoder (``--model smollm2``): its Next word view's numbers.

One page is made for the module (the prompt of the PyTorch fixture's first prompt, four
forward passes and the reference's checks, a few seconds). Expected numbers never come
from the code under test: step 0's from the PyTorch fixture (tests/reference/), the later
steps' from the model's forward pass on ids this test chooses itself (the likeliest by
numpy), with the softmax, the rotary turn, the grouped-query head and the measures by
numpy here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import nearest, softmax

from attention.models.registry import load_model
from attention.numbers.ledger import NumbersLedger
from attention.numbers.verify import verify
from attention.spec import ExampleSpec
from attention.worked.example import example_for
from explainer.outputs.explore import ExplorerReport, make_explorer

REFERENCE = Path(__file__).parent / "reference"
FIXTURE = json.loads((REFERENCE / "smollm2_fixture.json").read_text(encoding="utf-8"))
ARRAYS = np.load(REFERENCE / "smollm2_fixture.npz")
PROMPT = FIXTURE["prompts"][0]  # "The capital of France is": step 0 is PyTorch's
SPEC = ExampleSpec(PROMPT["text"], None, "smollm2")
STEPS, TOP = 4, 5


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ExplorerReport:
    return make_explorer(SPEC, tmp_path_factory.mktemp("decoder-explorer"))


@pytest.fixture(scope="module")
def shown(report: ExplorerReport) -> dict[str, str]:
    numbers = json.loads(report.numbers.read_text(encoding="utf-8"))
    return {e["source"]: e["shown"] for e in numbers["entries"]}


@pytest.fixture(scope="module")
def page(report: ExplorerReport) -> dict[str, Any]:
    html = report.page.read_text(encoding="utf-8")
    found = re.search(r'id="explorer-data">(.*?)</script>', html, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture(scope="module")
def chain() -> list[Any]:
    """Four forward passes on ids chosen here: each step appends numpy's likeliest token."""
    model: Any = load_model("smollm2")
    ids, records = list(PROMPT["input_ids"]), []
    for _ in range(STEPS):
        record = model.forward(model.from_ids(ids))
        records.append(record)
        ids.append(int(np.argmax(record.next_logits)))
    return records


def _tril_last_row(layer: int, head: int) -> np.ndarray:
    n = PROMPT["n"]
    return ARRAYS["p0__attentions_tril"][layer, head][-n:]  # row n-1 of the lower triangle


def _tril_matrix(layer: int, head: int) -> np.ndarray:
    n, flat = PROMPT["n"], ARRAYS["p0__attentions_tril"][layer, head]
    w = np.zeros((n, n))
    w[np.tril_indices(n)] = flat
    return w


def _turn(x: np.ndarray, base: float) -> np.ndarray:  # [n, d]: rotary, halves as complex numbers
    n, d = x.shape
    z = x[:, : d // 2] + 1j * x[:, d // 2 :]
    theta = base ** (-2 * np.arange(d // 2) / d)
    z = z * np.exp(1j * np.arange(n)[:, None] * theta[None, :])
    return np.concatenate([z.real, z.imag], axis=1)


def _last_row(record: Any, layer: int, head: int) -> np.ndarray:
    """The last query's weights in head ``head`` of ``layer``, from what the layer read."""
    model: Any = load_model("smollm2")
    p, d = record.params[layer], record.params[layer].d_head
    kv = head // (p.n_heads // (p.w_k.shape[1] // d))
    reads = np.asarray(record.hidden[layer])
    q = _turn(reads @ p.w_q[:, head * d : (head + 1) * d], model.shape.rope_base)[-1]
    k = _turn(reads @ p.w_k[:, kv * d : (kv + 1) * d], model.shape.rope_base)
    return softmax(k @ q / np.sqrt(d))


def test_the_page_is_made_verified_and_small(report: ExplorerReport, page: dict[str, Any]) -> None:
    assert [v["id"] for v in page["views"]] == ["next"]
    assert report.entries > TOP * STEPS
    assert report.bytes < 150_000, report.bytes  # the featured heads' rows only


def test_step_0_is_pytorchs(shown: dict[str, str], page: dict[str, Any]) -> None:
    probs = ARRAYS["p0__top_probs"]
    assert [shown[f"step_next(0)[{k}]"] for k in range(TOP)] == [nearest(p, 2) for p in probs[:TOP]]
    assert page["next"]["steps"][0]["top"][0]["text"] == PROMPT["next"][0] == " Paris"
    for f in page["next"]["featured"]:
        at = f"{f['layer']}, {f['head']}"
        row = _tril_last_row(f["layer"], f["head"])
        texts = [shown[f"step_attention(0)[{at}, {j}]"] for j in range(PROMPT["n"])]
        assert texts == [nearest(w, 2) for w in row]
        assert shown[f"sum(step_attention(0)[{at}])"] == nearest(row.sum(), 2)
        w = _tril_matrix(f["layer"], f["head"])
        measure = {"previous": np.mean(np.diag(w, -1)), "first": np.mean(w[1:, 0])}
        assert shown[f["share"]] == nearest(measure[f["measure"]], 2)


def test_each_step_appends_the_likeliest_token(chain: list[Any], shown: dict[str, str],
                                               page: dict[str, Any]) -> None:  # fmt: skip
    model: Any = load_model("smollm2")
    for s, (record, step) in enumerate(zip(chain, page["next"]["steps"], strict=True)):
        assert step["tokens"] == [model.piece(i) for i in record.tokens.ids]
        probs = np.sort(softmax(record.next_logits))[::-1][:TOP]
        assert [shown[f"step_next({s})[{k}]"] for k in range(TOP)] == [nearest(p, 2) for p in probs]
    assert len(chain[-1].tokens.ids) == PROMPT["n"] + STEPS - 1


def test_the_last_rows_grow_and_match_numpy(chain: list[Any], shown: dict[str, str],
                                            page: dict[str, Any]) -> None:  # fmt: skip
    f = page["next"]["featured"][0]
    for s in (1, STEPS - 1):
        row = _last_row(chain[s], f["layer"], f["head"])
        assert len(row) == PROMPT["n"] + s
        at = f"{f['layer']}, {f['head']}"
        texts = [shown[f"step_attention({s})[{at}, {j}]"] for j in range(len(row))]
        assert texts == [nearest(w, 2) for w in row]
        assert page["next"]["steps"][s]["rows"][0] == pytest.approx(row, abs=1e-4)


def test_the_grid_names_every_head_and_the_featured_heads_are_the_strongest(
    page: dict[str, Any],
) -> None:
    grid = page["next"]["grid"]
    assert [len(layer) for layer in grid] == [9] * 30
    matrices = {(layer, h): _tril_matrix(layer, h) for layer in range(30) for h in range(9)}
    shares = {  # every head's measures by numpy, from PyTorch's weights
        at: {"previous": np.mean(np.diag(w, -1)), "first": np.mean(w[1:, 0])}
        for at, w in matrices.items()
    }
    for f in page["next"]["featured"]:
        best = max(shares, key=lambda at: shares[at][f["measure"]])
        assert (f["layer"], f["head"]) == best
    for (layer, h), m in shares.items():
        top = max(m, key=lambda k: m[k])  # the prompt repeats no token: no induction here
        assert grid[layer][h] == (top if m[top] >= 0.5 else "mixed"), (layer, h)


def test_a_nudged_probability_does_not_verify() -> None:
    ex = example_for(SPEC)
    true = nearest(ARRAYS["p0__top_probs"][0], 2)
    nudged = f"{float(true) + 0.01:.2f}"
    ledger = NumbersLedger()
    ledger.record("explorer", "P(next)", true, "step_next(0)[0]", 2)
    ledger.record("explorer", "P(next)", nudged, "step_next(0)[0]", 2)
    problems = verify(ledger, ex)
    assert len(problems) == 1
    assert f"shows {nudged}" in problems[0]
