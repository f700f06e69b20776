"""Festival kept running between beats: the same samples as ``text2wave``, in half the time.

``text2wave`` starts Festival, loads its init files and the voice, speaks one file and
exits: about 0.15 s of a beat's 0.4 s is the start. Inside a session each thread that
voices takes a Festival process from a shared pool (``festival --pipe``, started once)
and gives it the steps ``text2wave`` runs for a file: the same ``-eval`` expressions (the
voice, its speed) and the same loop (:data:`TEXT2WAVE`, its functions as Debian's
``/usr/bin/text2wave`` defines them), so the WAV is byte for byte ``text2wave``'s
(``tests/test_voice_festival.py`` compares them). Measured on the default script's 22
beats and three more (one process): 9.6 s with ``text2wave``, 4.8 s here.

A process that reports an error, says nothing for :data:`SPEAK_TIMEOUT` seconds or ends is
closed and the beat fails with its one line; the next beat starts a new process.
"""

from __future__ import annotations

import os
import select
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from explainer.core.errors import VoiceError

__all__ = ["FestivalProcess", "FestivalPool", "FESTIVALS", "TEXT2WAVE"]

SPEAK_TIMEOUT = 120  # seconds: no beat takes this long
DONE = "explainer-festival-done"  # written to stderr (unbuffered) after every beat

# Debian's text2wave (festival 2.5), its functions for one file with no -F, -scale or -mode
TEXT2WAVE = """
(gc-status nil)
(defvar fp nil)
(defvar totalnumsamples 0)
(defvar an_utt nil)
(define (save_record_wave_fp utt)
  (if (eq? totalnumsamples 0)
      (wave.save.header fp (utt.wave utt) 'riff nil (list (list "numsamples" 0))))
  (set! totalnumsamples
        (+ totalnumsamples (get_param 'num_samples (wave.info (utt.wave utt)) 0)))
  (wave.save.data.fp (utt.wave utt) fp 'riff nil)
  (set! an_utt utt))
(set! tts_hooks (list utt.synth save_record_wave_fp))
(define (explainer_speak_file textfile outfile)
  (set! totalnumsamples 0)
  (set! an_utt nil)
  (set! fp (fopen outfile "wb"))
  (tts_file textfile (tts_find_text_mode textfile auto-text-mode-alist))
  (fseek fp 0 0)
  (wave.save.header fp (utt.wave an_utt) 'riff nil (list (list "numsamples" totalnumsamples)))
  (fclose fp))
"""


def _scheme_string(text: str) -> str:
    r"""``text`` as a Scheme string literal.

    Examples
    --------
    >>> print(_scheme_string('/tmp/a "b"\\c'))
    "/tmp/a \"b\"\\c"
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class FestivalProcess:
    """One ``festival --pipe`` with :data:`TEXT2WAVE` loaded: speaks a file at a time."""

    def __init__(self) -> None:
        try:
            self.process = subprocess.Popen(
                ["festival", "--pipe"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
        except OSError as error:
            raise VoiceError(f"festival failed to start ({error})") from None
        try:
            self._send(TEXT2WAVE)
        except OSError as error:
            self.close()
            raise VoiceError(f"festival stopped as it started ({error})") from None

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def _send(self, scheme: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((scheme + "\n").encode())
        self.process.stdin.flush()

    def speak(self, evals: Sequence[str], text_file: Path, out_wav: Path) -> None:
        """Speak ``text_file`` into ``out_wav`` after ``evals`` (``text2wave -eval ...``).

        Raises
        ------
        VoiceError
            With Festival's own error line, or if it stopped or went quiet.
        """
        speak = f"(explainer_speak_file {_scheme_string(str(text_file))} "
        speak += f"{_scheme_string(str(out_wav))})"
        try:
            self._send("\n".join([*evals, speak, f'(format stderr "{DONE}\\n")']))
        except OSError as error:
            raise VoiceError(f"festival stopped ({error})") from None
        problems = [line for line in self._lines_until_done() if "error" in line.lower()]
        if problems:
            raise VoiceError(f"festival: {problems[0].strip()}")

    def _lines_until_done(self) -> list[str]:
        """What Festival wrote to stderr for this beat (its errors), up to the marker.

        Read from the descriptor itself: a buffered reader could hold the marker already
        read while ``select`` waits for more.
        """
        assert self.process.stderr is not None
        stream, said, marker = self.process.stderr.fileno(), b"", f"{DONE}\n".encode()
        while marker not in said:
            ready, _, _ = select.select([stream], [], [], SPEAK_TIMEOUT)
            if not ready:
                raise VoiceError(f"festival said nothing for {SPEAK_TIMEOUT} s")
            chunk = os.read(stream, 65536)
            if not chunk:
                raise VoiceError(f"festival ended (exit {self.process.wait()})")
            said += chunk
        return said.split(marker)[0].decode(errors="replace").splitlines()

    def close(self) -> None:
        """End the process (its stdin closed: Festival exits at the end of its input)."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


class FestivalPool:
    """Festival processes shared by every thread that voices while a session is open.

    Sessions nest: the processes end when the last one closes. Outside any session
    :meth:`speak` is not used (the voice runs ``text2wave``).

    Examples
    --------
    >>> pool = FestivalPool()
    >>> pool.open
    False
    >>> with pool.session():
    ...     pool.open
    True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[FestivalProcess] = []
        self._users = 0

    @property
    def open(self) -> bool:
        """Whether a session is open (beats are spoken by pooled processes)."""
        return self._users > 0

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep Festival processes between beats until this (outermost) session ends."""
        with self._lock:
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                ending = self._idle if self._users == 0 else []
                self._idle = [] if self._users == 0 else self._idle
            for process in ending:
                process.close()

    def speak(self, evals: Sequence[str], text_file: Path, out_wav: Path) -> None:
        """Speak with an idle process (a new one if none is idle); a process that failed is
        closed, not kept."""
        with self._lock:
            process = self._idle.pop() if self._idle else None
        if process is None or not process.alive:  # ended while idle: start another
            if process is not None:
                process.close()
            process = FestivalProcess()
        try:
            process.speak(evals, text_file, out_wav)
        except BaseException:
            process.close()
            raise
        with self._lock:
            if self._users > 0:
                self._idle.append(process)
                return
        process.close()


FESTIVALS = FestivalPool()  # the process's one pool: any FestivalVoice may use any process
