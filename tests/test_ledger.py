"""The numbers ledger: rounding, serialisation, and verification of every kind of wrong entry."""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attention import LedgerEntry, NumbersLedger, format_number, round_row, verify, worked_example
from attention.reference import reference_values
from attention.sources import SourceError, parse_source
from attention.spec import ExampleSpec
from attention.spoken import spoken_numbers

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


def test_round_row_uses_largest_remainders() -> None:
    # By hand: 0.333.. floors to 33 units each (99); one unit left goes to the first tie.
    assert round_row([1 / 3, 1 / 3, 1 / 3], 2) == [0.34, 0.33, 0.33]
    # 0.125, 0.125, 0.75 at 1 decimal: floors 1, 1, 7 (9 units); remainders .25 .25 .5 -> last.
    assert round_row([0.125, 0.125, 0.75], 1) == [0.1, 0.1, 0.8]
    # Plain rounding would give 0.17 * 6 = 1.02.
    assert sum(round(x, 2) for x in [1 / 6] * 6) > 1
    assert round_row([1 / 6] * 6, 2) == [0.17, 0.17, 0.17, 0.17, 0.16, 0.16]


@given(
    st.lists(st.floats(0.001, 1000), min_size=1, max_size=12),
    st.integers(1, 3),
)
def test_round_row_always_sums_to_exactly_one(raw: list[float], decimals: int) -> None:
    total = sum(raw)
    row = [x / total for x in raw]
    shown = round_row(row, decimals)
    units = [Fraction(format_number(s, decimals)) * 10**decimals for s in shown]
    assert all(u.denominator == 1 for u in units)
    assert sum(units) == 10**decimals
    for s, x in zip(shown, row, strict=True):
        assert abs(s - x) < 10**-decimals + 1e-12  # never more than one unit away


def test_round_row_shows_equal_weights_as_equal_numbers() -> None:
    # 0.135, 0.135, 0.73: floors 13 + 13 + 73 = 99 units, one missing. The two equal
    # weights cannot both take it, so the 0.73 does: 0.13, 0.13, 0.74 (each still its
    # value rounded down or up), never 0.14 next to 0.13 for the same weight.
    assert round_row([0.135, 0.135, 0.73], 2) == [0.13, 0.13, 0.74]
    # 0.125, 0.125, 0.375, 0.375: 98 units, two missing, one whole pair takes them (the
    # earlier pair on equal remainders).
    assert round_row([0.125, 0.125, 0.375, 0.375], 2) == [0.13, 0.13, 0.37, 0.37]
    # Three equal thirds with one unit missing: no whole group fits, so it is split.
    assert round_row([1 / 3] * 3, 1) == [0.4, 0.3, 0.3]


def test_round_row_of_the_example_shows_the_and_the_alike() -> None:
    ex = worked_example()
    reference = reference_values(ex)
    the, the_lower = ex.tokens.index("The"), ex.tokens.index("the")
    rows = [*reference["weights"], *(r for head in reference["head_weights"] for r in head)]
    for row in rows:
        # identical embeddings give identical weights ...
        assert math.isclose(row[the], row[the_lower], rel_tol=1e-12)
        shown = round_row(row, 2)
        assert sum(round(v * 100) for v in shown) == 100
        # ... shown at most one unit apart (six equal weights of 1/6 cannot all show
        # the same number and still add up to 1.00) ...
        assert abs(shown[the] - shown[the_lower]) <= 0.01 + 1e-12
    # ... and equal in the story row: sat's scaled scores are 1.25 (cat), 0.88 (mat) and 0,
    # so its weights are 0.3525, 0.2435 and 0.1010 for each of the four others: floors
    # 35 + 24 + 4 * 10 = 99 units, and the one missing unit goes to mat (remainder .35).
    row = reference["weights"][ex.focus_index]
    assert round_row(row, 2) == [0.10, 0.35, 0.10, 0.10, 0.10, 0.25]


