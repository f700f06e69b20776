"""Timeline maths: beat slots in whole frames, scene starts, JSON, and the scenes' plans."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from attention.spec import ExampleSpec
from explainer.plan import script_scenes
from explainer.plan.script import Script, load_script
from explainer.plan.timeline import build_timeline
from scenes.catalogue import ChapterEntry
from scenes.plan import beat_frames

DATA = Path(__file__).parent / "data"
FAKE_MODULE = "tests_fake_scenes_for_timeline"


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> Script:
    """tests/data/good.toml: intro (hello, world) and outro (bye); pauses 0.35 and 0.8 s."""
    chapters = {
        "Intro": ChapterEntry("Intro", FAKE_MODULE, ("hello", "world"), "Intro"),
        "Outro": ChapterEntry("Outro", FAKE_MODULE, ("bye",), "Outro"),
    }
    monkeypatch.setattr(script_scenes, "CHAPTERS", chapters)
    return load_script(DATA / "good.toml")


def audio(script: Script, *speech: float) -> Script:
    """``script`` voiced: beats intro/hello, intro/world, outro/bye measured at ``speech``."""
    seconds = iter(speech)
    voiced = [
        replace(
            plan,
            beats=tuple(
                beat.voiced(next(seconds), Path(f"/cache/{plan.scene_id}-{beat.id}.wav"))
                for beat in plan.beats
            ),
        )
        for plan in script.scenes
    ]
    assert next(seconds, None) is None, "one speech duration per beat"
    return script.with_scenes(voiced)


def test_slots_starts_and_scene_lengths_by_hand(script: Script) -> None:
    # at 15 fps: hello (2.0 + 0.35) * 15 = 35.25 -> 36 frames; world is intro's last beat,
    # so it pauses 0.8: (1.5 + 0.8) * 15 = 34.5 -> 35; bye (3.0 + 0.8) * 15 = 57 exactly
    timeline = build_timeline(audio(script, 2.0, 1.5, 3.0), fps=15)
    intro, outro = timeline.scenes
    assert [b.frames for b in intro.beats] == [36, 35]
    assert [b.start_frame for b in intro.beats] == [0, 36]
    assert [b.pause for b in intro.beats] == [0.35, 0.8]
    assert (intro.start_frame, intro.frames, intro.duration) == (0, 71, 71 / 15)
    assert (outro.start_frame, outro.frames, outro.start) == (71, 57, 71 / 15)
    assert outro.beats[0].start_frame == 71
    assert outro.beats[0].offset_frame == 0
    assert intro.beats[1].start == 36 / 15
    assert intro.beats[1].offset_frame == 36
    assert (timeline.frames, timeline.duration) == (128, 128 / 15)
    assert [s.chapter for s in timeline.scenes] == [1, 2]
    assert intro.beats[0].audio == Path("/cache/intro-hello.wav")
    assert intro.beats[0].speech == 2.0
    assert intro.beats[0].text == "Take the sentence: The cat sat on the mat."


def test_float_noise_never_adds_a_frame(script: Script) -> None:
    # (0.4 + 0.8) * 15 is 18.000000000000004 in floats: 18 frames, not 19.
    # hello: (1.1 + 0.35) * 20 = 29 exactly on paper (29.000000000000004 in floats) -> 29
    timeline = build_timeline(audio(script, 1.1, 0.4, 0.4), fps=15)
    assert [b.frames for _, b in timeline.beats()] == [22, 18, 18]  # 21.75 -> 22
    timeline = build_timeline(audio(script, 1.1, 0.4, 0.4), fps=20)
    assert [b.frames for _, b in timeline.beats()] == [29, 24, 24]


def test_each_beat_is_timed_by_its_own_record(script: Script) -> None:
    # "no audio for a beat" cannot happen any more: every beat carries its speech. A beat
    # left unvoiced keeps its estimate and no audio; the voiced ones use their measurement.
    voiced = audio(script, 2.0, 1.5, 3.0)
    partly = voiced.with_scenes([voiced.scenes[0], script.scenes[1]])
    timeline = build_timeline(partly, fps=15)
    hello, world, bye = (b for _, b in timeline.beats())
    assert (hello.speech, hello.audio) == (2.0, Path("/cache/intro-hello.wav"))
    assert (world.speech, world.frames) == (1.5, 35)
    assert (bye.speech, bye.audio) == (pytest.approx(6 / 2.6), None)
    assert bye.frames == beat_frames(6 / 2.6, 0.8, 15)
    with pytest.raises(ValueError, match="fps must be positive"):
        build_timeline(voiced, fps=0)


def test_json_round_trip(script: Script) -> None:
    timeline = build_timeline(audio(script, 2.0, 1.5, 3.0), fps=15)
    data = json.loads(timeline.to_json())
    assert (data["fps"], data["frames"], data["title"]) == (15, 128, "Attention, in brief")
    assert data["focus"] == "sat"
    outro = data["scenes"][1]
    assert (outro["id"], outro["class"], outro["start_frame"], outro["frames"]) == (
        "outro",
        "Outro",
        71,
        57,
    )
    hello = data["scenes"][0]["beats"][0]
    assert hello == {
        "id": "hello",
        "text": "Take the sentence: The cat sat on the mat.",
        "start": 0.0,
        "start_frame": 0,
        "offset_frame": 0,
        "frames": 36,
        "duration": 36 / 15,
        "speech": 2.0,
        "pause": 0.35,
        "audio": "/cache/intro-hello.wav",
    }


def test_scene_plans_reproduce_the_timeline_frames(script: Script) -> None:
    timeline = build_timeline(audio(script, 2.0, 1.5, 3.0), fps=30)
    plans = [scene.plan for scene in timeline.scenes]  # what each scene renders from
    assert [p.scene_id for p in plans] == ["intro", "outro"]
    assert [p.chapter for p in plans] == [1, 2]
    assert plans[0].spec == ExampleSpec("The cat sat on the mat", "sat")
    assert all(plan.spec is script.spec for plan in plans), "one spec, referred to by every plan"
    assert [(b.id, b.speech, b.pause) for b in plans[0].beats] == [
        ("hello", 2.0, 0.35),
        ("world", 1.5, 0.8),
    ]
    for plan, scene in zip(plans, timeline.scenes, strict=True):
        assert sum(beat_frames(b.speech, b.pause, 30) for b in plan.beats) == scene.frames
        assert plan.frames(30) == scene.frames
    # plans travel to render workers as dicts
    assert type(plans[1]).from_dict(plans[1].to_dict()) == plans[1]


def test_estimate_uses_word_count(script: Script) -> None:
    timeline = build_timeline(script, fps=15)  # as loaded: speech estimated
    hello = timeline.scenes[0].beats[0]
    # "Take the sentence: The cat sat on the mat." has 9 words at 2.6 words per second
    assert hello.speech == pytest.approx(9 / 2.6)
    assert hello.audio is None
    bye = timeline.scenes[1].beats[0]
    # "That is attention over 6 tokens." has 6 words: 6 / 2.6 s
    assert bye.speech == pytest.approx(6 / 2.6)
    assert timeline.frames == sum(b.frames for _, b in timeline.beats())


def test_the_beat_record_is_voiced_once_and_travels_as_plain_data(script: Script) -> None:
    loaded = script.scenes[0].beats[0]
    voiced = loaded.voiced(2.0, Path("/cache/intro-hello.wav"))
    assert (voiced.id, voiced.text, voiced.pause) == (loaded.id, loaded.text, loaded.pause)
    assert (voiced.speech, voiced.audio) == (2.0, Path("/cache/intro-hello.wav"))
    assert loaded.audio is None, "voicing makes a new record"
    assert voiced.frames(15) == beat_frames(2.0, 0.35, 15) == 36
    plan = audio(script, 2.0, 1.5, 3.0).scenes[0]
    plan = replace(plan, params={"temperatures": (0.5, 1.0)})
    data = plan.to_dict()
    assert data["beats"][0]["audio"] == "/cache/intro-hello.wav"  # paths as strings
    assert type(plan).from_dict(data) == plan
    assert plan.frames(15) == sum(b.frames(15) for b in plan.beats) == 71
