"""Speech engines behind one small interface, and the table that names them.

:data:`ENGINES` is the one list of engines: parsing a voice spec, ``explainer voices``,
the error for an unknown voice and the ``--voice`` help all read it. Adding an engine is a
class with the :class:`Voice` shape and one row. The WAV cache is
:mod:`explainer.voice_cache`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Protocol, runtime_checkable

from explainer.errors import VoiceError

__all__ = [
    "ENGINES",
    "Engine",
    "Voice",
    "FestivalVoice",
    "EspeakVoice",
    "FliteVoice",
    "PiperVoice",
    "RecordedVoice",
    "parse_voice",
    "speakable",
    "speakable_ascii",
    "voice_forms",
    "voice_status",
]

_ENGINE_TIMEOUT = 120  # seconds; a single beat never takes this long on any engine

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


# a trained model's own tokens, as a narrator reads them (the screen shows the brackets)
_SPECIAL_TOKENS = {"[CLS]": "C L S", "[SEP]": "S E P", "[UNK]": "unknown", "[PAD]": "pad"}


def speakable(text: str) -> str:
    """Text as a speech engine should read it: a number's minus sign becomes "minus", a
    model's special token its letters.

    festival reads "-0.23" as "zero point two three"; the screen shows the sign, so the
    voice must say it. Hyphens between words or numbers ("GPT-2", "3-4") are left alone.

    Examples
    --------
    >>> speakable("sat scores highest with you: -0.23, then −1.5 and GPT-2")
    'sat scores highest with you: minus 0.23, then minus 1.5 and GPT-2'
    >>> speakable("[CLS] takes 0.81")
    'C L S takes 0.81'
    """
    for token, said in _SPECIAL_TOKENS.items():
        text = text.replace(token, said)
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


@dataclass(frozen=True)
class Engine:
    """One row of :data:`ENGINES`: how a spec names the engine, makes it, and installs it.

    ``argument`` names what follows ``kind:`` in a spec (``"model.onnx"``), or is
    empty for an engine that takes none; ``make`` builds the voice from it; ``probe``
    raises VoiceError if the engine cannot run here.
    """

    kind: str
    make: Callable[[str], Voice]
    install: str
    probe: Callable[[], None]
    argument: str = ""

    @property
    def form(self) -> str:
        """How a spec writes it: ``festival`` or ``piper:<model.onnx>``."""
        return f"{self.kind}:<{self.argument}>" if self.argument else self.kind


def _piper_installed() -> None:
    PiperVoice(Path("model.onnx")).command()


# every engine a voice spec may name, in the order `explainer voices` lists them
ENGINES: dict[str, Engine] = {
    engine.kind: engine
    for engine in (
        Engine("festival", lambda _: FestivalVoice(),
               "sudo apt-get install festival festvox-us-slt-hts", FestivalVoice().check),
        Engine("espeak", lambda _: EspeakVoice(), "sudo apt-get install espeak-ng",
               EspeakVoice().check),
        Engine("flite", lambda _: FliteVoice(), "sudo apt-get install flite", FliteVoice().check),
        Engine("piper", lambda path: PiperVoice(Path(path).expanduser()),
               "pip install piper-tts, then pass the path of a .onnx voice you have",
               _piper_installed, argument="model.onnx"),
        Engine("recorded", lambda path: RecordedVoice(Path(path).expanduser()),
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


def parse_voice(spec: str) -> Voice:
    """The voice a spec names (see :data:`ENGINES`): ``festival``, ``piper:<model.onnx>``...
    Only the form is checked; ``voice.check()`` checks the engine.

    Examples
    --------
    >>> parse_voice("espeak").name
    'espeak'
    >>> parse_voice("recorded:takes").directory
    PosixPath('takes')
    """
    kind, colon, argument = spec.strip().partition(":")
    engine = ENGINES.get(kind)
    argument = argument.strip()
    takes = engine is not None and bool(engine.argument) == bool(colon and argument)
    if engine is not None and takes and "\0" not in argument:
        return engine.make(argument)
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
