"""What a scene renders from: its plan and the one beat record every stage passes on.

A narration line becomes a :class:`Beat` once, when the script loads (placeholders filled,
speech estimated from its words); the voice stage replaces the estimate with the measured
speech and the audio file; the timeline lays beats end to end; a scene plays them. No
other beat type exists. This module imports no Manim: the pipeline's types and the worker
jobs use it without loading Manim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from attention.spec import ExampleSpec
from attention.story.placeholders import fill

__all__ = [
    "SPEECH_WORDS_PER_SECOND",
    "Beat",
    "SceneParam",
    "ScenePlan",
    "describe_value",
    "beat_frames",
    "estimate_speech_seconds",
    "spoken_beat",
]

SPEECH_WORDS_PER_SECOND = 2.6  # festival's SLT voice speaks about 2.6 words per second


def beat_frames(speech: float, pause: float, fps: float) -> int:
    """Whole frames a beat's slot lasts: its speech plus the pause after it, rounded up.

    Examples
    --------
    >>> beat_frames(2.0, 0.35, 15)
    36
    """
    return max(1, math.ceil(round((speech + pause) * fps, 6)))


def estimate_speech_seconds(text: str) -> float:
    """Speech duration guessed from word count, for plans made without audio.

    Examples
    --------
    >>> round(estimate_speech_seconds("one two three four five six seven eight nine ten"), 2)
    3.85
    """
    return max(1.0, len(text.split()) / SPEECH_WORDS_PER_SECOND)


@dataclass(frozen=True)
class Beat:
    """One narrated line, from the script to the clip.

    Parameters
    ----------
    id
        The beat's id in its scene (a slug).
    text
        What the narrator says: placeholders already filled from the worked example.
    speech
        Seconds of speech: estimated from the words when the script loads, measured from
        the decoded audio once voiced.
    pause
        Seconds of silence after the speech.
    audio
        The voiced WAV; None until the voice stage has run.

    Examples
    --------
    >>> beat = Beat("split", "Take the sentence.", 1.0, 0.35)
    >>> beat.voiced(2.5, Path("split.wav")).speech
    2.5
    """

    id: str
    text: str
    speech: float
    pause: float
    audio: Path | None = None

    def voiced(self, speech: float, audio: Path) -> Beat:
        """This beat with its measured speech and audio file."""
        return replace(self, speech=speech, audio=audio)

    def frames(self, fps: float) -> int:
        """Whole frames this beat's slot lasts at ``fps``."""
        return beat_frames(self.speech, self.pause, fps)


def spoken_beat(beat_id: str, text: str, values: Mapping[str, str], pause: float) -> Beat:
    """A narration line as the narrator will say it: placeholders filled from ``values``
    (:func:`attention.story.placeholders.fill`, which raises PlaceholderError), speech estimated.

    Examples
    --------
    >>> spoken_beat("hi", "Hello {name}.", {"name": "cat"}, 0.35).text
    'Hello cat.'
    """
    spoken = fill(text, values)
    return Beat(beat_id, spoken, estimate_speech_seconds(spoken), pause)


_KINDS: dict[str, tuple[type, ...]] = {"float": (int, float), "int": (int,), "str": (str,)}


@dataclass(frozen=True)
class SceneParam:
    """A parameter a scene class declares, which a script may set in ``[scene.params]``.

    ``kind`` is ``"float"``, ``"int"``, ``"str"``, or one of them followed by ``" list"``
    (a non-empty array of them).

    Examples
    --------
    >>> temps = SceneParam("temperatures", "float list", (0.5, 1.0, 2.0), "softmax temperatures")
    >>> temps.check([0.25, 4])
    (0.25, 4.0)
    >>> temps.check("hot")
    Traceback (most recent call last):
    ...
    ValueError: must be an array of numbers, not a string
    """

    name: str
    kind: str
    default: Any
    help: str
    above: float | None = None  # numbers must be greater than this

    def check(self, value: Any) -> Any:
        """``value`` converted to this parameter's kind; ValueError saying what is wrong."""
        item, _, many = self.kind.partition(" ")
        if not many:
            return self._checked(value, item)
        if not isinstance(value, list) or not value:
            raise ValueError(
                f"must be an array of {_KIND_NAMES[item]}s, not {describe_value(value)}"
            )
        return tuple(self._checked(v, item) for v in value)

    def _checked(self, value: Any, kind: str) -> Any:
        checked = _checked_item(value, kind)
        if self.above is not None and kind != "str" and not checked > self.above:
            raise ValueError(f"must be above {self.above:g}, not {value}")
        return checked


_KIND_NAMES = {"float": "number", "int": "whole number", "str": "string"}


def describe_value(value: Any) -> str:
    """What a TOML value is, in words, for error messages.

    Examples
    --------
    >>> describe_value(True), describe_value([]), describe_value(3.0), describe_value({})
    ('true/false', 'an empty array', 'a number', 'a table')
    """
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "an empty array" if not value else "an array"
    kinds = {int: "a number", float: "a number", str: "a string", dict: "a table"}
    return kinds.get(type(value), type(value).__name__)


def _checked_item(value: Any, kind: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, _KINDS[kind]):  # bool is an int
        raise ValueError(f"must be a {_KIND_NAMES[kind]}, not {describe_value(value)}")
    if kind == "float":
        number = float(cast(float, value))  # an int or a float, checked above
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, not {value}")
        return number
    return value


@dataclass(frozen=True)
class ScenePlan:
    """Everything a scene needs to render one chapter: beats, chapter and the example spec.

    ``spec`` is the script's one :class:`attention.spec.ExampleSpec` (every plan of a
    script refers to the same value); ``params`` holds the values the script set in the
    scene's ``[scene.params]`` table (checked against the chapter's declared parameters
    when the script loads).

    Examples
    --------
    >>> spec = ExampleSpec("The cat sat")
    >>> plan = ScenePlan("s", "S", 1, "Tokens", (Beat("a", "Hi.", 1.0, 0.35),), spec)
    >>> plan.frames(15), ScenePlan.from_dict(plan.to_dict()) == plan
    (21, True)
    """

    scene_id: str
    title: str
    chapter: int
    class_name: str
    beats: tuple[Beat, ...]
    spec: ExampleSpec
    params: Mapping[str, Any] = field(default_factory=dict)

    def frames(self, fps: float) -> int:
        """Frames this scene's clip has: the sum of its beats' whole-frame slots."""
        return sum(beat.frames(fps) for beat in self.beats)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (paths as strings), for worker processes and cache keys."""
        data = asdict(self)
        data["spec"] = self.spec.to_dict()
        data["params"] = dict(self.params)
        for beat in data["beats"]:
            beat["audio"] = None if beat["audio"] is None else str(beat["audio"])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenePlan:
        """The plan :meth:`to_dict` described."""
        beats = tuple(
            Beat(**{**beat, "audio": None if beat["audio"] is None else Path(beat["audio"])})
            for beat in data["beats"]
        )
        spec = ExampleSpec.from_dict(data["spec"])
        params = dict(data.get("params", {}))
        return cls(**{**data, "beats": beats, "spec": spec, "params": params})
