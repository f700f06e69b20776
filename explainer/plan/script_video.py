"""The ``[video]`` table of a narration script: the title, the voice and its rate, the
pacing and the worked example, checked, with the command line's overrides."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attention.spec import DEFAULT_MODEL, DEFAULT_SENTENCE, ExampleSpec
from attention.story.placeholders import narration_values
from attention.tokens import tokenize
from attention.worked.example import ExampleError, WorkedExample, find_focus
from explainer.core.errors import ScriptError, VoiceError
from explainer.plan.script_checks import TableChecks
from explainer.voice.engines import RATE_RANGE, parse_voice, rated_kinds
from scenes.plan import describe_value
from scenes.scripts import BEAT_PAUSE, SCENE_PAUSE

__all__ = ["VideoChecks", "VideoHeader", "VideoSettings"]

# key -> (python types accepted, default or _REQUIRED); bool is excluded from numbers below
_REQUIRED = object()
_VIDEO_KEYS: dict[str, tuple[tuple[type, ...], Any]] = {
    "title": ((str,), _REQUIRED),
    "sentence": ((str,), DEFAULT_SENTENCE),
    "focus": ((str,), None),
    "voice": ((str,), "festival"),
    "rate": ((int, float, dict), None),  # one number, or a table of them by voice kind
    "model": ((str,), DEFAULT_MODEL),
    "target_seconds": ((int, float), 110.0),
    "beat_pause": ((int, float), BEAT_PAUSE),
    "scene_pause": ((int, float), SCENE_PAUSE),
}
_PAUSE_LIMIT = 10.0  # seconds; a longer pause is almost certainly a typo (ms for s)


@dataclass(frozen=True)
class VideoSettings:
    """The ``[video]`` table but its example: the title, the voice and the pacing.

    (The sentence, focus and model are the script's :class:`attention.spec.ExampleSpec`.)
    ``rate`` is the voice's speaking speed relative to its natural one, as the script (or
    ``--rate``) sets it for this voice; None leaves the engine's default.

    Examples
    --------
    >>> VideoSettings("Attention", "espeak", 60.0, 0.3, 0.8).voice
    'espeak'
    """

    title: str
    voice: str
    target_seconds: float
    beat_pause: float
    scene_pause: float
    rate: float | None = None


@dataclass(frozen=True)
class VideoHeader:
    """What the chapters are checked against: the settings, the script's worked example
    (its spec checked: ``"it@2"`` when the focus word repeats, so every scene and every
    process picks the same token) and the placeholder values it fills narration with."""

    settings: VideoSettings
    example: WorkedExample
    values: dict[str, str]

    @property
    def spec(self) -> ExampleSpec:
        """The script's example spec, checked; every plan refers to this one."""
        return self.example.spec


