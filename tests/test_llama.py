"""SmolLM2-135M-Instruct (``--model smollm2``) against PyTorch + transformers.

The expected numbers are a committed fixture made once by ``tests/reference/
make_smollm2_fixture.py`` in a throwaway environment (torch 2.13, transformers reading the
same GGUF, float64, with its float32 RMSNorm, rotary tables and softmax patched to float64):
token ids, every attention weight of every head, the next token's probabilities, and the
queries, keys and values of two layers. Nothing expected here comes from the code under test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import one_error_line
from typer.testing import CliRunner

from attention.core import causal_mask
from attention.digests import file_sha256
from attention.models.llama import MAX_PROMPT_TOKENS, LlamaModel
from attention.models.model import ForwardRecord, ModelError
from attention.models.registry import SMOLLM2_SHA256, load_model, smollm2_file
from attention.worked.next_token import generate, likeliest, next_probabilities
from explainer.cli.app import app

REFERENCE = Path(__file__).parent / "reference"
SCRIPTS = Path(__file__).parent.parent / "scripts"
FIXTURE = json.loads((REFERENCE / "smollm2_fixture.json").read_text(encoding="utf-8"))
ARRAYS = np.load(REFERENCE / "smollm2_fixture.npz")
TOLERANCE = 1e-9  # float64 against float64: the measured differences are about 1e-14
PROMPTS = FIXTURE["prompts"]


@pytest.fixture(scope="module")
def records(smollm2: LlamaModel) -> dict[int, ForwardRecord]:
    """Each fixture prompt's forward pass, run once for the module (by ids, as the fixture)."""
    return {
        p["index"]: smollm2.forward(smollm2.from_ids(ARRAYS[f"p{p['index']}__input_ids"].tolist()))
        for p in PROMPTS
    }


def _expected(index: int, field: str) -> Any:
    return ARRAYS[f"p{index}__{field}"]


def test_the_installed_file_is_the_pinned_one_the_fixture_used() -> None:
    assert file_sha256(smollm2_file()) == SMOLLM2_SHA256 == FIXTURE["gguf"]["sha256"]


@pytest.mark.parametrize("prompt", [p for p in PROMPTS if p["given_as"] == "text"],
                         ids=lambda p: f"p{p['index']}")  # fmt: skip
def test_prompts_tokenize_as_transformers_does(smollm2: LlamaModel, prompt: dict[str, Any]) -> None:
    tokens = smollm2.tokenize(prompt["text"])
    assert (
        list(tokens.ids) == _expected(prompt["index"], "input_ids").tolist() == prompt["input_ids"]
    )
    assert "".join(tokens.tokens) == tokens.sentence == prompt["text"]


@pytest.mark.parametrize("case", FIXTURE["tokenizer_texts"], ids=lambda c: repr(c["text"])[:20])
def test_the_tokenizer_agrees_on_tricky_texts(smollm2: LlamaModel, case: dict[str, Any]) -> None:
    ids = smollm2.tokenizer.encode(case["text"], add_special_tokens=False).ids
    assert list(ids) == case["input_ids"]


@pytest.mark.parametrize("index", [p["index"] for p in PROMPTS])
def test_every_attention_weight_agrees_with_pytorch(
    records: dict[int, ForwardRecord], index: int
) -> None:
    weights = records[index].stacked("weights")  # (30, 9, n, n)
    n = weights.shape[-1]
    assert weights.shape == (30, 9, n, n)
    rows, cols = np.tril_indices(n)
    assert np.abs(weights[..., rows, cols] - _expected(index, "attentions_tril")).max() < TOLERANCE
    assert np.all(weights[..., ~causal_mask(n)] == 0.0)  # exactly: a token sees no later one


@pytest.mark.parametrize("index", [p["index"] for p in PROMPTS])
def test_next_token_probabilities_agree_with_pytorch(
    records: dict[int, ForwardRecord], index: int
) -> None:
    record = records[index]
    probabilities = next_probabilities(record)
    top = _expected(index, "top_ids")
    assert np.array_equal(np.argsort(-probabilities, kind="stable")[: top.size], top)
    assert np.abs(probabilities[top] - _expected(index, "top_probs")).max() < TOLERANCE
    every = FIXTURE["sample_every"]
    assert np.abs(probabilities[::every] - _expected(index, "sampled_probs")).max() < TOLERANCE
    assert record.next_logits is not None
    peak = float(record.next_logits.max())
    logsumexp = peak + float(np.log(np.exp(record.next_logits - peak).sum()))
    assert abs(logsumexp - float(_expected(index, "logsumexp"))) < TOLERANCE


