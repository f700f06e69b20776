"""Engines run as a program for every beat (festival, espeak-ng, flite) on one base,
:class:`CommandVoice`: the text written to a file, the program run on it, its WAV kept.

Each engine says which program it is and builds its command line; the base runs it with a
time limit (a crash or timeout names the beat) and keys its beats with the program's own
``--version`` and the engine's settings.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
import tempfile
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import ClassVar

from explainer.core.cache import file_sha256
from explainer.core.errors import VoiceError, exit_detail
from explainer.voice.festival_session import FESTIVALS
from explainer.voice.speech_text import has_words, speakable_ascii

__all__ = [
    "CommandVoice",
    "EspeakVoice",
    "FestivalVoice",
    "FliteVoice",
    "engine_version",
]

_ENGINE_TIMEOUT = 120  # seconds; a single beat never takes this long on any engine

_FESTIVAL_VOICE = "cmu_us_slt_arctic_hts"
_FESTIVAL_PACKAGES = "festival festvox-us-slt-hts"


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


class CommandVoice(ABC):
    """An engine run as a command for every beat: the text written to a file, the command
    run on it, the WAV it writes read by the cache (a session holds nothing).

    A subclass names its program (``binary``, the Debian ``package`` that installs it, the
    ``engine`` its cache key names), builds the command (:meth:`command`) and gives the
    settings that key its beats besides the engine's version (:meth:`settings`).

    Examples
    --------
    >>> EspeakVoice(rate=0.9).command(Path("line.txt"), Path("out.wav"))
    ['espeak-ng', '-v', 'en-us', '-s', '148', '-w', 'out.wav', '-f', 'line.txt']
    >>> EspeakVoice().settings()
    {'voice': 'en-us', 'wpm': '165'}
    """

    name: str
    binary: ClassVar[str]  # the program whose ``--version`` keys the beats
    package: ClassVar[str]  # what installs it: ``sudo apt-get install <package>``
    engine: ClassVar[str]  # the engine's name in the cache key
    newline: ClassVar[bool] = True  # end the text file with a line break

    def check(self) -> None:
        _require(self.binary, self.package)

    def session(self) -> AbstractContextManager[None]:
        return nullcontext()

    @abstractmethod
    def settings(self) -> dict[str, str]:
        """The engine's settings that change its sound (the voice, the speed)."""

    @abstractmethod
    def command(self, text_file: Path, out_wav: Path) -> list[str]:
        """The command that speaks the text in ``text_file`` into ``out_wav``."""

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        self.check()
        version = engine_version(self.binary, self.package)
        return {"engine": self.engine, "version": version, **self.settings()}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        self.check()
        with tempfile.TemporaryDirectory(prefix=f"{self.name}-") as tmp:
            text_file = Path(tmp) / "line.txt"
            ending = "\n" if self.newline else ""
            text_file.write_text(speakable_ascii(text) + ending, encoding="ascii")
            self.speak(text_file, out_wav, scene_id=scene_id, beat_id=beat_id)

    def speak(self, text_file: Path, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        """Run the engine on ``text_file`` (the text as it will be spoken)."""
        _run(self.command(text_file, out_wav), scene_id=scene_id, beat_id=beat_id)


@dataclass(frozen=True)
class FestivalVoice(CommandVoice):
    """Festival with Debian's US English SLT HTS voice: the best offline default."""

    name: str = "festival"
    voice: str = _FESTIVAL_VOICE
    rate: float = 1.0
    binary: ClassVar[str] = "festival"
    package: ClassVar[str] = _FESTIVAL_PACKAGES
    engine: ClassVar[str] = "festival"

    def check(self) -> None:
        _require("text2wave", _FESTIVAL_PACKAGES)
        if not glob(f"/usr/share/festival/voices/*/{self.voice}"):
            raise VoiceError(
                f"festival voice {self.voice} is not installed; install it with: "
                "sudo apt-get install festvox-us-slt-hts"
            )

    def settings(self) -> dict[str, str]:
        files = _folder_sha256(self.voice_folder())
        return {"voice": self.voice, "voice_files": files, "rate": f"{self.rate:g}"}

    def voice_folder(self) -> Path:
        """Where the voice's data lives (its HTS models: they make the sound)."""
        return Path(sorted(glob(f"/usr/share/festival/voices/*/{self.voice}"))[0])

    def session(self) -> AbstractContextManager[None]:
        """Keep Festival running between beats (:mod:`explainer.voice.festival_session`)."""
        return FESTIVALS.session()

    def evals(self) -> list[str]:
        """The Scheme run before the text: the voice, then its speed."""
        # selecting the voice resets hts_engine_params: the speed goes after it (-r 1 gives
        # the same samples as no -r)
        speed = f'(list (list "-r" {self.rate!r}))'
        speed = f"(set! hts_engine_params (append hts_engine_params {speed}))"
        return [f"(voice_{self.voice})", speed]

    def command(self, text_file: Path, out_wav: Path) -> list[str]:
        voice, speed = self.evals()
        return ["text2wave", "-eval", voice, "-eval", speed,
                "-o", str(out_wav), str(text_file)]  # fmt: skip

    def speak(self, text_file: Path, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        """``text2wave``, or inside a session the same steps in a Festival kept running."""
        if not FESTIVALS.open or not has_words(text_file.read_text(encoding="ascii")):
            # nothing to say: text2wave's empty WAV gives the cache's own clear error
            super().speak(text_file, out_wav, scene_id=scene_id, beat_id=beat_id)
            return
        try:
            FESTIVALS.speak(self.evals(), text_file, out_wav)
        except VoiceError as error:
            raise VoiceError(f"beat {scene_id}/{beat_id}: {error}") from None


@dataclass(frozen=True)
class EspeakVoice(CommandVoice):
    """espeak-ng: small, fast and robotic; good for tests and quick drafts."""

    name: str = "espeak"
    voice: str = "en-us"
    words_per_minute: int = 165  # espeak-ng's natural speed, scaled by the rate
    rate: float = 1.0
    binary: ClassVar[str] = "espeak-ng"
    package: ClassVar[str] = "espeak-ng"
    engine: ClassVar[str] = "espeak-ng"
    newline: ClassVar[bool] = False

    @property
    def speed(self) -> int:
        """The ``-s`` words a minute espeak is given: its natural speed times the rate."""
        return round(self.words_per_minute * self.rate)

    def settings(self) -> dict[str, str]:
        return {"voice": self.voice, "wpm": str(self.speed)}

    def command(self, text_file: Path, out_wav: Path) -> list[str]:
        return ["espeak-ng", "-v", self.voice, "-s", str(self.speed), "-w", str(out_wav),
                "-f", str(text_file)]  # fmt: skip


@dataclass(frozen=True)
class FliteVoice(CommandVoice):
    """flite: festival's small sibling with a built-in voice."""

    name: str = "flite"
    voice: str = "slt"
    rate: float = 1.0
    binary: ClassVar[str] = "flite"
    package: ClassVar[str] = "flite"
    engine: ClassVar[str] = "flite"

    def settings(self) -> dict[str, str]:
        return {"voice": self.voice, "rate": f"{self.rate:g}"}

    def command(self, text_file: Path, out_wav: Path) -> list[str]:
        return ["flite", "-voice", self.voice, "-f", str(text_file), "-o", str(out_wav),
                "--setf", f"duration_stretch={1 / self.rate!r}"]  # fmt: skip
