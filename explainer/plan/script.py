"""Load and validate a narration script (``scripts/*.toml``) into scene plans.

This is the only place a narration line's placeholders are filled: each line becomes a
:class:`scenes.plan.Beat` (text as spoken, speech estimated from its words) inside the
:class:`scenes.plan.ScenePlan` of its chapter, and every later stage passes those on.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from attention.models.model import ModelError
from attention.spec import DEFAULT_MODEL, DEFAULT_SENTENCE, ExampleSpec
from attention.story.lesson_narration import LESSON_PARAMS
from attention.story.placeholders import PlaceholderError, narration_values, scene_values
from attention.tokens import tokenize
from attention.worked.example import ExampleError, WorkedExample, example_for, find_focus
from explainer.core.errors import ScriptError, VoiceError, one_line
from explainer.voice.engines import RATE_RANGE, parse_voice, rated_kinds
from scenes.catalogue import CHAPTERS, ChapterEntry, ChapterModelError, chapter_spec
from scenes.plan import Beat, SceneParam, ScenePlan, describe_value, spoken_beat
from scenes.scripts import BEAT_PAUSE, DEFAULT_SCRIPT, PROJECT_ROOT, SCENE_PAUSE

__all__ = [
    "DEFAULT_SCRIPT",
    "PROJECT_ROOT",
    "VideoSettings",
    "Script",
    "load_script",
    "load_video",
]

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_MAX_ID = 64
_MAX_TEXT = 2000
_MAX_BYTES = 1_000_000  # a narration script is a few kB; anything this big is a wrong path
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

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
_SCENE_KEYS = ("id", "title", "class", "params", "beat")
_BEAT_KEYS = ("id", "text")
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
class Script:
    """A validated narration script: its settings, its example spec and one plan per
    chapter, in order.

    ``spec`` is checked (the focus resolved) and every plan refers to it. Every beat's text
    is filled and its speech estimated; the voice stage replaces the estimates with
    measured speech.

    Examples
    --------
    >>> script = load_script(PROJECT_ROOT / DEFAULT_SCRIPT)
    >>> script.name, script.scenes[0].chapter, script.scenes[0].beats[0].text
    ('attention', 1, 'Take the sentence: The cat sat on the mat, split into tokens.')
    """

    path: Path
    name: str
    settings: VideoSettings
    spec: ExampleSpec
    scenes: tuple[ScenePlan, ...]

    def scene(self, scene_id: str) -> ScenePlan:
        """The scene called ``scene_id``; ScriptError listing the known ids otherwise."""
        for scene in self.scenes:
            if scene.scene_id == scene_id:
                return scene
        known = ", ".join(s.scene_id for s in self.scenes)
        raise ScriptError(f"{self.path}: no scene with id {scene_id!r}; choose one of: {known}")

    def select(self, scene_ids: Iterable[str]) -> Script:
        """The same script with only ``scene_ids`` (file order kept, chapters unchanged).

        An empty selection means all scenes. Unknown ids raise ScriptError.
        """
        wanted = list(scene_ids)
        if not wanted:
            return self
        for scene_id in wanted:
            self.scene(scene_id)
        chosen = set(wanted)
        return replace(self, scenes=tuple(s for s in self.scenes if s.scene_id in chosen))

    def with_scenes(self, scenes: Iterable[ScenePlan]) -> Script:
        """The same script with ``scenes`` (e.g. voiced ones) in place of its plans."""
        return replace(self, scenes=tuple(scenes))

    def spoken_lines(self) -> list[tuple[str, str, str]]:
        """Every beat's narration as ``(scene id, beat id, text)``, in video order."""
        return [(plan.scene_id, beat.id, beat.text) for plan in self.scenes for beat in plan.beats]


