"""The numbers ledger: rounding, serialisation, and verification of every kind of wrong entry."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from helpers import nearest, nearest_row
from hypothesis import given
from hypothesis import strategies as st

from attention import (
    LedgerEntry,
    NumbersLedger,
    format_number,
    format_row,
    parts_add_up,
    verify,
    worked_example,
)
from attention.numbers.recompute import reference_values
from attention.numbers.sources import SourceError, parse_source
from attention.numbers.spoken import spoken_numbers
from attention.spec import ExampleSpec

SENTENCE, FOCUS = "The cat sat on the mat", "sat"


def test_format_number_never_shows_negative_zero() -> None:
    assert format_number(-0.001, 2) == "0.00"
    assert format_number(-0.0, 1) == "0.0"
    assert format_number(-0.006, 2) == "-0.01"
    assert format_number(1.2345, 2) == "1.23"
    assert format_number(3, 0) == "3"


@given(st.integers(-(10**4), 10**4), st.integers(0, 4))
def test_format_number_is_the_same_on_both_sides_of_a_rounding_tie(k: int, decimals: int) -> None:
    # (k + 1/2) / 10^d is a tie at d decimals; numpy and the reference may land one ulp
    # either side of it, and must still print the same text.
    tie = (k + 0.5) / 10**decimals
    below, above = np.nextafter(tie, -np.inf), np.nextafter(tie, np.inf)
    assert format_number(float(below), decimals) == format_number(float(above), decimals)


def test_format_number_agrees_on_a_tie_the_two_summation_orders_reach() -> None:
    # 0.9*0.4 + 0.5*0.4 - 0.1*0.5 - 0.2*0.6 - 0.9*0.6 is -0.15 exactly in decimals;
    # in floats the two orders of summation straddle it.
    terms = [0.9 * 0.4, 0.5 * 0.4, -0.1 * 0.5, -0.2 * 0.6, -0.9 * 0.6]
    forward, backward = sum(terms), sum(reversed(terms))
    assert forward != backward
    assert format_number(forward, 1) == format_number(backward, 1)


def test_a_row_shows_each_weight_at_its_nearest_even_when_the_row_does_not_add_up() -> None:
    # By hand: 1/3 is 0.333.., nearest 0.33 (three of them show 0.99); 1/6 is 0.1666..,
    # nearest 0.17 (six of them show 1.02). No part is nudged to make 1.00.
    assert format_row([1 / 3] * 3, 2) == ["0.33"] * 3
    assert format_row([1 / 6] * 6, 2) == ["0.17"] * 6
    assert format_row([0.125, 0.125, 0.75], 1) == ["0.1", "0.1", "0.8"]
    assert not parts_add_up(format_row([1 / 6] * 6, 2), format_number(1.0, 2))
    assert parts_add_up(["0.25", "0.75"], "1.00")
    assert not parts_add_up(["0.33", "0.33", "0.33"], "1.00")
    assert parts_add_up(["-0.05", "1.05"], "1.00")


def test_the_story_row_shows_mat_at_its_nearest() -> None:
    # sat's scaled scores are 1.25 (cat), 0.88 (mat) and 0 for the four others (the designed
    # model's tables, docs/ARCHITECTURE.md); softmax by hand: mat gets 0.2435, shown 0.24, not
    # the 0.25 a row nudged to add up to 1.00 showed.
    ex = worked_example()
    scaled = [float(s) for s in ex.scaled_scores[ex.focus_index]]
    assert [round(s, 2) for s in scaled] == [0.0, 1.25, 0.0, 0.0, 0.0, 0.88]
    exps = [math.exp(s) for s in scaled]
    row = [e / sum(exps) for e in exps]
    assert 0.2430 < row[5] < 0.2440
    assert format_row(ex.weights[ex.focus_index], 2) == nearest_row(row) == [
        "0.10", "0.35", "0.10", "0.10", "0.10", "0.24"]  # fmt: skip


@given(
    st.lists(st.floats(0.001, 1000), min_size=1, max_size=12),
    st.integers(1, 3),
    st.data(),
)
def test_every_shown_weight_is_within_half_a_unit_and_equal_weights_look_equal(
    raw: list[float], decimals: int, data: st.DataObject
) -> None:
    # some values repeated, so rows have equal weights (as "The" and "the" do)
    repeats = data.draw(st.lists(st.sampled_from(raw), max_size=4))
    raw = raw + repeats
    total = sum(raw)
    row = [x / total for x in raw]
    shown = format_row(row, decimals)
    unit = Decimal(1).scaleb(-decimals)
    for text, x in zip(shown, row, strict=True):
        # half a unit, plus the documented snap to 9 decimals
        assert abs(Decimal(text) - Decimal(x)) <= unit / 2 + Decimal("1e-9")
        snapped = Decimal(x).quantize(Decimal("1e-9"))
        if (snapped / unit) % 1 != Decimal("0.5"):  # not an exact tie: one right answer
            assert text == nearest(x, decimals)
    for i, j in itertools.combinations(range(len(row)), 2):
        if row[i] == row[j]:
            assert shown[i] == shown[j]
    assert parts_add_up(shown, format_number(1.0, decimals)) == (
        sum(Decimal(t) for t in shown) == 1
    )


def test_the_and_the_look_equal_in_every_row_of_the_example() -> None:
    ex = worked_example()
    reference = reference_values(ex)
    the, the_lower = ex.tokens.index("The"), ex.tokens.index("the")
    rows = [*reference["weights"], *(r for head in reference["head_weights"] for r in head)]
    for row in rows:
        # identical embeddings give identical weights, and so identical texts
        assert math.isclose(row[the], row[the_lower], rel_tol=1e-12)
        shown = format_row(row, 2)
        assert shown[the] == shown[the_lower] == nearest(row[the], 2)


def test_record_returns_what_is_shown_and_keeps_order() -> None:
    ledger = NumbersLedger()
    assert ledger.record("scores", "q·k cat", "2.69", "scores[2, 1]", 2) == "2.69"
    ledger.record("weights", "w cat", "0.34", "weights[2, 1]", 2)
    assert ledger.entries == (
        LedgerEntry("scores", "q·k cat", "2.69", "scores[2, 1]", 2),
        LedgerEntry("weights", "w cat", "0.34", "weights[2, 1]", 2),
    )
    other = NumbersLedger()
    other.extend(ledger)
    other.extend([LedgerEntry("a", "b", "3", "d_head", 0)])
    assert len(other.entries) == 3


def check(ledger: NumbersLedger, sentence: str = SENTENCE, focus: str | None = FOCUS) -> list[str]:
    """The ledger verified against the reference for ``sentence`` and ``focus``."""
    return verify(ledger, worked_example(sentence, focus))


def test_json_round_trip() -> None:
    ledger = NumbersLedger()
    ledger.record("scores", "q·k cat", "2.69", "scores[2, 1]", 2)
    data = json.loads(ledger.to_json(ExampleSpec(SENTENCE, FOCUS)))
    assert (data["sentence"], data["focus"]) == (SENTENCE, FOCUS)
    assert data["entries"][0]["label"] == "q·k cat"
    assert NumbersLedger.from_dict(data).entries == ledger.entries


def test_parse_source_grammar() -> None:
    assert parse_source("sqrt_d_head").indices == ()
    assert parse_source("x[1]").indices == (1,)
    assert parse_source("head_weights[1, 2, 3]").indices == (1, 2, 3)
    assert parse_source("sum(weights[2])").total
    assert parse_source("sum(attention[5, 11, 3])").indices == (5, 11, 3)
    for bad in ("__import__('os')", "weights[2][1]", "weights[-1, 0]", "weights[1, 2, 3, 4, 5]",
                "foo[1]", "sum(weights)", "weights.T[0, 1]", "max(weights[2])"):  # fmt: skip
        with pytest.raises(SourceError):
            parse_source(bad)


def correct_ledger() -> NumbersLedger:
    """Entries built from first principles (numpy on the example), not from the reference."""
    ex = worked_example(SENTENCE, FOCUS)
    ledger = NumbersLedger()
    f = ex.focus_index
    for j, token in enumerate(ex.tokens):
        ledger.record("scores", f"q·k {token}", f"{ex.scores[f, j]:.2f}", f"scores[{f}, {j}]", 2)
    for j, w in enumerate(ex.weights[f]):
        ledger.record("weights", f"w {ex.tokens[j]}", nearest(w, 2), f"weights[{f}, {j}]", 2)
    ledger.record("scale", "sqrt d", f"{np.sqrt(4):.2f}", "sqrt_d_head", 2)
    ledger.record("dims", "d_model", "8", "d_model", 0)
    ledger.record("x", "x cat 0", f"{ex.x[1, 0]:.1f}", "x[1, 0]", 1)
    ledger.record("mha", "head 1 sat->on", f"{ex.head_weights[1, f, 3]:.3f}",
                  f"head_weights[1, {f}, 3]", 3)  # fmt: skip
    ledger.record("weights", "row sum", "1.00", f"sum(weights[{f}])", 2)
    return ledger


def test_a_trained_head_s_row_sums_to_one_and_a_wrong_total_is_caught() -> None:
    # a softmax row adds up to 1 whatever the head: the expected text needs no model
    ex = worked_example("The bank of the river flooded", "bank", "minilm")
    ledger = NumbersLedger()
    ledger.record("heads", "row sum", "1.00", "sum(attention[2, 7, 2])", 2)
    assert verify(ledger, ex) == []
    ledger.record("heads", "a whole head summed", "1.00", "sum(attention[2, 7])", 2)
    assert verify(ledger, ex) == [
        "scene 'heads': 'a whole head summed' has a bad source: source 'sum(attention[2, 7])': "
        "sum() needs a row of numbers"
    ]


def test_verify_passes_a_correct_ledger_and_its_json() -> None:
    ledger = correct_ledger()
    assert check(ledger) == []
    data = json.loads(ledger.to_json(ExampleSpec(SENTENCE, FOCUS)))
    assert check(NumbersLedger.from_dict(data), data["sentence"], data["focus"]) == []


def tampered(change: dict[str, object], index: int) -> NumbersLedger:
    entries = list(correct_ledger().entries)
    entries[index] = dataclasses.replace(entries[index], **change)  # type: ignore[arg-type]
    return NumbersLedger(entries)


def test_verify_reports_a_tampered_value_at_the_displayed_precision() -> None:
    ex = worked_example()
    true = f"{ex.scores[2, 1]:.2f}"
    wrong = f"{ex.scores[2, 1] + 0.01:.2f}"
    problems = check(tampered({"shown": wrong}, 1))
    assert problems == [
        f"scene 'scores': 'q·k cat' shows {wrong} but scores[2, 1] = "
        f"{ex.scores[2, 1]:.4f} -> {true} (the nearest at 2 decimals)"
    ]


def test_verify_reports_a_wrong_source() -> None:
    problems = check(tampered({"source": "scores[2, 5]"}, 1))
    assert len(problems) == 1
    assert "scores[2, 5]" in problems[0]


@pytest.mark.parametrize("source", ["scores[9, 1]", "nonsense", "scores", "open('x')"])
def test_verify_reports_unknown_or_malformed_sources(source: str) -> None:
    problems = check(tampered({"source": source}, 1))
    assert len(problems) == 1
    assert "bad source" in problems[0]
    assert "'q·k cat'" in problems[0]


def _sat_row(shown: list[str]) -> NumbersLedger:
    ledger = NumbersLedger()
    for j, text in enumerate(shown):
        ledger.record("softmax", f"w{j}", text, f"weights[2, {j}]", 2)
    return ledger


def test_verify_reports_a_weight_nudged_to_make_the_row_add_up() -> None:
    # sat's row by hand (scaled scores 1.25, 0.88 and 0): mat's weight is 0.2435. Shown at
    # its nearest, 0.24, the row adds up to 0.99; nudged to 0.25 it adds up to 1.00, and
    # that text is more than half a unit (0.005) from the weight: the check fails it.
    exps = [math.exp(s) for s in (0.0, 1.25, 0.0, 0.0, 0.0, 0.88)]
    mat = exps[5] / sum(exps)
    honest = ["0.10", "0.35", "0.10", "0.10", "0.10", "0.24"]
    assert check(_sat_row(honest)) == []
    nudged = [*honest[:5], "0.25"]
    assert abs(0.25 - mat) > 0.005
    assert check(_sat_row(nudged)) == [
        f"scene 'softmax': 'w5' shows 0.25 but weights[2, 5] = {worked_example().weights[2, 5]:.4f}"
        " -> 0.24 (the nearest at 2 decimals)"
    ]


def test_verify_passes_six_equal_weights_shown_alike_with_their_true_sum() -> None:
    # "The" asks for nothing: six weights of 1/6, each 0.17 (1.02 together), sum 1.00
    ledger = NumbersLedger()
    for j in range(6):
        ledger.record("heads", f"w{j}", "0.17", f"weights[0, {j}]", 2)
    ledger.record("heads", "Σ The", "1.00", "sum(weights[0])", 2)
    assert check(ledger) == []
    # the old largest-remainder row (two of the six nudged down to 0.16) fails twice
    nudged = NumbersLedger()
    for j, text in enumerate(["0.17"] * 4 + ["0.16"] * 2):
        nudged.record("heads", f"w{j}", text, f"weights[0, {j}]", 2)
    problems = check(nudged)
    assert [p.split(" shows")[0] for p in problems] == [
        "scene 'heads': 'w4'", "scene 'heads': 'w5'"]  # fmt: skip


def test_verify_reports_weights_moved_between_tokens() -> None:
    entries = list(correct_ledger().entries)
    weights = [e for e in entries if e.source.startswith("weights[")]
    a, b = weights[1], weights[5]  # cat 0.35 and mat 0.24 swapped
    swapped = NumbersLedger(
        dataclasses.replace(e, shown=b.shown if e is a else a.shown if e is b else e.shown)
        for e in entries
    )
    problems = check(swapped)
    assert len(problems) == 2
    assert all("(the nearest at 2 decimals)" in p for p in problems)


def test_verify_uses_the_sentence_and_focus_it_is_given() -> None:
    ledger = NumbersLedger()
    ledger.record("dims", "tokens", "4", "n_tokens", 0)
    assert check(ledger, "A dog ran home", None) == []
    assert len(check(ledger)) == 1


def test_spoken_numbers_pairs_each_said_number_with_what_its_scene_shows() -> None:
    shown = [
        LedgerEntry("softmax", "w cat", "0.41", "weights[2, 1]", 2),
        LedgerEntry("scores", "q·k you", "-0.23", "scores[0, 2]", 2),
    ]
    said = [
        ("softmax", "gives", "sat gives cat 0.41."),  # sentence-final full stop
        ("scores", "top", "it scores highest with you: -0.23."),
        ("tokens", "embed", "each token becomes a vector of 6 numbers"),  # a count, not a value
    ]
    records, problems = spoken_numbers(said, shown)
    assert problems == []
    assert [(r["scene"], r["said"], r["source"]) for r in records] == [
        ("softmax", "0.41", "weights[2, 1]"),
        ("scores", "-0.23", "scores[0, 2]"),
    ]


@pytest.mark.parametrize(
    ("scene", "text", "number"),
    [
        ("softmax", "cat gets 0.42", "0.42"),  # not shown anywhere
        ("tokens", "later cat gets 0.41", "0.41"),  # shown, but by another scene
        ("scores", "it scores 0.23", "0.23"),  # the screen shows -0.23
    ],
)
def test_spoken_numbers_reports_a_number_its_scene_does_not_show(
    scene: str, text: str, number: str
) -> None:
    shown = [
        LedgerEntry("softmax", "w cat", "0.41", "weights[2, 1]", 2),
        LedgerEntry("scores", "q·k you", "-0.23", "scores[0, 2]", 2),
    ]
    records, problems = spoken_numbers([(scene, "b1", text)], shown)
    assert records == []
    assert problems == [f"scene {scene!r}, beat 'b1' says {number} but the scene shows no {number}"]


def test_record_rejects_a_bad_source_at_once() -> None:
    ledger = NumbersLedger()
    for bad in ("weights[2][1]", "foo[1]", "sum(weights)", "__import__('os')"):
        with pytest.raises(SourceError):
            ledger.record("scores", "q·k cat", "2.69", bad, 2)
    assert ledger.entries == (), "nothing is recorded for a bad source"
    assert ledger.record("scores", "q·k cat", "2.69", "scores[2, 1]", 2) == "2.69"


def test_the_spoken_list_travels_with_the_ledger() -> None:
    entries = [LedgerEntry("softmax", "w cat", "0.41", "weights[2, 1]", 2)]
    said = [("softmax", "gives", "sat gives cat 0.41."), ("softmax", "odd", "or 0.42")]
    records, unshown = spoken_numbers(said, entries)
    assert unshown == ["scene 'softmax', beat 'odd' says 0.42 but the scene shows no 0.42"]
    matched = NumbersLedger(entries, records)
    assert matched.entries == tuple(entries)
    data = matched.to_dict(ExampleSpec(SENTENCE, FOCUS))
    assert data["spoken"] == records
    text = matched.to_json(ExampleSpec(SENTENCE, FOCUS))
    assert json.loads(text) == data
    again = NumbersLedger.from_dict(json.loads(text))
    assert (again.entries, again.spoken) == (matched.entries, matched.spoken)


# -- a script's numbers, checked in one place (explainer.pipeline.checks) --------------------

TINY = Path(__file__).parent / "data" / "tiny.toml"


def tiny_ledgers() -> dict[str, list[LedgerEntry]]:
    """What the tiny script's two scenes could show, built here from the worked example."""
    ex = worked_example(SENTENCE, FOCUS)
    f = ex.focus_index
    row = nearest_row(ex.weights[f])
    top = int(np.argmax(ex.weights[f]))
    return {
        "tokens": [LedgerEntry("tokens", "d_model", "8", "d_model", 0)],
        "blend": [
            LedgerEntry("blend", f"w {ex.tokens[j]}", w, f"weights[{f}, {j}]", 2)
            for j, w in enumerate(row)
        ],
        # not a scene: the entry the narration's {top_weight} repeats
        "top": [LedgerEntry("blend", "top", row[top], f"weights[{f}, {top}]", 2)],
    }


