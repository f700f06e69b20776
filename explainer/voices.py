"""Speech engines behind one small interface, and a content-addressed WAV cache per beat."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from glob import glob
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from pydub.silence import detect_leading_silence

from explainer.errors import VoiceError
from scenes.plan import Beat, ScenePlan

__all__ = [
    "SAMPLE_RATE",
    "VOICE_FORMS",
    "Voice",
    "FestivalVoice",
    "EspeakVoice",
    "FliteVoice",
    "PiperVoice",
    "RecordedVoice",
    "parse_voice",
    "voice_status",
    "synthesize_beats",
    "cache_name",
    "unvoiced_scenes",
    "speakable_ascii",
]

SAMPLE_RATE = 24_000  # every cached WAV: mono, 16-bit, 24 kHz, so assembly never resamples
_CACHE_FORMAT = "v1-mono16-24k-trimmed"  # bump when normalisation changes: old entries expire
_SILENCE_DBFS = -50.0  # below this a stretch of audio counts as silence
_EDGE_MS = 40  # silence kept before and after speech, so consonants are not clipped
_MIN_RMS = 30  # of 32767: quieter than this for the whole beat means the engine said nothing
_ENGINE_TIMEOUT = 120  # seconds; a single beat never takes this long on any engine

VOICE_FORMS = (
    "festival",
    "espeak",
    "flite",
    "piper:<path to model.onnx>",
    "recorded:<directory with <scene id>/<beat id>.wav>",
)
_FESTIVAL_VOICE = "cmu_us_slt_arctic_hts"


@runtime_checkable
class Voice(Protocol):
    """A speech engine: turns one beat's text into a WAV file.

    ``name`` is the spec it was parsed from (``"festival"``, ``"piper:/models/x.onnx"``);
    ``cache_key`` returns everything that changes the audio besides the text.
    """

    @property
    def name(self) -> str:
        """The spec this voice was parsed from."""

    def check(self) -> None:
        """Raise VoiceError naming the fix if this engine cannot run here."""

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        """Engine settings (and, for recordings, the file's hash) that key the cache."""

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        """Write ``text`` spoken to ``out_wav`` (any WAV format; the cache normalises it)."""


# -- engines -----------------------------------------------------------------------------------


def _require(binary: str, package: str) -> str:
    found = shutil.which(binary)
    if found is None:
        raise VoiceError(
            f"{binary} is not installed; install it with: sudo apt-get install {package}"
        )
    return found


def _run(command: list[str], *, scene_id: str, beat_id: str, stdin: str | None = None) -> None:
    """Run an engine; a crash or timeout becomes a VoiceError naming the beat."""
    try:
        result = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=_ENGINE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise VoiceError(
            f"beat {scene_id}/{beat_id}: {Path(command[0]).name} failed to run ({error})"
        ) from None
    if result.returncode != 0:
        detail = " ".join((result.stderr or result.stdout).split())[-200:]
        raise VoiceError(
            f"beat {scene_id}/{beat_id}: {Path(command[0]).name} exited with "
            f"{result.returncode}: {detail or 'no message'}"
        )


_SIGNED_NUMBER = re.compile(r"(?<![\w.])[-−](?=\d)")


def speakable(text: str) -> str:
    """Text as a speech engine should read it: a number's minus sign becomes "minus".

    festival reads "-0.23" as "zero point two three"; the screen shows the sign, so the
    voice must say it. Hyphens between words or numbers ("GPT-2", "3-4") are left alone.

    Examples
    --------
    >>> speakable("sat scores highest with you: -0.23, then −1.5 and GPT-2")
    'sat scores highest with you: minus 0.23, then minus 1.5 and GPT-2'
    """
    return _SIGNED_NUMBER.sub("minus ", text)


def speakable_ascii(text: str) -> str:
    """Text for engines that read Latin-1 only: typographic marks mapped, the rest dropped.

    Applies :func:`speakable` first.

    Examples
    --------
    >>> speakable_ascii("It’s “café” — 0.42…")
    'It\\'s "cafe" , 0.42...'
    """
    marks = {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "—": ",",
        "–": "-",
        "…": "...",
        "·": " dot ",
        "×": " times ",
        "√": " square root of ",
    }
    text = "".join(marks.get(ch, ch) for ch in speakable(text))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(ascii_text.split())


@dataclass(frozen=True)
class FestivalVoice:
    """Festival with Debian's US English SLT HTS voice: the best offline default."""

    name: str = "festival"
    voice: str = _FESTIVAL_VOICE

    def check(self) -> None:
        _require("text2wave", "festival festvox-us-slt-hts")
        if not glob(f"/usr/share/festival/voices/*/{self.voice}"):
            raise VoiceError(
                f"festival voice {self.voice} is not installed; install it with: "
                "sudo apt-get install festvox-us-slt-hts"
            )

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        return {"engine": "festival", "voice": self.voice}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix="festival-") as tmp:
            text_file = Path(tmp) / "line.txt"
            text_file.write_text(speakable_ascii(text) + "\n", encoding="ascii")
            _run(
                ["text2wave", "-eval", f"(voice_{self.voice})", "-o", str(out_wav), str(text_file)],
                scene_id=scene_id,
                beat_id=beat_id,
            )


