"""Festival kept running between beats speaks exactly what ``text2wave`` speaks.

Each text is spoken twice: by ``text2wave`` run here on its command line (the engine's own
script, started for the beat) and by a session's Festival process; the WAV files must be
equal byte for byte, at the natural speed and at the default script's. About 6 s.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from attention.spec import ExampleSpec
from explainer.audio.voice_cache import synthesize_beats
from explainer.core.errors import VoiceError
from explainer.voice.command import FestivalVoice
from explainer.voice.festival_session import FestivalPool
from explainer.voice.speech_text import speakable_ascii
from scenes.plan import Beat, ScenePlan

TEXTS = (
    "Each token gets eight numbers.",
    "One. Two! Three? Four; five: six.",
    "The weight of sat on mat is zero point three one, the largest in its row.",
    "It's the query times the key, divided by the square root of eight (about 2.83).",
)


def _text2wave(voice: FestivalVoice, text: str, folder: Path) -> bytes:
    line, wav = folder / "line.txt", folder / "text2wave.wav"
    line.write_text(speakable_ascii(text) + "\n", encoding="ascii")
    subprocess.run(voice.command(line, wav), check=True, capture_output=True)
    return wav.read_bytes()


@pytest.mark.parametrize("rate", [1.0, 0.89])
def test_a_session_speaks_the_bytes_text2wave_speaks(tmp_path: Path, rate: float) -> None:
    voice = FestivalVoice(rate=rate)
    with voice.session():
        for n, text in enumerate(TEXTS):
            wav = tmp_path / f"session-{n}.wav"
            voice.synthesize(text, wav, scene_id="s", beat_id=f"b{n}")
            assert wav.read_bytes() == _text2wave(voice, text, tmp_path), text


def test_an_error_names_the_beat_and_the_next_beat_gets_a_new_process(tmp_path: Path) -> None:
    pool = FestivalPool()
    line = tmp_path / "line.txt"
    line.write_text("Hello there.\n", encoding="ascii")
    with pool.session():
        with pytest.raises(VoiceError, match="SIOD ERROR: unbound variable"):
            pool.speak(["(voice_no_such_voice)"], line, tmp_path / "bad.wav")
        pool.speak(FestivalVoice().evals(), line, tmp_path / "good.wav")
        (kept,) = pool._idle  # the failed process was closed, the good one kept
        kept.process.kill()  # a process that dies while idle is replaced, not used
        kept.process.wait()
        pool.speak(FestivalVoice().evals(), line, tmp_path / "again.wav")
    assert (tmp_path / "again.wav").read_bytes() == (tmp_path / "good.wav").read_bytes()
    assert pool._idle == []  # the session closed its processes


def test_a_beat_with_nothing_to_say_gets_the_same_error_in_a_session(tmp_path: Path) -> None:
    beats = (Beat("mood", "😀 🐈", 1.0, 0.35),)
    plan = ScenePlan("blend", "S", 1, "ValueBlend", beats, ExampleSpec("The cat sat"))
    with pytest.raises(VoiceError, match=r"^beat blend/mood: festival wrote no audio$"):
        synthesize_beats([plan], FestivalVoice(), tmp_path)  # inside its own voice session