class VideoChecks(TableChecks):
    """Checks the top level and the ``[video]`` table, raising ScriptError at the first
    problem.

    Examples
    --------
    >>> from explainer.plan.script_source import ScriptLines
    >>> text = '[video]\\ntitle = "Hi"\\nvoice = "espeak"\\n'
    >>> checks = VideoChecks(Path("hi.toml"), ScriptLines(text))
    >>> checks.header({"video": {"title": "Hi", "voice": "espeak"}}, {}).settings.voice
    'espeak'
    """

    def header(
        self, data: dict[str, Any], overrides: dict[str, str | None], rate: float | None = None
    ) -> VideoHeader:
        """The ``[video]`` table: the settings and the worked example, checked."""
        self.unknown_keys(data, ("video", "scene"), None, "the top level")
        values = self.video(data, overrides)
        settings = VideoSettings(
            title=values["title"].strip(),
            voice=values["voice"],
            target_seconds=float(values["target_seconds"]),
            beat_pause=float(values["beat_pause"]),
            scene_pause=float(values["scene_pause"]),
            rate=self.voice_rate(values["rate"], values["voice"], rate),
        )
        overridden = frozenset(k for k, v in overrides.items() if v is not None)
        spec = ExampleSpec(values["sentence"], values["focus"], values["model"].strip())
        example = self.example(spec, None, overridden)
        return VideoHeader(settings, example, narration_values(example))

    def video(self, data: dict[str, Any], overrides: dict[str, str | None]) -> dict[str, Any]:
        """The ``[video]`` table's values, checked, with the command line's overrides."""
        video = data.get("video")
        line = self.where.video
        if video is None:
            raise self.fail(1, 'missing [video] table; add [video] with at least title = "..."')
        if not isinstance(video, dict):
            raise self.fail(
                self.where.top_key("video"), "video must be a table; write it as [video]"
            )
        self.unknown_keys(video, tuple(_VIDEO_KEYS), line, "[video]")
        values = {
            key: self.setting(video, key, kinds, default, line)
            for key, (kinds, default) in _VIDEO_KEYS.items()
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        sentence = overrides.get("sentence")
        if sentence is not None and overrides.get("focus") is None:
            values["focus"] = self.keep_focus(sentence, values["focus"])
        self.check_title(values["title"], self.where.key("title", line))
        for key in ("target_seconds", "beat_pause", "scene_pause"):
            self.check_seconds(key, float(values[key]), self.where.key(key, line))
        values["voice"] = self.check_voice(
            values["voice"], overrides.get("voice") is not None, self.where.key("voice", line)
        )
        return values

    def setting(
        self,
        video: dict[str, Any],
        key: str,
        kinds: tuple[type, ...],
        default: Any,
        line: int,
    ) -> Any:
        """``video[key]`` if it is one of ``kinds`` (its default if absent)."""
        if key not in video:
            if default is _REQUIRED:
                raise self.fail(line, f'[video] has no {key}; add {key} = "..."')
            return default
        value = video[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            wanted = "a number" if float in kinds else "a string in double quotes"
            wanted += " or a table of them by voice" if dict in kinds else ""
            raise self.fail(
                self.where.key(key, line),
                f"[video] {key} must be {wanted}, not {describe_value(value)}",
            )
        return value

    @staticmethod
    def keep_focus(sentence: str, focus: str | None) -> str | None:
        """The file's focus if it is still a token of the overriding sentence, else None."""
        if focus is None:
            return None
        try:
            find_focus(tokenize(sentence), focus)  # the words, case-insensitive, word@N
        except ExampleError:
            return None
        return focus

    def check_seconds(self, key: str, value: float, line: int) -> None:
        """ScriptError if a duration is not finite or out of its key's range."""
        limit = 3600.0 if key == "target_seconds" else _PAUSE_LIMIT
        low_ok = value > 0 if key == "target_seconds" else value >= 0
        if not (math.isfinite(value) and low_ok and value <= limit):
            bounds = "above 0" if key == "target_seconds" else "at least 0"
            raise self.fail(
                line,
                f"[video] {key} = {value} is out of range; use seconds, {bounds} "
                f"and at most {limit:g}",
            )

    def check_voice(self, spec: str, overridden: bool, line: int) -> str:
        """The voice spec, valid; a relative path in the file's spec is made relative to
        the script's folder (a command-line spec stays relative to the working directory).
        """
        try:
            parse_voice(spec)
        except VoiceError as error:
            where = f"{self.path}: --voice" if overridden else f"{self.path}:{line}"
            raise ScriptError(f"{where}: {error}") from None
        kind, _, argument = spec.strip().partition(":")
        if overridden or not argument or Path(argument.strip()).expanduser().is_absolute():
            return spec.strip()
        return f"{kind}:{self.path.parent / argument.strip()}"

    def voice_rate(self, given: Any, voice: str, override: float | None) -> float | None:
        """The speaking rate for ``voice``: ``--rate``, else the file's number, else the
        file's table's entry for the voice's kind; None (the engine's default) if none.
        The file's rate is checked even when ``--rate`` replaces it."""
        line = self.where.key("rate", self.where.video)
        chosen = given
        if isinstance(given, dict):
            table = self.where.table("video.rate") or line
            kinds = rated_kinds()
            self.unknown_keys(given, kinds, table, "[video.rate] (the voices a rate applies to)")
            for kind, value in given.items():
                at = self.where.key(kind, table)
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise self.fail(
                        at, f"[video.rate] {kind} must be a number, not {describe_value(value)}"
                    )
                self.check_rate(value, f"{self.path}:{at}", f"[video.rate] {kind}")
            chosen = given.get(voice.partition(":")[0])
        elif given is not None:
            self.check_rate(given, f"{self.path}:{line}", "[video] rate")
        if override is not None:
            return self.check_rate(override, str(self.path), "--rate")
        return None if chosen is None else float(chosen)

    @staticmethod
    def check_rate(value: float, where: str, what: str) -> float:
        """``value`` if it is a rate within :data:`RATE_RANGE`; ScriptError at ``where``."""
        low, high = RATE_RANGE
        if not (math.isfinite(value) and low <= value <= high):
            raise ScriptError(
                f"{where}: {what} = {value:g} is out of range; use the voice's speed relative "
                f"to its natural one, from {low:g} to {high:g} (0.9 is a tenth slower)"
            )
        return float(value)