@dataclass(frozen=True)
class EspeakVoice:
    """espeak-ng: small, fast and robotic; good for tests and quick drafts."""

    name: str = "espeak"
    voice: str = "en-us"
    words_per_minute: int = 165

    def check(self) -> None:
        _require("espeak-ng", "espeak-ng")

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        return {"engine": "espeak-ng", "voice": self.voice, "wpm": str(self.words_per_minute)}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
            text_file = Path(tmp) / "line.txt"
            text_file.write_text(speakable(text), encoding="utf-8")
            _run(
                [
                    "espeak-ng",
                    "-v",
                    self.voice,
                    "-s",
                    str(self.words_per_minute),
                    "-w",
                    str(out_wav),
                    "-f",
                    str(text_file),
                ],
                scene_id=scene_id,
                beat_id=beat_id,
            )


@dataclass(frozen=True)
class FliteVoice:
    """flite: festival's small sibling with a built-in voice."""

    name: str = "flite"
    voice: str = "slt"

    def check(self) -> None:
        _require("flite", "flite")

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        return {"engine": "flite", "voice": self.voice}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
            text_file = Path(tmp) / "line.txt"
            text_file.write_text(speakable_ascii(text) + "\n", encoding="ascii")
            _run(
                ["flite", "-voice", self.voice, "-f", str(text_file), "-o", str(out_wav)],
                scene_id=scene_id,
                beat_id=beat_id,
            )


@dataclass(frozen=True)
class PiperVoice:
    """Piper neural TTS with a model file the user already has (never downloaded)."""

    model: Path
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"piper:{self.model}")

    @property
    def config(self) -> Path:
        return Path(f"{self.model}.json")

    def command(self) -> list[str]:
        """How to run piper here: its executable, else the importable module."""
        found = shutil.which("piper")
        if found:
            return [found]
        if importlib.util.find_spec("piper") is not None:
            return [sys.executable, "-m", "piper"]
        raise VoiceError(
            "piper is not installed; install it with: pip install piper-tts "
            "(the voice model stays your own file)"
        )

    def check(self) -> None:
        self.check_model()
        self.command()

    def check_model(self) -> None:
        """VoiceError naming the file if the model or its config is missing."""
        for needed in (self.model, self.config):
            if not needed.is_file():
                raise VoiceError(
                    f"piper model file {needed} does not exist; give the path of a .onnx "
                    "voice you have, with its .onnx.json next to it"
                )

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        self.check_model()
        # hashing a 60 MB model per beat is slow; its config hash plus size identifies it
        config = hashlib.sha256(self.config.read_bytes()).hexdigest()
        return {"engine": "piper", "config": config, "size": str(self.model.stat().st_size)}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        _run(
            [*self.command(), "--model", str(self.model), "--output_file", str(out_wav)],
            scene_id=scene_id,
            beat_id=beat_id,
            stdin=speakable(text),
        )


@dataclass(frozen=True)
class RecordedVoice:
    """The user's own recordings: ``<directory>/<scene id>/<beat id>.wav``, one per beat."""

    directory: Path
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"recorded:{self.directory}")

    def recording(self, scene_id: str, beat_id: str) -> Path:
        """The recording of one beat; VoiceError naming the expected path if absent."""
        path = self.directory / scene_id / f"{beat_id}.wav"
        if not path.is_file():
            raise VoiceError(
                f"beat {scene_id}/{beat_id}: recording {path} does not exist; "
                "record the beat and save it there as WAV"
            )
        return path

    def check(self) -> None:
        if not self.directory.is_dir():
            raise VoiceError(
                f"recordings directory {self.directory} does not exist; create it with one "
                "<scene id>/<beat id>.wav per beat"
            )

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        digest = hashlib.sha256(self.recording(scene_id, beat_id).read_bytes()).hexdigest()
        return {"engine": "recorded", "recording": digest}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        shutil.copyfile(self.recording(scene_id, beat_id), out_wav)