def test_check_numbers_merges_in_video_order_and_matches_what_is_said() -> None:
    from explainer.pipeline.checks import check_numbers
    from explainer.plan.script import load_script

    script = load_script(TINY)
    shown = tiny_ledgers()
    top = shown.pop("top")[0]
    # given in another order: the ledger follows the script's scenes
    checked = check_numbers(script, {"blend": shown["blend"], "tokens": shown["tokens"]})
    assert checked.problems == []
    checked.raise_problems()  # nothing to raise
    scenes = (*shown["tokens"], *shown["blend"])
    assert checked.ledger.entries[: len(scenes)] == scenes
    # then the explorer's numbers (the render's explorer.html shows them), checked too
    explorer = checked.ledger.entries[len(scenes) :]
    assert explorer
    assert {e.scene for e in explorer} == {"explorer"}
    said = script.scene("blend").beats[2].text
    assert [(s["scene"], s["beat"], s["said"], s["source"]) for s in checked.ledger.spoken] == [
        ("blend", "blend_bar", top.shown, top.source)
    ]
    assert top.shown in said


def test_check_numbers_reports_a_wrong_number_and_an_unshown_spoken_one() -> None:
    from explainer.core.errors import RenderError
    from explainer.pipeline.checks import check_numbers
    from explainer.plan.script import load_script

    script = load_script(TINY)
    shown = tiny_ledgers()
    shown.pop("top")
    shown["tokens"] = [LedgerEntry("tokens", "d_model", "7", "d_model", 0)]
    blend = shown["blend"]
    shown["blend"] = [e for e in blend if e.shown not in script.scene("blend").beats[2].text]
    checked = check_numbers(script, shown)
    assert len(checked.problems) == 2, checked.problems  # 7 != 8; a said number unshown
    assert checked.problems[0].startswith("scene 'tokens': 'd_model' shows 7")
    assert checked.problems[-1].startswith("scene 'blend', beat 'blend_bar' says ")
    with pytest.raises(RenderError, match=r"a number does not verify: scene 'tokens'.*1 more"):
        checked.raise_problems()


