"""Errors a user can cause: each carries one line saying what is wrong, where, and the fix."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ExplainerError",
    "ScriptError",
    "VoiceError",
    "RenderError",
    "ClusterError",
    "LectureError",
    "OutputInTheWay",
    "exit_detail",
    "first_of",
    "one_line",
]


class ExplainerError(Exception):
    """A user-caused failure; the CLI prints ``str(error)`` as one line and exits non-zero.

    Examples
    --------
    >>> str(ScriptError("scripts/a.toml:3: empty beat text; write what the narrator says"))
    'scripts/a.toml:3: empty beat text; write what the narrator says'
    """


class ScriptError(ExplainerError):
    """The narration script is invalid (bad TOML, unknown key, class, placeholder, ...)."""


class VoiceError(ExplainerError):
    """A voice engine or recording is missing, broken, or produced no speech."""


class RenderError(ExplainerError):
    """A scene render or the final assembly failed."""


class ClusterError(RenderError):
    """The cluster failed, not a job: its scheduler unreachable, lost or hung, no workers.

    A batch stops on it (the next variant would fail the same way); a variant's own
    error is recorded and the batch goes on.
    """


class LectureError(ExplainerError):
    """The lecture exports cannot be made (no finished render, a damaged file, no fonts)."""


class OutputInTheWay(ExplainerError):
    """A file explainer did not write (or one changed since) sits where an output goes.

    Raised before anything is written; ``--force`` overwrites such files instead.
    """


def one_line(error: BaseException) -> str:
    """An exception's message on one line (its type's name if it has none).

    Examples
    --------
    >>> one_line(ValueError("no  such   file")), one_line(KeyError())
    ('no such file', 'KeyError')
    """
    return " ".join(str(error).split()) or type(error).__name__


def exit_detail(output: str, limit: int = 200) -> str:
    r"""The end of what a program printed before it exited, on one line, for an error.

    Examples
    --------
    >>> exit_detail("Traceback ...\n  ValueError:  bad\n"), exit_detail("")
    ('Traceback ... ValueError: bad', 'no message')
    """
    return " ".join(output.split())[-limit:] or "no message"


def first_of(problems: Sequence[str]) -> str:
    """The first problem, and how many more follow, for a one-line error.

    Examples
    --------
    >>> first_of(["a is wrong", "b is wrong"]), first_of(["a is wrong"])
    ('a is wrong (and 1 more)', 'a is wrong')
    """
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{problems[0]}{more}"