def load_script(
    path: str | Path = DEFAULT_SCRIPT,
    *,
    sentence: str | None = None,
    focus: str | None = None,
    voice: str | None = None,
    model: str | None = None,
    rate: float | None = None,
) -> Script:
    """Read, validate and return the narration script at ``path``.

    Parameters
    ----------
    path
        A TOML file with a ``[video]`` table and ``[[scene]]`` / ``[[scene.beat]]`` arrays.
    sentence, focus, voice, model
        Overrides from the command line; they replace the file's settings before
        validation. Overriding the sentence drops the file's focus if it is not a token of
        the new sentence. A relative ``piper:``/``recorded:`` path written in the file is
        relative to the file's folder; one given as ``voice`` is relative to the working
        directory.
    rate
        The voice's speaking rate from the command line, in place of the file's ``rate``.

    Returns
    -------
    Script
        Every id slug-safe and unique, every scene class known with the beat ids it expects,
        every placeholder known, the voice spec valid.

    Raises
    ------
    ScriptError
        ``path:line: what is wrong; how to fix it`` for any problem in the file.

    Examples
    --------
    >>> load_script(PROJECT_ROOT / DEFAULT_SCRIPT, voice="espeak").settings.voice
    'espeak'
    """
    path, text, data = _read(Path(path))
    overrides = {"sentence": sentence, "focus": focus, "voice": voice, "model": model}
    return _Validator(path, text, data).script(overrides, rate)


def load_video(
    path: str | Path = DEFAULT_SCRIPT,
    *,
    sentence: str | None = None,
    focus: str | None = None,
    model: str | None = None,
) -> tuple[VideoSettings, ExampleSpec]:
    """The script's ``[video]`` settings and example spec, checked, with the command line's
    overrides; its chapters are not read (``explainer explore`` needs no narration, and a
    trained ``--model`` need not suit the script's designed-model chapters).

    Examples
    --------
    >>> settings, spec = load_video(PROJECT_ROOT / DEFAULT_SCRIPT, focus="cat")
    >>> settings.title, spec.focus
    ('Attention, step by step', 'cat')
    """
    path, text, data = _read(Path(path))
    overrides = {"sentence": sentence, "focus": focus, "voice": None, "model": model}
    return _Validator(path, text, data).header(overrides)


def _read(path: Path) -> tuple[Path, str, dict[str, Any]]:
    """The script's path (the shipped default wherever the command runs), text and TOML."""
    if path == DEFAULT_SCRIPT and not path.is_file():  # e.g. plain manim run from elsewhere
        path = PROJECT_ROOT / DEFAULT_SCRIPT
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ScriptError(f"{path}: cannot read the script ({reason}); check the path") from None
    if len(raw) > _MAX_BYTES:
        raise ScriptError(
            f"{path}: the script is {len(raw)} bytes, over {_MAX_BYTES}; is it the right file?"
        )
    text = _decode(path, raw)
    return path, text, _parse_toml(path, text)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScriptError(f"{path}:{line}: the file is not UTF-8 text; save it as UTF-8") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScriptError(
            f"{path}:1: invalid TOML: arrays or tables nested too deeply; flatten them"
        ) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends with "(at line L, column C)"; move the place to the front
        message = str(error)
        found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if found:
            what = message[: found.start()].strip()
            where = f"{path}:{found.group(1)}:{found.group(2)}"
        else:
            what = message.replace("(at end of document)", "").strip()
            where = f"{path}:{text.count(chr(10)) + 1}"
        raise ScriptError(
            f"{where}: invalid TOML: {what}; fix the syntax (strings need double quotes)"
        ) from None


