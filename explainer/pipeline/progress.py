"""What a render tells its caller: a :class:`ProgressEvent` for every step as it goes, and a
:class:`VideoReport` at the end, with the seconds a :class:`StageTimer` measured per stage.

Examples
--------
>>> seen = []
>>> tally = VoiceTally(seen.append)
>>> tally("s1", Beat("intro", "Hello.", speech=0.5, pause=0.2), cached=True)
>>> tally.voiced, seen[0].status
({True: ['s1/intro'], False: []}, 'cached')
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from explainer.audio.loudness import Loudness
from explainer.outputs.lecture import LectureReport
from scenes.plan import Beat

__all__ = ["Progress", "ProgressEvent", "StageTimer", "VideoReport", "VoiceTally"]


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a render, for progress displays.

    ``stage`` is ``voices``, ``scenes``, ``assemble``, ``lecture`` or ``layout``; ``item`` a
    beat or scene id (or a step name, or a layout problem); ``status`` one of ``start``
    (``total`` items follow), ``cached``, ``started``, ``done``, ``warning``.
    """

    stage: str
    item: str
    status: str
    total: int = 0


Progress = Callable[[ProgressEvent], None]


class StageTimer:
    """Seconds per stage, each measured from the end of the one before.

    Examples
    --------
    >>> timer = StageTimer()
    >>> timer.lap("voices"); sorted(timer.seconds)
    ['voices']
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._clock = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Record the seconds since the last lap as ``stage``'s."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._clock
        self._clock = now

    def total(self) -> dict[str, float]:
        """Every stage's seconds plus ``total``, with ``assemble``/``commit`` at least 0."""
        stages = {"assemble": 0.0, "commit": 0.0, **self.seconds}
        return {**stages, "total": sum(stages.values())}


@dataclass
class VideoReport:
    """What :func:`explainer.pipeline.conductor.render_video` did: outputs, cache use and
    seconds per stage."""

    out_dir: Path
    video: Path
    clips: list[Path]
    frames: int
    fps: int
    duration: float
    rendered: list[str]
    cached: list[str]
    voices_synthesised: list[str]
    voices_cached: list[str]
    stages: dict[str, float]
    lecture: LectureReport | None = None
    loudness: Loudness | None = None
    peak_child_rss_mb: float = 0.0
    assembled: bool = True  # False when the outputs were already up to date (a no-op render)


@dataclass
class VoiceTally:
    """Counts the beats voiced and taken from the cache, and reports each one."""

    emit: Progress
    voiced: dict[bool, list[str]] = field(default_factory=lambda: {True: [], False: []})

    def __call__(self, scene_id: str, beat: Beat, cached: bool) -> None:
        self.voiced[cached].append(f"{scene_id}/{beat.id}")
        self.emit(ProgressEvent("voices", f"{scene_id}/{beat.id}", "cached" if cached else "done"))
