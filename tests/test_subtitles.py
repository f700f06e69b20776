"""SRT and WebVTT: parsed back by an independent reader, cues timed and covering the narration."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention.spec import ExampleSpec
from explainer.outputs.subtitles import to_srt, to_vtt, wrap
from explainer.plan.timeline import BeatTiming, SceneTiming, Timeline
from scenes.plan import Beat, ScenePlan

FPS = 30.0
STAMP = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"


def seconds(match: tuple[str, ...]) -> float:
    hours, minutes, secs, millis = (int(x) for x in match)
    return hours * 3600 + minutes * 60 + secs + millis / 1000


def parse_srt(text: str) -> list[tuple[float, float, list[str]]]:
    """A minimal SubRip reader: numbered blocks separated by blank lines."""
    cues = []
    for number, block in enumerate(text.strip().split("\n\n"), start=1):
        lines = block.split("\n")
        assert lines[0] == str(number)
        found = re.fullmatch(rf"{STAMP} --> {STAMP}", lines[1])
        assert found, lines[1]
        cues.append((seconds(found.groups()[:4]), seconds(found.groups()[4:]), lines[2:]))
    return cues


def parse_vtt(text: str) -> list[tuple[float, float, list[str]]]:
    """A minimal WebVTT reader: the header, then timing line + text blocks."""
    header, _, body = text.partition("\n\n")
    assert header == "WEBVTT"
    cues = []
    for block in body.strip().split("\n\n"):
        lines = block.split("\n")
        found = re.fullmatch(rf"{STAMP} --> {STAMP}", lines[0])
        assert found, lines[0]
        text_lines = [html.unescape(line) for line in lines[1:]]
        cues.append((seconds(found.groups()[:4]), seconds(found.groups()[4:]), text_lines))
    return cues


def timeline_of(beats: list[tuple[str, float]], pause: float = 0.5) -> Timeline:
    """One scene whose beats follow each other: (text, speech seconds) each."""
    timings = []
    records = []
    frame = 0
    for index, (text, speech) in enumerate(beats):
        frames = int((speech + pause) * FPS) + 1
        record = Beat(f"b{index}", text, speech, pause)
        records.append(record)
        timings.append(BeatTiming(record, frame / FPS, frame, frame, frames))
        frame += frames
    plan = ScenePlan("s", "Scene", 1, "Tokens", tuple(records), ExampleSpec("The cat sat", "sat"))
    scene = SceneTiming(plan, 0.0, 0, frame, frame / FPS, tuple(timings))
    return Timeline("T", ExampleSpec("The cat sat", "sat"), FPS, (scene,))


SHORT = [("Take the sentence: the cat sat on the mat.", 2.5), ("Each word is a token.", 1.4)]
LONG = (
    "Every token asks a question with its query vector. It compares that query with every "
    "key, scaling the dot products by the square root of the head size; then softmax turns "
    "the scores into weights that add up to one."
)


@pytest.mark.parametrize("parse", [parse_srt, parse_vtt])
def test_one_cue_per_short_beat_timed_to_its_speech(parse) -> None:  # noqa: ANN001
    timeline = timeline_of(SHORT)
    render = to_srt if parse is parse_srt else to_vtt
    cues = parse(render(timeline))
    beats = [beat for _, beat in timeline.beats()]
    assert len(cues) == 2
    for (start, end, lines), beat in zip(cues, beats, strict=True):
        assert start == pytest.approx(beat.start, abs=0.0005)
        assert end == pytest.approx(beat.start + beat.speech, abs=0.0005)
        assert " ".join(lines) == beat.text
    # the second beat starts after the first beat's slot: frames / fps
    assert cues[1][0] == pytest.approx(beats[0].frames / FPS, abs=0.0005)


@pytest.mark.parametrize("parse", [parse_srt, parse_vtt])
def test_a_long_beat_is_split_into_readable_cues(parse) -> None:  # noqa: ANN001
    speech = 12.0
    render = to_srt if parse is parse_srt else to_vtt
    cues = parse(render(timeline_of([(LONG, speech)])))
    assert len(cues) >= 3
    assert " ".join(" ".join(lines) for _, _, lines in cues) == LONG
    assert cues[0][0] == 0.0
    assert cues[-1][1] == pytest.approx(speech, abs=0.0005)
    for (_, end, _), (start, _, _) in zip(cues, cues[1:], strict=False):
        assert start == pytest.approx(end, abs=0.0015), "cues follow each other without gaps"
    for start, end, lines in cues:
        assert 1 <= len(lines) <= 2, lines
        assert all(len(line) <= 42 for line in lines), lines
        assert end - start <= 6.0
        # time is shared by characters: a cue lasts its share of the beat's speech
        chars = len(" ".join(lines))
        assert end - start == pytest.approx(
            speech * chars / (len(LONG) - (len(cues) - 1)), abs=0.002
        )
    # the first sentence ends a cue: splits prefer sentence boundaries
    assert any(" ".join(lines).endswith("query vector.") for _, _, lines in cues)


def test_timestamps_and_escaping() -> None:
    text = "Scores <q, k> & weights --> blends."
    timeline = timeline_of([("Intro.", 3723.5), (text, 2.0)])
    srt, vtt = to_srt(timeline), to_vtt(timeline)
    assert "1\n00:00:00,000 --> 01:02:03,500\nIntro." in srt
    assert "00:00:00.000 --> 01:02:03.500\nIntro." in vtt
    assert "&lt;q, k&gt; &amp; weights -&gt; blends." in vtt
    assert "Scores <q, k> & weights -> blends." in srt


def test_wrap_balances_two_lines() -> None:
    assert wrap("short line") == ("short line",)
    first, second = wrap("one two three four five six seven eight nine ten eleven")  # type: ignore[misc]
    assert max(len(first), len(second)) <= 42
    assert abs(len(first) - len(second)) <= 8
    assert wrap("x" * 43) is None


def test_empty_timeline_gives_empty_files() -> None:
    empty = Timeline("T", ExampleSpec("The cat sat", "sat"), FPS, ())
    assert to_srt(empty) == ""
    assert to_vtt(empty) == "WEBVTT\n\n"


WORDS = st.text(alphabet="abcdefghij.,;", min_size=1, max_size=50)


@settings(max_examples=120, deadline=None)
@given(
    words=st.lists(WORDS, min_size=1, max_size=60),
    speech=st.floats(min_value=0.5, max_value=40.0),
)
def test_any_beat_is_covered_by_valid_cues(words: list[str], speech: float) -> None:
    text = " ".join(words)
    cues = parse_srt(to_srt(timeline_of([(text, speech)])))
    covered = "".join("".join(lines) for _, _, lines in cues)
    assert covered.replace(" ", "") == text.replace(" ", "")
    assert cues[0][0] == 0.0
    assert cues[-1][1] == pytest.approx(speech, abs=0.0015)
    for start, end, lines in cues:
        assert end > start
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= 42 for line in lines)


def test_files_written_by_the_pipeline_are_utf8(tmp_path: Path) -> None:
    timeline = timeline_of([("Café, naïve “quotes” — √3.", 2.0)])
    path = tmp_path / "x.vtt"
    path.write_text(to_vtt(timeline), encoding="utf-8")
    assert parse_vtt(path.read_text(encoding="utf-8"))[0][2] == ["Café, naïve “quotes” — √3."]
