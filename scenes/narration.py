"""Narrated scenes: beats sized to their speech, frame-exact.

A :class:`ScenePlan` says what a scene narrates and for how long; :class:`NarratedScene`
plays a scene's animations inside those beats so that every beat starts on a whole frame.
The pipeline builds plans from synthesised audio; plain ``manim`` builds one from the default
script with speech durations estimated from word count.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from manim import Scene, config

from attention import NumbersLedger, WorkedExample, worked_example
from attention.narration import fill, narration_values
from scenes.kit import ChapterHeader, Numbers, TokenRow, chapter_header

__all__ = [
    "DEFAULT_SCRIPT",
    "LECTURE_SCRIPT",
    "BeatPlan",
    "Beat",
    "Chapter",
    "SceneParam",
    "ScenePlan",
    "NarratedScene",
    "beat_frames",
    "default_plan",
    "estimate_speech_seconds",
]

DEFAULT_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "attention.toml"
# chapters the default cut leaves out are narrated by the lecture script
LECTURE_SCRIPT = DEFAULT_SCRIPT.with_name("attention-lecture.toml")
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
    """Speech duration guessed from word count, for renders without audio.

    Examples
    --------
    >>> round(estimate_speech_seconds("one two three four five six seven eight nine ten"), 2)
    3.85
    """
    return max(1.0, len(text.split()) / SPEECH_WORDS_PER_SECOND)


@dataclass(frozen=True)
class BeatPlan:
    """One narrated line: its id, text, seconds of speech and the pause after it."""

    id: str
    text: str
    speech: float
    pause: float


@dataclass(frozen=True)
class SceneParam:
    """A parameter a scene declares, set per scene in the script's ``[scene.params]`` table.

    Parameters
    ----------
    name
        The key in ``[scene.params]``.
    type
        The value's Python type: ``str``, ``int``, ``float``, ``bool``, or ``tuple`` (a TOML
        array of numbers or strings).
    default
        The value when the script does not set it.
    help
        One line for ``explainer scenes``.

    Examples
    --------
    >>> SceneParam("temperatures", tuple, (0.5, 1.0, 2.0), "softmax temperatures").default
    (0.5, 1.0, 2.0)
    """

    name: str
    type: type
    default: object
    help: str


@dataclass(frozen=True)
class ScenePlan:
    """Everything a scene needs to render one chapter: beats, chapter and example input."""

    scene_id: str
    title: str
    chapter: int
    class_name: str
    beats: tuple[BeatPlan, ...]
    sentence: str
    focus: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["params"] = dict(self.params)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScenePlan:
        beats = tuple(BeatPlan(**beat) for beat in data["beats"])
        return cls(**{**data, "beats": beats})

    @classmethod
    def from_default_script(cls, class_name: str, script: Path = DEFAULT_SCRIPT) -> ScenePlan:
        """The plan of ``class_name`` in the default script, speech estimated from words.

        This is what plain ``manim -ql scenes/<module>.py <Class>`` renders.
        """
        with script.open("rb") as handle:
            data = tomllib.load(handle)
        video = data.get("video", {})
        sentence = video.get("sentence", "The cat sat on the mat")
        focus = video.get("focus")
        values = narration_values(worked_example(sentence, focus))
        scenes = data.get("scene", [])
        for chapter, scene in enumerate(scenes, start=1):
            if scene.get("class") != class_name:
                continue
            raw_beats = scene.get("beat", [])
            beats = tuple(
                BeatPlan(
                    id=beat["id"],
                    text=(text := fill(beat["text"], values)),
                    speech=estimate_speech_seconds(text),
                    pause=video.get(
                        "scene_pause" if i == len(raw_beats) - 1 else "beat_pause", 0.4
                    ),
                )
                for i, beat in enumerate(raw_beats)
            )
            return cls(
                scene_id=scene["id"],
                title=scene["title"],
                chapter=chapter,
                class_name=class_name,
                beats=beats,
                sentence=sentence,
                focus=focus,
            )
        raise LookupError(f"{script}: no scene with class = {class_name!r}")


def default_plan(class_name: str) -> ScenePlan:
    """The plan plain ``manim`` renders: the default script's, else the lecture script's."""
    try:
        return ScenePlan.from_default_script(class_name)
    except LookupError:
        return ScenePlan.from_default_script(class_name, LECTURE_SCRIPT)


@dataclass
class Beat:
    """A beat being played: how long it lasts and how to size animations to it."""

    plan: BeatPlan
    frames: int
    fps: float
    start_frame: int

    @property
    def duration(self) -> float:
        """Seconds the whole slot lasts (speech and pause)."""
        return self.frames / self.fps

    @property
    def speech(self) -> float:
        """Seconds of speech in this beat."""
        return self.plan.speech

    def share(self, fraction: float, *, of_speech: bool = True) -> float:
        """A run time of ``fraction`` of the beat, whole frames, at least one frame.

        The value is half a frame under a whole number of frames, so Manim, which
        renders ``ceil(run_time * fps)`` frames, renders exactly that many.
        """
        base = self.plan.speech if of_speech else self.duration
        frames = max(1, int(base * fraction * self.fps))
        return (frames - 0.5) / self.fps


class Chapter(NamedTuple):
    """What every chapter opens with: its example, focus, number maker, header, token row."""

    example: WorkedExample
    focus: int
    nums: Numbers
    header: ChapterHeader
    row: TokenRow


@dataclass
class _BeatCursor:
    index: int = 0
    played: list[str] = field(default_factory=list)


class NarratedScene(Scene):
    """A scene whose animations run inside narrated beats.

    Subclasses set ``beat_ids`` and, in ``construct``, play each beat in order inside
    ``with self.beat(id) as beat:``. Entering a beat marks the frame its audio starts on;
    leaving it holds the last frame until the slot is over.

    Parameters
    ----------
    plan
        The scene's plan; ``None`` reads the default script (plain ``manim`` renders).

    Examples
    --------
    >>> class Hello(NarratedScene):                              # doctest: +SKIP
    ...     beat_ids = ("hello",)
    ...     def construct(self):
    ...         with self.beat("hello") as beat:
    ...             self.play(Write(Text("Hello")), run_time=beat.share(0.5))
    """

    beat_ids: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[SceneParam, ...]] = ()

    def __init__(self, plan: ScenePlan | None = None, **kwargs: Any) -> None:
        self.plan = plan or default_plan(type(self).__name__)
        self.example: WorkedExample = worked_example(self.plan.sentence, self.plan.focus)
        self.ledger = NumbersLedger()
        self._cursor = _BeatCursor()
        super().__init__(**kwargs)

    def open_chapter(self) -> Chapter:
        """The chapter's common opening: example, focus index, numbers, header, token row.

        Examples
        --------
        >>> ex, f, nums, header, row = self.open_chapter()            # doctest: +SKIP
        """
        ex = self.example
        return Chapter(ex, ex.focus_index, Numbers.for_scene(self), chapter_header(self),
                       TokenRow(ex.tokens))  # fmt: skip

    def param(self, name: str) -> Any:
        """The plan's value of parameter ``name``, or the value the scene declares as default.

        Raises
        ------
        LookupError
            If the scene declares no parameter ``name``.
        """
        for declared in self.params:
            if declared.name == name:
                return self.plan.params.get(name, declared.default)
        known = ", ".join(p.name for p in self.params) or "none"
        raise LookupError(f"{type(self).__name__} has no parameter {name!r} (it has: {known})")

    @property
    def fps(self) -> float:
        return float(config.frame_rate)

    @property
    def frames_written(self) -> int:
        """Frames the renderer has produced so far in this scene."""
        return round(self.renderer.time * self.fps)

    def beat_start_frame(self, index: int) -> int:
        """The frame on which beat ``index`` starts."""
        return sum(beat_frames(b.speech, b.pause, self.fps) for b in self.plan.beats[:index])

    @contextmanager
    def beat(self, beat_id: str) -> Iterator[Beat]:
        """Play one beat: animations inside are sized to it, then the slot is held."""
        index = self._cursor.index
        if index >= len(self.plan.beats) or self.plan.beats[index].id != beat_id:
            expected = self.plan.beats[index].id if index < len(self.plan.beats) else None
            raise LookupError(
                f"scene {self.plan.scene_id!r}: construct plays beat {beat_id!r} "
                f"but the script's next beat is {expected!r}"
            )
        plan = self.plan.beats[index]
        beat = Beat(
            plan=plan,
            frames=beat_frames(plan.speech, plan.pause, self.fps),
            fps=self.fps,
            start_frame=self.beat_start_frame(index),
        )
        self._cursor.index += 1
        self._cursor.played.append(beat_id)
        self._hold_until(beat.start_frame)
        yield beat
        self._hold_until(beat.start_frame + beat.frames)
        self.after_beat(beat_id)

    def after_beat(self, beat_id: str) -> None:
        """Called when beat ``beat_id``'s slot is over: a hook for tests and tools.

        The layout test overrides it to snapshot every Text's bounding box per beat.
        """

    def _hold_until(self, frame: int) -> None:
        """Hold the current frame until ``frame``: whole frames, never past it."""
        if self.renderer.skip_animations:
            return
        missing = frame - self.frames_written
        if missing > 0:
            # a frozen wait writes int(duration * fps) frames: aim half a frame over
            self.wait((missing + 0.5) / self.fps, frozen_frame=True)

    def tear_down(self) -> None:
        unplayed = [b.id for b in self.plan.beats[self._cursor.index :]]
        for beat_id in unplayed:
            with self.beat(beat_id):
                pass
        super().tear_down()