def parse_voice(spec: str) -> Voice:
    """The voice a spec names: ``festival``, ``espeak``, ``flite``, ``piper:<model.onnx>``,
    ``recorded:<dir>``. Only the form is checked; ``voice.check()`` checks the engine.

    Examples
    --------
    >>> parse_voice("espeak").name
    'espeak'
    >>> parse_voice("recorded:takes").directory
    PosixPath('takes')
    """
    spec = spec.strip()
    simple: dict[str, Callable[[], Voice]] = {
        "festival": FestivalVoice,
        "espeak": EspeakVoice,
        "flite": FliteVoice,
    }
    if spec in simple:
        return simple[spec]()
    kind, _, argument = spec.partition(":")
    if kind in ("piper", "recorded") and argument.strip() and "\0" not in argument:
        path = Path(argument.strip()).expanduser()
        return PiperVoice(path) if kind == "piper" else RecordedVoice(path)
    raise VoiceError(f"unknown voice {spec!r}; use one of: {', '.join(VOICE_FORMS)}")


def voice_status() -> list[tuple[str, bool, str]]:
    """Each engine, whether it runs here, and how to install it (for ``explainer voices``).

    Examples
    --------
    >>> [name for name, _, _ in voice_status()][:3]
    ['festival', 'espeak', 'flite']
    """

    def usable(check: Callable[[], None]) -> bool:
        try:
            check()
        except VoiceError:
            return False
        return True

    def piper_installed() -> None:
        PiperVoice(Path("model.onnx")).command()

    return [
        (
            "festival",
            usable(FestivalVoice().check),
            "sudo apt-get install festival festvox-us-slt-hts",
        ),
        ("espeak", usable(EspeakVoice().check), "sudo apt-get install espeak-ng"),
        ("flite", usable(FliteVoice().check), "sudo apt-get install flite"),
        (
            "piper:<model.onnx>",
            usable(piper_installed),
            "pip install piper-tts, then pass the path of a .onnx voice you have",
        ),
        ("recorded:<dir>", True, "record <dir>/<scene id>/<beat id>.wav for every beat"),
    ]


# -- the cache ---------------------------------------------------------------------------------


def cache_name(scene_id: str, beat: Beat, voice: Voice) -> str:
    """``<scene>-<beat>-<16 hex>.wav``: the hash covers text, engine, settings and format.

    Examples
    --------
    >>> cache_name("tokens", Beat("split", "Hi.", 1.0, 0.35), EspeakVoice())[:13]
    'tokens-split-'
    """
    key = {
        "text": beat.text,
        "voice": voice.cache_key(scene_id, beat.id),
        "format": _CACHE_FORMAT,
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return f"{scene_id}-{beat.id}-{digest}.wav"


def _cached_duration(path: Path) -> float | None:
    """The duration of a valid cache entry in our format, or None if it must be redone."""
    try:
        with wave.open(str(path), "rb") as handle:
            params = handle.getparams()
            data = handle.readframes(params.nframes)
    except (OSError, EOFError, wave.Error):
        return None
    if (params.nchannels, params.sampwidth, params.framerate) != (1, 2, SAMPLE_RATE):
        return None
    samples = len(data) // 2
    if samples == 0 or samples != params.nframes:
        return None
    return samples / SAMPLE_RATE


def _normalise(raw: Path, where: str) -> AudioSegment:
    """Decode an engine's WAV, make it mono 16-bit 24 kHz, trim silent edges."""
    try:
        audio = AudioSegment.from_file(raw, format="wav")
    except (CouldntDecodeError, OSError, EOFError, ValueError, IndexError) as error:
        raise VoiceError(f"{where}: cannot decode {raw.name} as WAV ({_short(error)})") from None
    audio = audio.set_channels(1).set_sample_width(2).set_frame_rate(SAMPLE_RATE)
    if len(audio) == 0 or audio.rms < _MIN_RMS:
        raise VoiceError(
            f"{where}: the voice produced silence; check the engine works "
            "(`explainer voices`) and the text has words"
        )
    lead = detect_leading_silence(audio, silence_threshold=_SILENCE_DBFS)
    tail = detect_leading_silence(audio.reverse(), silence_threshold=_SILENCE_DBFS)
    start = max(0, lead - _EDGE_MS)
    end = min(len(audio), len(audio) - tail + _EDGE_MS)
    return audio[start:end]


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:160] or type(error).__name__


