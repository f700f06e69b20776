"""Errors a user can cause: each carries one line saying what is wrong, where, and the fix."""

from __future__ import annotations

__all__ = ["ExplainerError", "ScriptError", "VoiceError", "RenderError", "LectureError"]


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


class LectureError(ExplainerError):
    """The lecture exports cannot be made (no finished render, a damaged file, no fonts)."""
