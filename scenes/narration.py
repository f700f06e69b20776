"""Narrated scenes: beats sized to their speech, frame-exact.

A :class:`ScenePlan` says what a scene narrates and for how long; :class:`NarratedScene`
plays a scene's animations inside those beats so that every beat starts on a whole frame.
The pipeline builds plans from synthesised audio; plain ``manim`` builds one from the default
script with speech durations estimated from word count.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Self

from manim import Animation, Mobject, Scene, config

from attention import NumbersLedger, WorkedExample, example_for
from scenes.catalogue import CHAPTERS, ChapterEntry, chapter_entry
from scenes.kit import ChapterHeader, Numbers, TokenRow
from scenes.kit.layout import (
    crowding,
    layout_problems,
    objects_on_screen,
    texts_on_screen,
)
from scenes.kit.pipeline_map import PipelineMap
from scenes.kit.redraw import needs_redraw
from scenes.plan import Beat, ScenePlan
from scenes.scripts import default_plan

__all__ = [
    "BeatSlot",
    "Chapter",
    "NarratedScene",
]


@dataclass
class BeatSlot:
    """A beat being played: how long it lasts and how to size animations to it."""

    plan: Beat
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
        if frames == 1:  # Manim's shortest run time (it warns below it): one frame as well
            return 1 / self.fps
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

    A chapter's beats and parameters are declared in :mod:`scenes.catalogue` under its
    class name; in ``construct`` it plays each beat in order inside
    ``with self.beat(id) as beat:``. Entering a beat marks the frame its audio starts on;
    leaving it holds the last frame until the slot is over.

    A chapter whose row declares ``lights`` shows the pipeline map at the foot of the frame
    (:class:`scenes.kit.pipeline_map.PipelineMap`): entering a beat lights that beat's stage,
    fading over the beat's first animations; nothing else may overlap the map.

    Parameters
    ----------
    plan
        The scene's plan; ``None`` reads the shipped scripts (plain ``manim`` renders).

    Examples
    --------
    >>> class Hello(NarratedScene):                              # doctest: +SKIP
    ...     def construct(self):
    ...         with self.beat("hello") as beat:
    ...             self.play(Write(Text("Hello")), run_time=beat.share(0.5))
    """

    def __init__(self, plan: ScenePlan | None = None, **kwargs: Any) -> None:
        self.plan = plan or default_plan(type(self).__name__)
        self.example: WorkedExample = example_for(self.plan.spec)
        self.ledger = NumbersLedger()
        self.layout_problems: list[str] = []  # found at the end of each beat
        self.pipeline_map: PipelineMap | None = None  # drawn once a beat lights a stage
        self._cursor = _BeatCursor()
        super().__init__(**kwargs)

    def open_chapter(self) -> Chapter:
        """The chapter's common opening: example, focus index, numbers, header, token row.

        Examples
        --------
        >>> ex, f, nums, header, row = self.open_chapter()            # doctest: +SKIP
        """
        ex = self.example
        nums = Numbers(self.ledger, ex, self.plan.scene_id)
        header = ChapterHeader(self.plan.chapter, self.plan.title)
        return Chapter(ex, ex.focus_index, nums, header, TokenRow(ex.tokens))

    @property
    def chapter(self) -> ChapterEntry:
        """What the catalogue declares for this chapter: beats, parameters, title."""
        return chapter_entry(type(self).__name__)

    def param(self, name: str) -> Any:
        """The plan's value of parameter ``name``, or the value the chapter declares as default.

        Raises
        ------
        LookupError
            If the chapter declares no parameter ``name``.
        """
        for declared in self.chapter.params:
            if declared.name == name:
                return self.plan.params.get(name, declared.default)
        known = ", ".join(p.name for p in self.chapter.params) or "none"
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
        return sum(b.frames(self.fps) for b in self.plan.beats[:index])

    @contextmanager
    def beat(self, beat_id: str) -> Iterator[BeatSlot]:
        """Play one beat: animations inside are sized to it, then the slot is held."""
        index = self._cursor.index
        if index >= len(self.plan.beats) or self.plan.beats[index].id != beat_id:
            expected = self.plan.beats[index].id if index < len(self.plan.beats) else None
            raise LookupError(
                f"scene {self.plan.scene_id!r}: construct plays beat {beat_id!r} "
                f"but the script's next beat is {expected!r}"
            )
        plan = self.plan.beats[index]
        beat = BeatSlot(
            plan=plan,
            frames=plan.frames(self.fps),
            fps=self.fps,
            start_frame=self.beat_start_frame(index),
        )
        self._cursor.index += 1
        self._cursor.played.append(beat_id)
        self._hold_until(beat.start_frame)
        self._light_map(beat_id)
        yield beat
        self._hold_until(beat.start_frame + beat.frames)
        self._settle_map()
        self.layout_problems.extend(self.check_layout(beat_id))
        self.after_beat(beat_id)

    def check_layout(self, beat_id: str) -> list[str]:
        """What is wrong with the layout on screen now: texts that crowd each other, objects
        that leave the frame; each line names the chapter, the beat and the objects.

        Every render and ``explainer check`` collect these at the end of every beat.
        """
        where = f"chapter {self.plan.chapter} ({self.plan.scene_id}), beat {beat_id!r}"
        found = layout_problems(texts_on_screen(self), objects_on_screen(self))
        if self.pipeline_map is not None and self.pipeline_map in self.mobjects:
            found += crowding(self.pipeline_map, self, "the pipeline map")
        return [f"{where}: {problem}" for problem in found]

    def after_beat(self, beat_id: str) -> None:
        """Called when beat ``beat_id``'s slot is over: a hook for tests and tools.

        The layout test overrides it to snapshot every Text's bounding box per beat.
        """

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        """What each frame of ``animations`` redraws: Manim's choice, less what neither moves
        nor overlaps what moves (:func:`scenes.kit.redraw.needs_redraw`; frames unchanged)."""
        manims_choice = super().get_moving_mobjects(*animations)
        recolour_only = [self.pipeline_map] if self.pipeline_map is not None else []
        return needs_redraw(
            manims_choice,
            animations,
            recolour_only,
            self.foreground_mobjects,
            use_z_index=self.renderer.camera.use_z_index,
        )

    def _light_map(self, beat_id: str) -> None:
        """Show the pipeline map (once) and start lighting the stage ``beat_id`` is about."""
        entry = CHAPTERS.get(self.plan.class_name)
        stage = entry.lit_stage(beat_id) if entry is not None else None
        if stage is None:
            return
        if self.pipeline_map is None:
            self.pipeline_map = PipelineMap()
        if self.pipeline_map not in self.mobjects:  # the first beat, or the chapter cleared
            self.add(self.pipeline_map)
        self.pipeline_map.light(stage)
        if not self.pipeline_map.settled and not self.pipeline_map.updaters:
            # a time-based updater: the light fades while the chapter's own animations play
            self.pipeline_map.add_updater(_step_map)

    def _settle_map(self) -> None:
        """End the map's fade, if the beat was too short for it, and stop updating it."""
        if self.pipeline_map is not None:
            self.pipeline_map.settle()
            self.pipeline_map.clear_updaters()

    def clear(self) -> Self:
        """Remove everything but the pipeline map, which stays for the whole chapter."""
        super().clear()
        if self.pipeline_map is not None:
            self.add(self.pipeline_map)
        return self

    def _hold_until(self, frame: int) -> None:
        """Hold the current frame until ``frame``: whole frames, never past it.

        While the pipeline map's light is still fading, the held frames show the fade.
        """
        if self.renderer.skip_animations:
            return
        missing = frame - self.frames_written
        strip = self.pipeline_map
        if missing > 0 and strip is not None and not strip.settled and strip.updaters:
            fading = min(missing, math.ceil(strip.seconds_to_settle() * self.fps))
            # a played wait renders ceil(run_time * fps) frames: aim half a frame under
            self.wait(1 / self.fps if fading == 1 else (fading - 0.5) / self.fps,
                      frozen_frame=False)  # fmt: skip
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


def _step_map(strip: Mobject, dt: float) -> None:
    """The pipeline map's updater: its light moves on by ``dt`` seconds."""
    assert isinstance(strip, PipelineMap)
    strip.step(dt)