def test_scene_checks_are_kept_and_reused_while_their_inputs_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from explainer.pipeline import checks as numbers_module
    from explainer.plan.script import load_script

    shown = tiny_ledgers()
    dry_runs: list[str] = []

    def dry_run(plan):  # noqa: ANN001, ANN202 - stands in for a Manim dry run
        dry_runs.append(plan.scene_id)
        layout = ["chapter 2 (blend), beat 'x': 'a' overlaps or touches 'b'"]
        return numbers_module.SceneCheck(
            shown[plan.scene_id], layout if plan.scene_id == "blend" else []
        )

    monkeypatch.setattr(numbers_module, "_dry_run", dry_run)
    script = load_script(TINY)
    seen: list[tuple[str, bool]] = []
    first = numbers_module.scene_checks(script.scenes, tmp_path, lambda *a: seen.append(a))
    assert dry_runs == ["tokens", "blend"]
    assert seen == [("tokens", False), ("blend", False)]
    assert {k: v.entries for k, v in first.items()} == {
        "tokens": shown["tokens"],
        "blend": shown["blend"],
    }
    assert first["blend"].layout == ["chapter 2 (blend), beat 'x': 'a' overlaps or touches 'b'"]
    # unchanged plans: no dry run, the same entries read back
    seen.clear()
    assert numbers_module.scene_checks(script.scenes, tmp_path, lambda *a: seen.append(a)) == first
    assert dry_runs == ["tokens", "blend"]
    assert seen == [("tokens", True), ("blend", True)]
    # new wording (so new beat lengths) moves frames, not numbers: still kept
    cache = tmp_path / "ledgers"
    numbers_module.scene_checks(script.scenes, cache)
    dry_runs.clear()
    edited = tmp_path / "tiny.toml"
    edited.write_text(TINY.read_text().replace('"Add them up."', '"Now add them all up."'))
    reworded = load_script(edited)
    assert reworded.scene("blend").beats[1].speech != script.scene("blend").beats[1].speech
    numbers_module.scene_checks(reworded.scenes, cache)
    assert dry_runs == []
    # another sentence is another example: every scene runs again, beside the first ones
    other = load_script(TINY, sentence="A dog chased the ball")
    numbers_module.scene_checks(other.scenes, cache)
    assert dry_runs == ["tokens", "blend"]
    kept = sorted(path.name.split("-")[0] for path in cache.iterdir())
    assert kept == ["blend", "blend", "tokens", "tokens"]
    numbers_module.scene_checks(script.scenes, cache)  # the first sentence's are still kept
    assert dry_runs == ["tokens", "blend"]
    # a damaged kept ledger is not trusted
    for path in cache.iterdir():
        path.write_text("{not json")
    numbers_module.scene_checks(script.scenes, cache)
    assert dry_runs == ["tokens", "blend"] * 2