@pytest.mark.parametrize("layer", FIXTURE["qkv"]["layers"])
def test_queries_keys_values_agree_and_three_query_heads_share_a_key_head(
    records: dict[int, ForwardRecord], layer: int
) -> None:
    index = FIXTURE["qkv"]["prompt"]
    record = records[index].layers[layer]
    assert np.abs(record.q - _expected(index, f"q_l{layer}")).max() < TOLERANCE
    for field in ("k", "v"):
        shared = _expected(index, f"{field}_l{layer}")  # (3, n, 64): one per key/value head
        ours = getattr(record, field)  # (9, n, 64): the key/value head each query head reads
        for head in range(9):
            assert np.abs(ours[head] - shared[head // 3]).max() < TOLERANCE, (field, head)


def test_the_three_named_predictions(
    smollm2: LlamaModel, records: dict[int, ForwardRecord]
) -> None:
    expected = {p["text"]: p["next"] for p in PROMPTS}
    for text, word in (("The capital of France is", " Paris"), ("One, two, three, four,", " five"),
                       ("When Mary and John went to the store, John gave a bottle of milk to",
                        " Mary")):  # fmt: skip
        index = next(p["index"] for p in PROMPTS if p["text"] == text)
        top = likeliest(smollm2, records[index], 5)
        assert top[0].text == word == expected[text][0]
        assert abs(top[0].probability - expected[text][1]) < TOLERANCE
        assert [t.id for t in top] == _expected(index, "top_ids")[:5].tolist()
        assert all(a.probability >= b.probability for a, b in zip(top, top[1:], strict=False))


def test_generation_appends_the_likeliest_token_and_runs_again(smollm2: LlamaModel) -> None:
    prompt = smollm2.tokenize("One, two, three,")
    steps = generate(smollm2, prompt, 3)
    assert len(steps) == 3
    for s, step in enumerate(steps):
        ids = list(step.record.tokens.ids)
        assert len(ids) == len(prompt.ids) + s
        assert step.chosen.id == int(np.argmax(step.record.next_logits))
        if s:
            assert ids == [*steps[s - 1].record.tokens.ids, steps[s - 1].chosen.id]
        weights = step.record.stacked("weights")
        assert np.all(weights[..., ~causal_mask(len(ids))] == 0.0)
    assert steps[0].chosen.text == " four"
    text = steps[-1].record.tokens.sentence + steps[-1].chosen.text
    assert text.startswith("One, two, three, four")
    # a step's record is the forward pass of its text: the same as running it afresh
    again = smollm2.forward(smollm2.from_ids(steps[1].record.tokens.ids))
    assert np.array_equal(again.stacked("weights"), steps[1].record.stacked("weights"))


def test_numbers_json_has_the_documented_fields(runner: CliRunner) -> None:
    prompt = PROMPTS[0]
    result = runner.invoke(app, ["numbers", "--model", "smollm2", "--json", "--sentence",
                                 prompt["text"]])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ids"] == prompt["input_ids"]
    assert data["tokens"] == ["The", " capital", " of", " France", " is"]
    n = len(data["ids"])
    attention = np.array(data["attention"])
    assert attention.shape == (30, 9, n, n)
    assert data["n_kv_heads"] == 3
    rows, cols = np.tril_indices(n)
    assert np.abs(attention[..., rows, cols] - _expected(0, "attentions_tril")).max() < TOLERANCE
    model = load_model("smollm2")
    assert isinstance(model, LlamaModel)
    top = _expected(0, "top_ids")[:5].tolist()
    assert [t for t, _ in data["next"]] == [model.piece(i) for i in top]
    assert np.abs(np.array([p for _, p in data["next"]]) - _expected(0, "top_probs")[:5]).max() < (
        TOLERANCE
    )
    assert [len(heads) for heads in data["patterns"]] == [9] * 30


def test_bad_prompts_fail_in_one_line(smollm2: LlamaModel, runner: CliRunner) -> None:
    long = "one two three four " * 17  # 68 tokens
    cases = {"": "the prompt is empty", "   ": "the prompt is empty", "?! ...": "has no word",
             long: f"over the {MAX_PROMPT_TOKENS}"}  # fmt: skip
    for prompt, expected in cases.items():
        with pytest.raises(ModelError, match=expected):
            smollm2.tokenize(prompt)
        result = runner.invoke(app, ["numbers", "--model", "smollm2", "--sentence", prompt])
        assert result.exit_code == 1, prompt
        assert expected in one_error_line(result), prompt
    assert len(smollm2.tokenize(" ".join(["word"] * MAX_PROMPT_TOKENS)).ids) == MAX_PROMPT_TOKENS
    with pytest.raises(ModelError, match="token ids must be"):
        smollm2.from_ids([49152])


def test_an_altered_smollm2_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy.gguf"
    shutil.copy(smollm2_file(), copy)
    with copy.open("r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 0x01]))  # one bit of the last block: still a GGUF
    with pytest.raises(ModelError, match="not the file this model was checked with"):
        LlamaModel(copy, sha256=SMOLLM2_SHA256, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_scripts_of_other_models_refuse_smollm2_in_one_line(runner: CliRunner) -> None:
    for script, chapter in (("attention.toml", "Tokens"), ("trained-model.toml", "RealHead")):
        result = runner.invoke(app, ["check", str(SCRIPTS / script), "--model", "smollm2"])
        assert result.exit_code == 1, script
        line = one_error_line(result)
        assert f"chapter class {chapter} is written for" in line, line
        assert "cannot show 'smollm2', a decoder" in line, line


def test_the_explorer_of_a_decoder_is_its_next_word_view(runner: CliRunner, tmp_path: Path) -> None:
    # the page's numbers: tests/test_explorer_decoder.py (the same prompt: one generation)
    out = tmp_path / "explore"
    prompt = PROMPTS[0]["text"]
    result = runner.invoke(app, ["explore", "--model", "smollm2", "--sentence", prompt,
                                 "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "numbers verified" in result.output
    page = (out / "explorer.html").read_text(encoding="utf-8")
    assert '"views":[{"id":"next","title":"Next word"}]' in page
