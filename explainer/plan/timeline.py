"""When every beat and scene starts, in whole frames, from the beats' speech durations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from attention.spec import ExampleSpec
from explainer.plan.script import Script
from scenes.plan import Beat, ScenePlan

__all__ = [
    "BeatTiming",
    "SceneTiming",
    "Timeline",
    "build_timeline",
]


@dataclass(frozen=True)
class BeatTiming:
    """Where one beat sits in the video: its speech starts on ``start_frame``.

    A separate type from :class:`scenes.plan.Beat` because a position belongs to a beat
    in one video, not to the line: the same beat lands elsewhere when a chapter before it
    changes. ``offset_frame`` counts from the start of its scene (where the beat's audio
    goes in the scene's own clip). The line's own fields are read through.
    """

    beat: Beat
    start: float
    start_frame: int
    offset_frame: int
    frames: int

    id = property(lambda self: self.beat.id, doc="The beat's id.")
    text = property(lambda self: self.beat.text, doc="What the narrator says.")
    speech = property(lambda self: self.beat.speech, doc="Seconds of speech.")
    pause = property(lambda self: self.beat.pause, doc="Seconds of silence after it.")
    audio = property(lambda self: self.beat.audio, doc="The voiced WAV, or None.")


@dataclass(frozen=True)
class SceneTiming:
    """Where one scene (chapter) sits in the video, and its beats' positions."""

    plan: ScenePlan
    start: float
    start_frame: int
    frames: int
    duration: float
    beats: tuple[BeatTiming, ...]

    id = property(lambda self: self.plan.scene_id, doc="The scene's id.")
    title = property(lambda self: self.plan.title, doc="The chapter title.")
    chapter = property(lambda self: self.plan.chapter, doc="The chapter number.")
    class_name = property(lambda self: self.plan.class_name, doc="The scene class.")


@dataclass(frozen=True)
class Timeline:
    """Every scene and beat of a video, frame-exact at ``fps``.

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> timeline = build_timeline(load_script(), 15)
    >>> timeline.frames == sum(s.frames for s in timeline.scenes), timeline.scenes[1].chapter
    (True, 2)
    """

    title: str
    spec: ExampleSpec
    fps: float
    scenes: tuple[SceneTiming, ...]

    @property
    def frames(self) -> int:
        """Frames in the whole video."""
        return sum(scene.frames for scene in self.scenes)

    @property
    def duration(self) -> float:
        """Seconds in the whole video (``frames / fps``)."""
        return self.frames / self.fps

    def beats(self) -> list[tuple[SceneTiming, BeatTiming]]:
        """Every beat in order, with its scene."""
        return [(scene, beat) for scene in self.scenes for beat in scene.beats]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``timeline.json`` (paths as strings, times in seconds)."""
        return {
            "title": self.title,
            "sentence": self.spec.sentence,
            "focus": self.spec.focus,
            "fps": self.fps,
            "frames": self.frames,
            "duration": self.duration,
            "scenes": [_scene_dict(scene, self.fps) for scene in self.scenes],
        }

    def to_json(self) -> str:
        """``timeline.json``'s text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _scene_dict(scene: SceneTiming, fps: float) -> dict[str, Any]:
    return {
        "id": scene.id,
        "title": scene.title,
        "chapter": scene.chapter,
        "class": scene.class_name,
        "start": scene.start,
        "start_frame": scene.start_frame,
        "frames": scene.frames,
        "duration": scene.duration,
        "beats": [
            {
                "id": beat.id,
                "text": beat.text,
                "start": beat.start,
                "start_frame": beat.start_frame,
                "offset_frame": beat.offset_frame,
                "frames": beat.frames,
                "duration": beat.frames / fps,
                "speech": beat.speech,
                "pause": beat.pause,
                "audio": None if beat.audio is None else str(beat.audio),
            }
            for beat in scene.beats
        ],
    }


def build_timeline(script: Script, fps: float) -> Timeline:
    """Lay the script's beats end to end in whole frames at ``fps``.

    Each beat's slot is :meth:`scenes.plan.Beat.frames` long, the same function the scenes
    size themselves with, so clip lengths match to the frame. Voiced beats give the real
    timeline; the beats as loaded give an estimate (for ``explainer scenes`` and ``check``).

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> beats = build_timeline(load_script(), 15).scenes[0].beats
    >>> beats[1].start_frame == beats[0].frames, beats[0].audio is None
    (True, True)
    """
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    scenes: list[SceneTiming] = []
    frame = 0
    for plan in script.scenes:
        scene_start = frame
        beats: list[BeatTiming] = []
        for beat in plan.beats:
            frames = beat.frames(fps)
            beats.append(BeatTiming(beat, frame / fps, frame, frame - scene_start, frames))
            frame += frames
        frames = frame - scene_start
        scenes.append(
            SceneTiming(plan, scene_start / fps, scene_start, frames, frames / fps, tuple(beats))
        )
    return Timeline(script.settings.title, script.spec, fps, tuple(scenes))
