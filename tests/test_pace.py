"""The shipped scripts are narrated at a calm pace: 135-165 words a minute, as the subtitles
show them (each beat's words over its speech), with the voice and rate each script names.

The words are counted from the beats' text and the seconds read from the WAVs themselves
(``wave``), not from the project's timeline, so the check stands apart from the code that
places the beats.
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from explainer.audio.voice_cache import synthesize_beats
from explainer.plan.script import load_script
from explainer.voice.engines import parse_voice

ROOT = Path(__file__).resolve().parents[1]
CALM = (135.0, 165.0)  # words a minute: e-learning narration runs near 150
# seconds a video may last at its calm pace, at most and at least
LONGEST = {"attention.toml": 125.0, "next-word.toml": 150.0}
SHORTEST = {"next-word.toml": 90.0}


def _seconds(wav: Path) -> float:
    with wave.open(str(wav), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


@pytest.mark.parametrize(
    "name", ["attention.toml", "attention-lecture.toml", "trained-model.toml", "next-word.toml"]
)
def test_a_shipped_script_is_narrated_at_a_calm_pace(name: str, tmp_path: Path) -> None:
    if shutil.which("text2wave") is None:
        pytest.skip("festival is not installed")
    script = load_script(ROOT / "scripts" / name)
    assert script.settings.voice == "festival"
    assert script.settings.rate is not None
    assert script.settings.rate < 1  # slowed on purpose
    voice = parse_voice(script.settings.voice, script.settings.rate)
    plans = synthesize_beats(script.scenes, voice, tmp_path / "voice", jobs=2)
    beats = [beat for plan in plans for beat in plan.beats]
    words = sum(len(beat.text.split()) for beat in beats)
    speech = sum(_seconds(beat.audio) for beat in beats if beat.audio is not None)
    pace = words / speech * 60
    assert CALM[0] <= pace <= CALM[1], f"{name}: {pace:.0f} words a minute"
    length = speech + sum(beat.pause for beat in beats)
    assert length <= LONGEST.get(name, length), f"{name}: {length:.1f} s"
    assert length >= SHORTEST.get(name, length), f"{name}: {length:.1f} s"