class _Lines:
    """Finds the line of a header or key in the raw text, since tomllib reports none."""

    _SCENE = re.compile(r"\s*\[\[\s*scene\s*\]\]")
    _BEAT = re.compile(r"\s*\[\[\s*scene\s*\.\s*beat\s*\]\]")
    _VIDEO = re.compile(r"\s*\[\s*video\s*\]")
    _HEADER = re.compile(r"\s*\[")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.scenes = [i + 1 for i, ln in enumerate(self.lines) if self._SCENE.match(ln)]
        self.beats = [i + 1 for i, ln in enumerate(self.lines) if self._BEAT.match(ln)]
        self.video = next((i + 1 for i, ln in enumerate(self.lines) if self._VIDEO.match(ln)), 1)

    def scene(self, index: int) -> int:
        return self.scenes[index] if index < len(self.scenes) else 1

    def table(self, dotted: str) -> int | None:
        """The line of the header ``[a.b]`` of a nested table, or None if it has none."""
        parts = r"\s*\.\s*".join(re.escape(part) for part in dotted.split("."))
        header = re.compile(rf"\s*\[\s*{parts}\s*\]")
        return next((i + 1 for i, ln in enumerate(self.lines) if header.match(ln)), None)

    def beat(self, scene_index: int, beat_index: int) -> int:
        start = self.scene(scene_index)
        end = self.scene(scene_index + 1) if scene_index + 1 < len(self.scenes) else None
        inside = [b for b in self.beats if b > start and (end is None or b < end)]
        return inside[beat_index] if beat_index < len(inside) else start

    def key(self, key: str, section_line: int) -> int:
        """The line of ``key = ...`` in the table whose header is on ``section_line``.

        A ``section_line`` that is not a header means the top-level table (from line 1).
        Falls back to ``section_line`` when the key is written some other way (inline).
        """
        pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        start = section_line + 1 if self._header_on(section_line) else 1
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self._HEADER.match(line):
                break
            if pattern.match(line):
                return number
        return section_line

    def top_key(self, key: str) -> int:
        """The line of a top-level key or table header named ``key``."""
        pattern = re.compile(rf"\s*(\[\[?\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)")
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                return number
        return 1

    def param(self, name: str, scene_line: int) -> int:
        """The line of parameter ``name`` of the scene whose header is on ``scene_line``."""
        header = re.compile(r"\s*\[\s*scene\s*\.\s*params\s*\]")
        following = [n for n in self.scenes if n > scene_line]
        end = following[0] if following else len(self.lines) + 1
        dotted = re.compile(rf"\s*[\"']?params[\"']?\s*\.\s*[\"']?{re.escape(name)}[\"']?\s*=")
        for number in range(scene_line + 1, end):
            if header.match(self.lines[number - 1]):
                return self.key(name, number)
            if dotted.match(self.lines[number - 1]):
                return number
        return self.key("params", scene_line)

    def _header_on(self, number: int) -> bool:
        return 0 < number <= len(self.lines) and bool(self._HEADER.match(self.lines[number - 1]))