def _synthesize_one(scene_id: str, beat: Beat, voice: Voice, target: Path) -> float:
    """Voice one beat into ``target`` atomically; returns its duration in seconds."""
    where = f"beat {scene_id}/{beat.id}"
    with tempfile.TemporaryDirectory(prefix="voice-", dir=target.parent) as tmp:
        raw = Path(tmp) / "raw.wav"
        voice.synthesize(beat.text, raw, scene_id=scene_id, beat_id=beat.id)
        if not raw.is_file() or raw.stat().st_size == 0:
            raise VoiceError(f"{where}: {voice.name} wrote no audio")
        audio = _normalise(raw, where)
        staged = Path(tmp) / "normalised.wav"
        audio.export(staged, format="wav")
        duration = _cached_duration(staged)
        if duration is None:  # pragma: no cover - pydub wrote a WAV we cannot read back
            raise VoiceError(f"{where}: bad normalised WAV")
        os.replace(staged, target)
    return duration


VoiceProgress = Callable[[str, Beat, bool], None]


def synthesize_beats(
    plans: Sequence[ScenePlan],
    voice: Voice,
    cache_dir: Path,
    on_progress: VoiceProgress | None = None,
    *,
    jobs: int | None = None,
) -> list[ScenePlan]:
    """Voice every beat, reusing cached WAVs whose text, engine and settings are unchanged.

    Parameters
    ----------
    plans
        The scenes in video order, their beats as the script loaded them.
    voice
        The engine (see :func:`parse_voice`).
    cache_dir
        Where the WAVs live (the pipeline passes ``media/cache/voice``); created if absent.
    on_progress
        Called after each beat with its scene id, the voiced beat and whether it came from
        the cache (cached beats first, then the others as they finish).
    jobs
        Beats voiced at once (each engine call is a separate process); default the
        number of cores.

    Returns
    -------
    list[ScenePlan]
        The same plans, every beat voiced: ``audio`` a mono 16-bit 24 kHz WAV with silent
        edges trimmed, ``speech`` its duration measured from the decoded samples.

    Examples
    --------
    >>> from explainer.script import load_script
    >>> voiced = synthesize_beats(load_script().scenes[:1], EspeakVoice(),
    ...                           Path("media/cache/voice"))          # doctest: +SKIP
    >>> voiced[0].beats[0].audio.suffix                               # doctest: +SKIP
    '.wav'
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    notify = on_progress or (lambda scene_id, beat, cached: None)
    voiced: dict[tuple[int, int], Beat] = {}
    missing: list[tuple[tuple[int, int], str, Beat, Path]] = []
    for s, plan in enumerate(plans):
        for b, beat in enumerate(plan.beats):
            target = cache_dir / cache_name(plan.scene_id, beat, voice)
            duration = _cached_duration(target) if target.is_file() else None
            if duration is None:
                missing.append(((s, b), plan.scene_id, beat, target))
                continue
            voiced[s, b] = beat.voiced(duration, target)
            notify(plan.scene_id, voiced[s, b], True)
    if missing:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(missing)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voice")
        try:
            futures = {
                pool.submit(_synthesize_one, scene_id, beat, voice, target): job
                for job in missing
                for at, scene_id, beat, target in [job]
            }
            for future in as_completed(futures):
                at, scene_id, beat, target = futures[future]
                duration = future.result()  # the first failure stops the rest
                voiced[at] = beat.voiced(duration, target)
                notify(scene_id, voiced[at], False)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return [
        replace(plan, beats=tuple(voiced[s, b] for b in range(len(plan.beats))))
        for s, plan in enumerate(plans)
    ]


def unvoiced_scenes(plans: Sequence[ScenePlan], voice: Voice, cache_dir: Path) -> set[str]:
    """Ids of the scenes with a beat not yet in the voice cache (they will be re-rendered)."""
    return {
        plan.scene_id
        for plan in plans
        for beat in plan.beats
        if not (Path(cache_dir) / cache_name(plan.scene_id, beat, voice)).is_file()
    }
