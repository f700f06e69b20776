"""When every beat and scene starts, in whole frames, from the beats' speech durations."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explainer.script import Script, VideoSettings, narration
from explainer.voices import BeatAudio

if TYPE_CHECKING:
    from scenes.narration import ScenePlan

__all__ = [
    "BeatTiming",
    "SceneTiming",
    "Timeline",
    "build_timeline",
    "estimate_timeline",
    "scene_plans",
]


@dataclass(frozen=True)
class BeatTiming:
    """One beat's slot: its speech starts on ``start_frame`` and the slot lasts ``frames``.

    ``start``/``start_frame`` are absolute (from the start of the video); ``offset_frame`` is
    from the start of its scene (where the beat's audio goes in the scene's own clip).
    ``audio`` is None in an estimated timeline.
    """

    id: str
    text: str
    start: float
    start_frame: int
    offset_frame: int
    frames: int
    speech: float
    pause: float
    audio: Path | None

    @property
    def speech_end(self) -> float:
        """Absolute seconds at which the speech ends (the pause follows)."""
        return self.start + self.speech


@dataclass(frozen=True)
class SceneTiming:
    """One scene (chapter): where it starts in the video and its beats."""

    id: str
    title: str
    chapter: int
    class_name: str
    start: float
    start_frame: int
    frames: int
    duration: float
    beats: tuple[BeatTiming, ...]


@dataclass(frozen=True)
class Timeline:
    """Every scene and beat of a video, frame-exact at ``fps``.

    Examples
    --------
    >>> timeline = estimate_timeline(load_script("scripts/attention.toml"), 15)  # doctest: +SKIP
    >>> timeline.frames == sum(s.frames for s in timeline.scenes)              # doctest: +SKIP
    True
    """

    title: str
    sentence: str
    focus: str | None
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
            "sentence": self.sentence,
            "focus": self.focus,
            "fps": self.fps,
            "frames": self.frames,
            "duration": self.duration,
            "scenes": [_scene_dict(scene, self.fps) for scene in self.scenes],
        }

    def to_json(self) -> str:
        """``timeline.json``'s text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def write_json(self, path: Path) -> None:
        """Write ``timeline.json`` atomically (temp file, then rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(prefix=".timeline-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.to_json())
            os.replace(staged, path)
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise


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


def _slots(
    script: Script,
    fps: float,
    speech_of: Callable[[str, str, str], tuple[float, Path | None]],
) -> Timeline:
    """Lay the beats end to end in whole frames; ``speech_of(scene, beat, text)`` times one."""
    from scenes.narration import beat_frames

    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    texts = narration(script)
    settings = script.settings
    scenes: list[SceneTiming] = []
    frame = 0
    for spec in script.scenes:
        scene_start = frame
        beats: list[BeatTiming] = []
        for index, beat in enumerate(spec.beats):
            last = index == len(spec.beats) - 1
            pause = settings.scene_pause if last else settings.beat_pause
            text = texts[(spec.id, beat.id)]
            speech, audio = speech_of(spec.id, beat.id, text)
            frames = beat_frames(speech, pause, fps)
            beats.append(
                BeatTiming(
                    id=beat.id,
                    text=text,
                    start=frame / fps,
                    start_frame=frame,
                    offset_frame=frame - scene_start,
                    frames=frames,
                    speech=speech,
                    pause=pause,
                    audio=audio,
                )
            )
            frame += frames
        scenes.append(
            SceneTiming(
                id=spec.id,
                title=spec.title,
                chapter=spec.chapter,
                class_name=spec.class_name,
                start=scene_start / fps,
                start_frame=scene_start,
                frames=frame - scene_start,
                duration=(frame - scene_start) / fps,
                beats=tuple(beats),
            )
        )
    return Timeline(
        title=settings.title,
        sentence=settings.sentence,
        focus=settings.focus,
        fps=fps,
        scenes=tuple(scenes),
    )


def build_timeline(script: Script, audio: Sequence[BeatAudio], fps: float) -> Timeline:
    """The timeline of ``script`` voiced by ``audio`` (from ``synthesize_beats``).

    Each beat's slot is ``scenes.narration.beat_frames(speech, pause, fps)`` frames, the
    same function the scenes size themselves with, so clip lengths match to the frame. The
    pause is ``beat_pause``, or ``scene_pause`` after a scene's last beat.

    Raises
    ------
    ValueError
        If a beat of the script has no audio (a pipeline bug, not a user error).

    Examples
    --------
    >>> timeline = build_timeline(script, synthesize_beats(...), fps=15)  # doctest: +SKIP
    >>> timeline.write_json(out / "timeline.json")                        # doctest: +SKIP
    """
    by_beat = {(a.scene_id, a.beat_id): a for a in audio}

    def speech_of(scene_id: str, beat_id: str, text: str) -> tuple[float, Path | None]:
        found = by_beat.get((scene_id, beat_id))
        if found is None:
            raise ValueError(f"no audio for beat {scene_id}/{beat_id}")
        return found.duration_seconds, found.path

    return _slots(script, fps, speech_of)


def estimate_timeline(script: Script, fps: float) -> Timeline:
    """A timeline with speech estimated from word count: nothing is synthesised.

    For ``explainer scenes`` and ``explainer check``; audio paths are None.
    """
    from scenes.narration import estimate_speech_seconds

    return _slots(script, fps, lambda _s, _b, text: (estimate_speech_seconds(text), None))


def scene_plans(timeline: Timeline, settings: VideoSettings) -> list[ScenePlan]:
    """The ``scenes.narration.ScenePlan`` each scene of ``timeline`` renders from.

    Returns
    -------
    list[ScenePlan]
        One per scene in order, beats with the timeline's text, speech and pause, and the
        worked example's sentence and focus from ``settings``.
    """
    from scenes.narration import BeatPlan, ScenePlan

    return [
        ScenePlan(
            scene_id=scene.id,
            title=scene.title,
            chapter=scene.chapter,
            class_name=scene.class_name,
            beats=tuple(
                BeatPlan(id=b.id, text=b.text, speech=b.speech, pause=b.pause) for b in scene.beats
            ),
            sentence=settings.sentence,
            focus=settings.focus,
        )
        for scene in timeline.scenes
    ]