class _Validator:
    """Walks the parsed TOML, raising ScriptError at the first problem."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.where = _Lines(text)

    def fail(self, line: int, message: str) -> ScriptError:
        return ScriptError(f"{self.path}:{line}: {message}")

    def script(self, overrides: dict[str, str | None], rate: float | None = None) -> Script:
        self.header(overrides, rate)
        return Script(self.path, self.path.stem, self.settings_, self.spec, self.scenes())

    def header(
        self, overrides: dict[str, str | None], rate: float | None = None
    ) -> tuple[VideoSettings, ExampleSpec]:
        """The ``[video]`` table: the settings and the example spec, checked."""
        self.unknown_keys(self.data, ("video", "scene"), None, "the top level")
        values = self.video(overrides)
        self.settings_ = VideoSettings(
            title=values["title"].strip(),
            voice=values["voice"],
            target_seconds=float(values["target_seconds"]),
            beat_pause=float(values["beat_pause"]),
            scene_pause=float(values["scene_pause"]),
            rate=self.voice_rate(values["rate"], values["voice"], rate),
        )
        self.overridden = {k for k, v in overrides.items() if v is not None}
        spec = ExampleSpec(values["sentence"], values["focus"], values["model"].strip())
        self.example_ = self.example(spec)
        # checked once, here: "it@2" when the focus word repeats, so every scene and every
        # process picks the same token; every plan refers to this one spec
        self.spec = self.example_.spec
        self.values = narration_values(self.example_)
        return self.settings_, self.spec

    # -- [video] -----------------------------------------------------------------------------

    def video(self, overrides: dict[str, str | None]) -> dict[str, Any]:
        """The ``[video]`` table's values, checked, with the command line's overrides."""
        video = self.data.get("video")
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

    def check_title(self, title: str, line: int) -> None:
        if not title.strip():
            raise self.fail(line, "[video] title is empty; give the video a title")
        if _CONTROL.search(title) or "\n" in title:
            raise self.fail(line, "[video] title contains a line break or control character")

    def check_seconds(self, key: str, value: float, line: int) -> None:
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

    def example(self, spec: ExampleSpec, line: int | None = None) -> WorkedExample:
        """The worked example of a spec (the numbers it narrates); a problem is reported on
        the [video] key it comes from, or on ``line`` (a chapter's own model)."""
        try:
            return example_for(spec)
        except ExampleError as error:
            key = "focus" if str(error).startswith("focus") else "sentence"
            key = "model" if isinstance(error, ModelError) else key
            where = (
                f"{self.path}: --{key}"
                if key in self.overridden and line is None
                else f"{self.path}:{line or self.where.key(key, self.where.video)}"
            )
            raise ScriptError(f"{where}: {one_line(error)}") from None

    # -- [[scene]] ---------------------------------------------------------------------------

    def scenes(self) -> tuple[ScenePlan, ...]:
        raw = self.data.get("scene")
        if raw is None:
            raise self.fail(
                len(self.where.lines) or 1,
                "the script has no scenes; add a [[scene]] with id, title, class and beats",
            )
        if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
            raise self.fail(
                self.where.top_key("scene"),
                "scene must be an array of tables; write each one as [[scene]]",
            )
        if not raw:
            raise self.fail(self.where.top_key("scene"), "the script has no scenes; add one")
        scenes: list[ScenePlan] = []
        seen: dict[str, int] = {}
        for index, table in enumerate(raw):
            scene = self.scene(index, table)
            line = self.where.key("id", self.where.scene(index))
            if scene.scene_id in seen:
                raise self.fail(
                    line,
                    f"duplicate scene id {scene.scene_id!r} (first on line "
                    f"{seen[scene.scene_id]}); give every scene its own id",
                )
            seen[scene.scene_id] = line
            scenes.append(scene)
        return tuple(scenes)

    def scene(self, index: int, table: dict[str, Any]) -> ScenePlan:
        line = self.where.scene(index)
        self.unknown_keys(table, _SCENE_KEYS, line, "[[scene]]")
        scene_id = self.slug(table, "id", line, "[[scene]]")
        title = self.string(table, "title", line, "[[scene]]")
        self.check_title(title, self.where.key("title", line))
        class_name = self.string(table, "class", line, "[[scene]]")
        declared = self.scene_class(class_name, line)
        params = self.params(table, line, scene_id, declared.params)
        spec = self.chapter_spec(declared, params, scene_id, line)
        values = self.scene_values(spec, params, line, scene_id)
        beats = self.beats(index, table, line, scene_id, values)
        got = tuple(b.id for b in beats)
        if declared.beat_ids and got != declared.beat_ids:
            raise self.fail(
                line,
                f"scene {scene_id!r} (class {class_name}) has beats {', '.join(got)}; "
                f"{class_name} plays exactly these beats, in order: "
                f"{', '.join(declared.beat_ids)}",
            )
        return ScenePlan(
            scene_id=scene_id,
            title=title.strip(),
            chapter=index + 1,
            class_name=class_name,
            beats=beats,
            spec=spec,
            params=params,
        )

    def chapter_spec(
        self, entry: ChapterEntry, params: dict[str, Any], scene_id: str, line: int
    ) -> ExampleSpec:
        """The script's spec, or the chapter's own (a trained-model chapter in a video of
        the designed model reads the sentence with its ``model`` parameter)."""
        try:
            spec = chapter_spec(self.spec, entry, params)
        except ChapterModelError as error:
            raise self.fail(self.where.key("class", line), f"scene {scene_id!r}: {error}") from None
        if spec == self.spec:
            return self.spec
        at = self.where.param("model", line) if "model" in params else self.where.key("class", line)
        return self.example(spec, at).spec

    def scene_values(
        self, spec: ExampleSpec, params: dict[str, Any], line: int, scene_id: str
    ) -> dict[str, str]:
        """The placeholder values for this scene: its own example's, and the lecture
        chapters' numbers following its parameters."""
        own = spec == self.spec
        try:
            return scene_values(
                self.example_ if own else example_for(spec), params, self.values if own else None
            )
        except ValueError as error:
            name = next(k for k in params if k in LESSON_PARAMS)
            raise self.fail(
                self.where.param(name, line), f"scene {scene_id!r} parameter {one_line(error)}"
            ) from None

    def scene_class(self, class_name: str, line: int) -> ChapterEntry:
        if class_name not in CHAPTERS:
            raise self.fail(
                self.where.key("class", line),
                f"unknown scene class {class_name!r}; use one of: {', '.join(CHAPTERS)}",
            )
        return CHAPTERS[class_name]

    def params(
        self,
        table: dict[str, Any],
        line: int,
        scene_id: str,
        declared: tuple[SceneParam, ...],
    ) -> dict[str, Any]:
        """The scene's parameters: declared defaults, overridden by ``[scene.params]``."""
        values = {param.name: param.default for param in declared}
        given = table.get("params", {})
        at = self.where.key("params", line)
        if not isinstance(given, dict):
            raise self.fail(at, f"scene {scene_id!r}: params must be a table [scene.params]")
        by_name = {param.name: param for param in declared}
        for name, value in given.items():
            param = by_name.get(name)
            if param is None:
                known = ", ".join(by_name) or "none"
                hint = _closest(name, tuple(by_name))
                fix = f"did you mean {hint!r}?" if hint else f"its parameters: {known}"
                raise self.fail(
                    self.where.param(name, line),
                    f"scene {scene_id!r} has no parameter {name!r}; {fix}",
                )
            try:
                values[name] = param.check(value)
            except ValueError as error:
                raise self.fail(
                    self.where.param(name, line),
                    f"scene {scene_id!r} parameter {name} {error} ({param.help})",
                ) from None
        return values

    def beats(
        self,
        scene_index: int,
        table: dict[str, Any],
        line: int,
        scene_id: str,
        values: dict[str, str],
    ) -> tuple[Beat, ...]:
        raw = table.get("beat")
        if raw is None or raw == []:
            raise self.fail(
                line,
                f"scene {scene_id!r} has no beats; add [[scene.beat]] tables with id and text",
            )
        if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
            raise self.fail(
                self.where.key("beat", line),
                f"scene {scene_id!r}: beat must be an array of tables; write [[scene.beat]]",
            )
        beats: list[Beat] = []
        seen: dict[str, int] = {}
        for beat_index, beat_table in enumerate(raw):
            beat_line = self.where.beat(scene_index, beat_index)
            last = beat_index == len(raw) - 1
            beat = self.beat(beat_table, beat_line, scene_id, last, values)
            if beat.id in seen:
                raise self.fail(
                    self.where.key("id", beat_line),
                    f"duplicate beat id {beat.id!r} in scene {scene_id!r} "
                    f"(first on line {seen[beat.id]}); give every beat its own id",
                )
            seen[beat.id] = self.where.key("id", beat_line)
            beats.append(beat)
        return tuple(beats)

    def beat(
        self, table: dict[str, Any], line: int, scene_id: str, last: bool, values: dict[str, str]
    ) -> Beat:
        self.unknown_keys(table, _BEAT_KEYS, line, "[[scene.beat]]")
        beat_id = self.slug(table, "id", line, "[[scene.beat]]")
        text = " ".join(self.string(table, "text", line, "[[scene.beat]]").split())
        text_line = self.where.key("text", line)
        if not text:
            raise self.fail(
                text_line,
                f"beat {beat_id!r} of scene {scene_id!r} has empty text; "
                "write what the narrator says",
            )
        if _CONTROL.search(text) or len(text) > _MAX_TEXT:
            raise self.fail(
                text_line,
                f"beat {beat_id!r} text has a control character or is over {_MAX_TEXT} "
                "characters; use plain text and split long lines into beats",
            )
        pause = self.settings_.scene_pause if last else self.settings_.beat_pause
        try:
            return spoken_beat(beat_id, text, values, pause)
        except PlaceholderError as error:  # its message lists the known names
            raise self.fail(
                text_line, f"beat {beat_id!r} of scene {scene_id!r}: {one_line(error)}"
            ) from None

    # -- shared checks -----------------------------------------------------------------------

    def unknown_keys(
        self, table: dict[str, Any], allowed: tuple[str, ...], line: int | None, where: str
    ) -> None:
        for key in table:
            if key not in allowed:
                at = self.where.top_key(key) if line is None else self.where.key(key, line)
                hint = _closest(key, allowed)
                fix = f"did you mean {hint!r}?" if hint else f"allowed: {', '.join(allowed)}"
                raise self.fail(at, f"unknown key {key!r} in {where}; {fix}")

    def string(self, table: dict[str, Any], key: str, line: int, where: str) -> str:
        if key not in table:
            raise self.fail(line, f'{where} has no {key}; add {key} = "..."')
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(
                self.where.key(key, line),
                f"{where} {key} must be a string in double quotes, not {describe_value(value)}",
            )
        return value

    def slug(self, table: dict[str, Any], key: str, line: int, where: str) -> str:
        value = self.string(table, key, line, where)
        if not _SLUG.match(value) or len(value) > _MAX_ID:
            raise self.fail(
                self.where.key(key, line),
                f"{where} id {value!r} is not a safe file name; use lowercase letters, digits, "
                f"'-' and '_' (starting with a letter or digit, at most {_MAX_ID})",
            )
        return value


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return found[0] if found else None
