"""The render pipeline: a loaded script in, a finished video out, one stage after another.

::

    script ──voices──> voiced script ──timeline──> Timeline ──scenes──> clips + ledgers
           ──numbers──> checked NumbersLedger ──assemble (OUTPUTS)──> outputs
           ──commit──> media/<name>/ ──lecture (if asked)──> slides/, handout, deck

Nothing starts while a file explainer did not write sits where an output goes
(:mod:`explainer.core.manifest`).

Each stage is a function of its own module with typed input and output; this module only
calls them in order, times them, and reports progress (:mod:`explainer.pipeline.progress`).
Scene jobs go through the executor the caller names (local processes, or a cluster); the
outputs are the rows of :data:`explainer.outputs.assemble.OUTPUTS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from explainer.audio.mix import Narration, prepare_narration
from explainer.audio.voice_cache import synthesize_beats, unvoiced_scenes
from explainer.core.errors import RenderError, first_of
from explainer.core.quality import Quality
from explainer.core.staging import Staging, default_out_dir, staged_outputs
from explainer.distribute.executors import (
    BorrowedExecutor,
    SceneExecutor,
    cpu_budget,
    open_executor,
)
from explainer.outputs.assemble import OUTPUTS, Assembly, assemble_outputs, planned_outputs
from explainer.outputs.lecture import LectureInput, LectureReport, lecture_files, make_lecture
from explainer.pipeline.checks import CheckedNumbers, SceneCheck, check_numbers, store_scene_check
from explainer.pipeline.progress import (
    Progress,
    ProgressEvent,
    StageTimer,
    VideoReport,
    VoiceTally,
)
from explainer.pipeline.scenes import RenderReport, peak_child_rss_mb, render_clips
from explainer.plan.keys import outputs_key
from explainer.plan.script import Script
from explainer.plan.timeline import Timeline, build_timeline
from explainer.voice.engines import Voice, parse_voice

__all__ = [
    "Caches",
    "LectureOptions",
    "ProgressEvent",
    "StageTimer",
    "VideoReport",
    "render_outputs",
    "render_video",
]


@dataclass(frozen=True)
class Caches:
    """Where each content-addressed cache lives, under one root (``media/cache``)."""

    root: Path

    voice = property(lambda self: self.root / "voice", doc="One WAV per beat.")
    audio = property(lambda self: self.root / "audio", doc="Each scene's normalised audio.")
    clips = property(lambda self: self.root / "clips", doc="Silent clips and their ledgers.")
    ledgers = property(lambda self: self.root / "ledgers", doc="Ledgers for `check`.")
    muxed = property(lambda self: self.root / "muxed", doc="Each clip with its narration.")


class _NarrationAlongside:
    """Mixes and encodes the narration in a thread while the scenes render.

    The narration needs only the timeline; once a scene must be rendered, this process
    would otherwise idle. With one core there is nothing to overlap: it waits for
    :meth:`result`. The whole track's draft (encoded, not yet measured) is handed over as
    soon as it exists, so the assembly can mux it while its loudness is measured.
    """

    def __init__(self, timeline: Timeline, staging: Staging, caches: Caches, cores: int) -> None:
        self.timeline, self.staging, self.caches, self.cores = timeline, staging, caches, cores
        self.overlap = cores > 1
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narration")
        self.future: Future[Narration] | None = None
        self.drafted: Future[Narration] = Future()

    def scene_started(self) -> None:
        """A scene began rendering: start the narration now, if there is a core for it."""
        if self.overlap and self.future is None:
            self.future = self.thread.submit(self.make)

    def make(self, drafts: bool = True) -> Narration:
        """Mix, normalise and encode the narration (see :func:`prepare_narration`); with
        ``drafts`` and a core to spare, hand its draft over on the way."""
        try:
            made = prepare_narration(
                self.timeline, self.staging.work, cache_dir=self.caches.audio, jobs=self.cores,
                on_draft=self.drafted.set_result if self.overlap and drafts else None,
            )  # fmt: skip
        except BaseException as error:
            if not self.drafted.done():
                self.drafted.set_exception(error)
            raise
        if not self.drafted.done():
            self.drafted.set_result(made)
        return made

    def draft(self) -> Narration:
        """The narration as first encoded (made now if it was not made alongside)."""
        if self.future is None:  # nothing renders alongside: the draft is the narration
            self.future = Future()
            self.future.set_result(self.make(drafts=False))
        return self.drafted.result()

    def result(self) -> Narration:
        """The narration, measured (made now if it was not made alongside)."""
        return self.future.result() if self.future is not None else self.make()

    def close(self) -> None:
        """Wait for the encode in flight (an interrupted render removes its files next)."""
        self.thread.shutdown(wait=True, cancel_futures=True)


def render_video(
    script: Script,
    *,
    quality: Quality = Quality.low,
    out_dir: Path | None = None,
    scene_ids: Sequence[str] = (),
    jobs: int | None = None,
    cache_dir: Path = Path("media/cache"),
    on_progress: Progress | None = None,
    lecture: LectureOptions | None = None,
    allow_layout_issues: bool = False,
    cluster: str | None = None,
    executor: SceneExecutor | None = None,
    force: bool = False,
) -> VideoReport:
    """Script in, finished video out: voices, timeline, clips, numbers, assembly, commit.

    Parameters
    ----------
    script
        A loaded :class:`explainer.plan.script.Script` (overrides already applied).
    quality
        Render quality of the clips and the video.
    out_dir
        Where outputs go; default ``media/<script name>``.
    scene_ids
        Render only these scenes (their clips and a video of just them); empty means all.
    jobs
        Cores to use; default all of them.
    cache_dir
        Root of the caches (see :class:`Caches`).
    on_progress
        Receives a :class:`ProgressEvent` for every step.
    allow_layout_issues
        Report layout problems (texts that crowd each other or leave the frame at the end
        of a beat) as ``warning`` events instead of failing the render.
    lecture
        Also make the lecture exports (presenter, handout, deck, thumbnail) beside the
        video, once it is committed; None makes none.
    cluster
        Render the scenes on the cluster at this address (``tcp://host:port``); None
        renders them in local processes (see :mod:`explainer.distribute.executors`).
    executor
        Render the scenes with this running executor instead (a batch shares one across
        its videos); it is the caller's to shut down.
    force
        Replace files in the way that explainer did not write; without it such a file
        stops the render before anything is done (``OutputInTheWay``).

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> report = render_video(load_script(), quality=Quality.low)  # doctest: +SKIP
    >>> report.video.name                                          # doctest: +SKIP
    'attention.mp4'
    """
    script = script.select(scene_ids)
    emit = on_progress or (lambda event: None)
    caches, timer, tally = Caches(Path(cache_dir)), StageTimer(), VoiceTally(emit)
    with ExitStack() as stack:
        cores = stack.enter_context(cpu_budget(jobs))
        staging = stack.enter_context(_staging(script, out_dir, force))
        staging.check(render_outputs(script, lecture is not None))  # before any work
        voice = parse_voice(script.settings.voice, script.settings.rate)
        voice.check()
        executor = stack.enter_context(
            _scene_executor(script, voice, caches, cores, cluster)
            if executor is None
            else nullcontext(BorrowedExecutor(executor))
        )
        emit(ProgressEvent("voices", "", "start", sum(len(s.beats) for s in script.scenes)))
        script = script.with_scenes(
            synthesize_beats(script.scenes, voice, caches.voice, tally, jobs=cores)
        )
        timer.lap("voices")
        timeline = build_timeline(script, quality.fps)
        narration = _NarrationAlongside(timeline, staging, caches, cores)
        stack.callback(narration.close)  # registered after the executor: shut down first
        clips = _render_clips(script, quality, caches, executor, narration, emit)
        executor.shutdown(cancel=False, wait=False)  # workers wind down during assembly
        timer.lap("scenes")
        numbers = _checked_numbers(script, clips, caches)
        _check_layout(clips, allow_layout_issues, emit)
        emit(ProgressEvent("assemble", "", "start", 1))
        key = _outputs_key(script, timeline, clips, numbers, quality, scene_ids)
        written = staging.unchanged(key)
        loudness = None
        if written is None:  # something changed: assemble and commit
            assembly = Assembly(timeline, tuple(clip.path for clip in clips.clips),
                                narration.draft(), numbers.ledger, staging.path, script.name,
                                staging.work, cores, caches.muxed)  # fmt: skip
            assemble_outputs(assembly)  # while the narration's loudness is measured
            made = narration.result()
            if made != replace(assembly.narration, loudness=made.loudness):  # made quieter
                assemble_outputs(replace(assembly, narration=made))
            loudness = made.loudness
            timer.lap("assemble")
            written = staging.commit(by=f"render {script.name}", key=key, prune=not scene_ids)
            timer.lap("commit")
        emit(ProgressEvent("assemble", "video", "done"))
    timer.lap("finish")  # stopping the workers, removing scratch files, releasing the lock
    lectured = _lecture_stage(staging.out_dir, script, scene_ids, lecture, cores, emit, force)
    timer.lap("lecture")
    return VideoReport(
        out_dir=staging.out_dir,
        video=staging.out_dir / f"{script.name}.mp4",
        clips=sorted(staging.out_dir / p for p in written if p.parts[0] == "clips"),
        frames=timeline.frames,
        fps=quality.fps,
        duration=timeline.duration,
        rendered=clips.rendered,
        cached=clips.cached,
        voices_synthesised=tally.voiced[False],
        voices_cached=tally.voiced[True],
        stages=timer.total(),
        lecture=lectured,
        loudness=loudness,
        peak_child_rss_mb=max(clips.peak_child_rss_mb, peak_child_rss_mb()),
        assembled=loudness is not None,
    )


def render_outputs(script: Script, lecture: bool = False) -> list[str]:
    """Every file :func:`render_video` of ``script`` writes (with ``lecture``, the lecture
    exports too), relative to its folder; known before anything renders.
    """
    files = planned_outputs(script.name, script.scenes)
    return files + lecture_files(script.name, script.scenes) if lecture else files


def _staging(script: Script, out_dir: Path | None, force: bool) -> AbstractContextManager[Staging]:
    """The locked, staged output directory: ``out_dir`` or ``media/<script name>``."""
    if script.name in ("", ".", ".."):  # "...toml" would put media/.. (the project) at risk
        raise RenderError(
            f"{script.path}: the file name gives the video the name {script.name!r}, which "
            "cannot name output files; rename the script, e.g. to attention.toml"
        )
    if out_dir is None:
        return staged_outputs(default_out_dir(script.name), create_parents=True, force=force)
    return staged_outputs(Path(out_dir), force=force)


@contextmanager
def _scene_executor(
    script: Script, voice: Voice, caches: Caches, cores: int, cluster: str | None
) -> Iterator[SceneExecutor]:
    """Where the scenes render, started now if new narration means some scenes will.

    New narration means new beat lengths; local workers import Manim while the voices are
    made, so that second is hidden behind work that has to happen anyway.
    """
    revoiced = unvoiced_scenes(script.scenes, voice, caches.voice)
    executor = open_executor(min(cores, len(revoiced)) or cores, cluster, start=bool(revoiced))
    try:
        yield executor
    except BaseException:
        executor.shutdown(cancel=True)  # on Ctrl-C or a failed scene, stop the renders now
        raise
    executor.shutdown(cancel=False)


def _render_clips(
    script: Script,
    quality: Quality,
    caches: Caches,
    executor: SceneExecutor,
    narration: _NarrationAlongside,
    emit: Progress,
) -> RenderReport:
    """The scenes stage: every scene's silent clip and ledger, from the cache or rendered."""
    emit(ProgressEvent("scenes", "", "start", len(script.scenes)))

    def on_scene(scene_id: str, status: str) -> None:
        if status == "started":
            narration.scene_started()
        emit(ProgressEvent("scenes", scene_id, status))

    return render_clips(script.scenes, quality, caches.clips, executor, on_progress=on_scene)


def _checked_numbers(script: Script, clips: RenderReport, caches: Caches) -> CheckedNumbers:
    """The numbers stage: every scene's ledger checked; each kept for ``explainer check``."""
    numbers = check_numbers(script, {clip.scene_id: clip.ledger for clip in clips.clips})
    numbers.raise_problems()
    for plan, clip in zip(script.scenes, clips.clips, strict=True):
        store_scene_check(caches.ledgers, plan, SceneCheck(list(clip.ledger), list(clip.layout)))
    return numbers


def _check_layout(clips: RenderReport, allowed: bool, emit: Progress) -> None:
    """Fail on the first layout problem any clip found, or, if allowed, warn about each."""
    problems = [problem for clip in clips.clips for problem in clip.layout]
    if problems and not allowed:
        raise RenderError(
            f"layout: {first_of(problems)}; shorten the sentence, or pass "
            "--allow-layout-issues to render anyway"
        )
    for problem in problems:
        emit(ProgressEvent("layout", problem, "warning"))


@dataclass(frozen=True)
class LectureOptions:
    """Ask :func:`render_video` for the lecture exports; ``silent`` drops the narration."""

    silent: bool = False


def _lecture_stage(
    out_dir: Path,
    script: Script,
    scene_ids: Sequence[str],
    options: LectureOptions | None,
    cores: int,
    emit: Progress,
    force: bool,
) -> LectureReport | None:
    """The lecture stage: exports made from the committed render folder alone."""
    if options is None:
        return None
    emit(ProgressEvent("lecture", "", "start", 1))
    made = make_lecture(
        LectureInput.from_render(
            out_dir, name=script.name, scene_ids=scene_ids, silent=options.silent
        ),
        jobs=cores,
        force=force,
    )
    emit(ProgressEvent("lecture", "slides", "done"))
    return made


def _outputs_key(
    script: Script,
    timeline: Timeline,
    clips: RenderReport,
    numbers: CheckedNumbers,
    quality: Quality,
    scene_ids: Sequence[str],
) -> str:
    """A hash of everything the outputs are made from: clips, timeline, numbers, audio."""
    return outputs_key(
        stages=[stage.module for stage in OUTPUTS],
        assets=[path for stage in OUTPUTS for path in stage.assets],
        timeline=timeline.to_dict(),
        clips=[clip.path.name for clip in clips.clips],
        audio=[
            (str(beat.audio), beat.audio.stat().st_size)
            for _, beat in timeline.beats()
            if beat.audio is not None
        ],
        numbers=numbers.ledger,
        spec=script.spec.to_dict(),
        name=script.name,
        quality=quality,
        scene_ids=scene_ids,
    )