def test_record_returns_what_is_shown_and_keeps_order() -> None:
    ledger = NumbersLedger()
    assert ledger.record("scores", "q·k cat", "2.69", "scores[2, 1]", 2) == "2.69"
    ledger.record("weights", "w cat", "0.34", "weights[2, 1]", 2, group="weights[2]")
    assert ledger.entries == (
        LedgerEntry("scores", "q·k cat", "2.69", "scores[2, 1]", 2),
        LedgerEntry("weights", "w cat", "0.34", "weights[2, 1]", 2, "weights[2]"),
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
    for j, w in enumerate(round_row(list(ex.weights[f]), 2)):
        ledger.record("weights", f"w {ex.tokens[j]}", f"{w:.2f}", f"weights[{f}, {j}]", 2,
                      group=f"weights[{f}]")  # fmt: skip
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
        f"{ex.scores[2, 1]:.4f} -> {true}"
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


def test_verify_reports_a_group_that_does_not_sum_to_one() -> None:
    ex = worked_example()
    plain = [f"{w:.2f}" for w in ex.weights[2]]  # plain rounding, not largest remainder
    ledger = NumbersLedger()
    for j, text in enumerate(plain):
        ledger.record("weights", f"w{j}", text, f"weights[2, {j}]", 2, group="row")
    total = sum(int(t.replace(".", "")) for t in plain)
    problems = check(ledger)
    if total != 100:
        assert any("sums to" in p and "'row'" in p for p in problems)
    largest_remainder = [f"{w:.2f}" for w in round_row(list(ex.weights[2]), 2)]
    differing = sum(a != b for a, b in zip(plain, largest_remainder, strict=True))
    assert sum("largest-remainder" in p for p in problems) == differing
    assert len(problems) == (total != 100) + differing
    # The default row is one where plain rounding is wrong, so this test checks something.
    assert problems


def test_verify_reports_a_group_value_moved_between_tokens() -> None:
    entries = list(correct_ledger().entries)
    weights = [e for e in entries if e.group]
    a, b = weights[1], weights[2]  # swap two shown values: the sum stays 1.00
    swapped = [
        LedgerEntry(
            e.scene,
            e.label,
            b.shown if e is a else a.shown if e is b else e.shown,
            e.source,
            e.decimals,
            e.group,
        )  # fmt: skip
        for e in entries
    ]
    problems = check(NumbersLedger(swapped))
    assert len(problems) == 2
    assert all("largest-remainder" in p for p in problems)


def test_verify_uses_the_sentence_and_focus_it_is_given() -> None:
    ledger = NumbersLedger()
    ledger.record("dims", "tokens", "4", "n_tokens", 0)
    assert check(ledger, "A dog ran home", None) == []
    assert len(check(ledger)) == 1


def test_verify_reports_a_tampered_group_value_and_the_broken_sum() -> None:
    entries = list(correct_ledger().entries)
    i = next(n for n, e in enumerate(entries) if e.group and e.label == "w mat")
    e = entries[i]
    bumped = f"{float(e.shown) + 0.01:.2f}"
    entries[i] = LedgerEntry(e.scene, e.label, bumped, e.source, e.decimals, e.group)
    problems = check(NumbersLedger(entries))
    assert problems == [
        "group 'weights[2]' (scene 'weights') sums to 1.01, not 1.00 at 2 decimals",
        f"scene 'weights': 'w mat' shows {bumped} but the largest-remainder rounding of "
        f"weights[2] gives {e.shown} for weights[2, 5]",
    ]


def test_verify_reports_a_group_over_something_that_is_not_a_probability_row() -> None:
    ledger = NumbersLedger()
    ledger.record("scores", "s0", "0.50", "scores[2, 0]", 2, group="scores[2]")
    ledger.record("scores", "s1", "0.50", "scores[2, 1]", 2, group="scores[2]")
    problems = check(ledger)
    assert len(problems) == 2
    assert all("is not a probability" in p for p in problems)


def _weight_row_entries(scene: str, shown: list[str]) -> list[LedgerEntry]:
    f = worked_example(SENTENCE, FOCUS).focus_index
    return [
        LedgerEntry(scene, f"w{j}", s, f"weights[{f}, {j}]", 2, group=f"weights[{f}]")
        for j, s in enumerate(shown)
    ]


def test_verify_counts_a_row_shown_twice_in_a_scene_once() -> None:
    ex = worked_example(SENTENCE, FOCUS)
    shown = [f"{w:.2f}" for w in round_row(list(ex.weights[ex.focus_index]), 2)]
    # the same row as numbers and as bar labels, and again in another scene
    entries = _weight_row_entries("softmax", shown) * 2 + _weight_row_entries("blend", shown)
    assert check(NumbersLedger(entries)) == []


def test_verify_reports_one_source_shown_two_ways_in_a_group() -> None:
    ex = worked_example(SENTENCE, FOCUS)
    shown = [f"{w:.2f}" for w in round_row(list(ex.weights[ex.focus_index]), 2)]
    plain = [f"{w:.2f}" for w in ex.weights[ex.focus_index]]  # naive rounding
    differs = [j for j in range(len(shown)) if shown[j] != plain[j]]
    assert differs, "the default row needs largest-remainder rounding to sum to 1"
    second = list(shown)
    second[differs[0]] = plain[differs[0]]
    entries = _weight_row_entries("softmax", shown) + _weight_row_entries("softmax", second)
    problems = check(NumbersLedger(entries))
    assert len(problems) == 1
    assert f"for the same weights[{ex.focus_index}, {differs[0]}]" in problems[0]


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


# -- a script's numbers, checked in one place (explainer.checks) -------------------------------

TINY = Path(__file__).parent / "data" / "tiny.toml"


def tiny_ledgers() -> dict[str, list[LedgerEntry]]:
    """What the tiny script's two scenes could show, built here from the worked example."""
    ex = worked_example(SENTENCE, FOCUS)
    f = ex.focus_index
    row = round_row(list(ex.weights[f]), 2)
    top = int(np.argmax(ex.weights[f]))
    group = f"weights[{f}]"
    return {
        "tokens": [LedgerEntry("tokens", "d_model", "8", "d_model", 0)],
        "blend": [
            LedgerEntry("blend", f"w {ex.tokens[j]}", f"{w:.2f}", f"weights[{f}, {j}]", 2, group)
            for j, w in enumerate(row)
        ],
        # not a scene: the entry the narration's {top_weight} repeats
        "top": [LedgerEntry("blend", "top", f"{row[top]:.2f}", f"weights[{f}, {top}]", 2)],
    }


def test_check_numbers_merges_in_video_order_and_matches_what_is_said() -> None:
    from explainer.checks import check_numbers
    from explainer.script import load_script

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
    from explainer.checks import check_numbers
    from explainer.errors import RenderError
    from explainer.script import load_script

    script = load_script(TINY)
    shown = tiny_ledgers()
    shown.pop("top")
    shown["tokens"] = [LedgerEntry("tokens", "d_model", "7", "d_model", 0)]
    blend = shown["blend"]
    shown["blend"] = [e for e in blend if e.shown not in script.scene("blend").beats[2].text]
    checked = check_numbers(script, shown)
    assert len(checked.problems) == 3, checked.problems  # 7 != 6; a broken group; unshown
    assert checked.problems[0].startswith("scene 'tokens': 'd_model' shows 7")
    assert checked.problems[-1].startswith("scene 'blend', beat 'blend_bar' says ")
    with pytest.raises(RenderError, match=r"a number does not verify: scene 'tokens'.*2 more"):
        checked.raise_problems()


def test_scene_checks_are_kept_and_reused_while_their_inputs_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from explainer import checks as numbers_module
    from explainer.script import load_script

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
