"""Render scenes into silent clips in parallel worker processes, with a clip cache."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import resource
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from explainer.assemble import probe_video_frames
from explainer.cache import file_sha256, prune_entries, write_atomic
from explainer.errors import ExplainerError, RenderError
from scenes.narration import ScenePlan, beat_frames

__all__ = [
    "RENDER_VERSION",
    "Quality",
    "ClipResult",
    "RenderReport",
    "clip_key",
    "expected_frames",
    "lookup_clip",
    "available_cores",
    "cpu_budget",
    "ScenePool",
    "render_clips",
    "render_scene",
    "ProgressEvent",
    "VideoReport",
    "merged_numbers",
    "spoken_lines",
    "verify_numbers",
    "render_video",
    "dry_run_ledgers",
]

RENDER_VERSION = "2"  # bump when the way clips are rendered changes, to invalidate the cache
PROJECT_ROOT = Path(__file__).resolve().parents[1]
_SOURCE_DIRS = ("scenes", "attention")
# x264 "veryfast" rather than Manim's default "medium": a sixth less CPU for a whole scene
# at 1080p60 and, for flat-coloured animation, a smaller file at the same quality (crf)
ENCODER_OPTIONS = {"crf": "23", "preset": "veryfast"}
# encode an animation while the next one renders (uses a spare core when one is idle)
INFLIGHT_ENCODERS = 2


class Quality(StrEnum):
    """Render quality: ``low`` 480p15, ``medium`` 720p30, ``high`` 1080p60, ``4k`` 2160p60."""

    low = "low"
    medium = "medium"
    high = "high"
    fourk = "4k"

    @property
    def manim_name(self) -> str:
        """The name of this quality in Manim's ``config.quality``."""
        return _MANIM_QUALITY[self]

    @property
    def fps(self) -> int:
        """Frames per second at this quality."""
        return _FPS[self]


_MANIM_QUALITY = {
    Quality.low: "low_quality",
    Quality.medium: "medium_quality",
    Quality.high: "high_quality",
    Quality.fourk: "fourk_quality",
}
_FPS = {Quality.low: 15, Quality.medium: 30, Quality.high: 60, Quality.fourk: 60}


@dataclass(frozen=True)
class ClipResult:
    """A scene's silent clip in the cache, its ledger entries, and how it was obtained."""

    scene_id: str
    path: Path
    frames: int
    ledger: tuple[dict[str, Any], ...]
    cached: bool
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # of the worker process that rendered it, over its lifetime


@dataclass
class RenderReport:
    """What :func:`render_clips` did: clips in plan order, which were rendered or cached."""

    clips: list[ClipResult] = field(default_factory=list)
    seconds: float = 0.0
    peak_child_rss_mb: float = 0.0

    @property
    def rendered(self) -> list[str]:
        """Ids of the scenes rendered in this run."""
        return [c.scene_id for c in self.clips if not c.cached]

    @property
    def cached(self) -> list[str]:
        """Ids of the scenes taken from the clip cache."""
        return [c.scene_id for c in self.clips if c.cached]


def expected_frames(plan: ScenePlan, fps: float) -> int:
    """Frames a scene's clip must have: the sum of its beats' whole-frame slots.

    Examples
    --------
    >>> from scenes.narration import BeatPlan
    >>> b = BeatPlan("a", "hi", 1.0, 0.35)
    >>> expected_frames(ScenePlan("s", "S", 1, "Tokens", (b, b), "The cat sat"), 15)
    42
    """
    return sum(beat_frames(b.speech, b.pause, fps) for b in plan.beats)


def _source_digest(class_name: str | None = None) -> str:
    """One hash of every module a clip's pixels can depend on, and of manim.cfg.

    With ``class_name``, the other chapters' modules are left out (no chapter imports
    another), so editing one chapter's code re-renders that chapter only; the kit, the
    narration base and ``attention`` count for every chapter.
    """
    from scenes import SCENE_CLASSES

    others = {
        PROJECT_ROOT / Path(*module.split(".")).with_suffix(".py")
        for name, module in SCENE_CLASSES.items()
        if class_name is not None and name != class_name
    }
    digest = hashlib.sha256()
    files = [p for d in _SOURCE_DIRS for p in (PROJECT_ROOT / d).rglob("*.py") if p not in others]
    cfg = PROJECT_ROOT / "manim.cfg"
    files += [cfg] if cfg.is_file() else []
    for path in sorted(files):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _manim_version() -> str:
    from importlib.metadata import version

    return version("manim")


def clip_key(plan: ScenePlan, quality: Quality) -> str:
    """The clip cache key: scene code, Manim version, quality and the plan minus spoken words.

    A clip depends on its beats' ids and durations, the sentence and focus, never on the
    words the narrator says, so editing a beat's wording without changing its length
    reuses the clip.
    """
    plan_data = plan.to_dict()
    plan_data["beats"] = [{k: v for k, v in b.items() if k != "text"} for b in plan_data["beats"]]
    payload = json.dumps(
        {
            "render": RENDER_VERSION,
            "sources": _source_digest(plan.class_name),
            "manim": _manim_version(),
            "quality": quality.value,
            "plan": plan_data,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _cache_paths(cache_dir: Path, plan: ScenePlan, key: str) -> tuple[Path, Path]:
    stem = f"{plan.scene_id}-{key}"
    return cache_dir / f"{stem}.mp4", cache_dir / f"{stem}.json"


def lookup_clip(
    plan: ScenePlan, quality: Quality, cache_dir: Path, key: str | None = None
) -> ClipResult | None:
    """The cached clip for ``plan`` if it is complete and sane, else None.

    Sane means: the ledger JSON parses, names this key and the plan's frame count, and the
    mp4's SHA-256 is the one recorded when it was rendered. The render counted the clip's
    frames before recording that checksum, so a file that matches it needs no probing;
    a truncated or damaged one fails it and is re-rendered.
    """
    key = key or clip_key(plan, quality)
    video, ledger = _cache_paths(cache_dir, plan, key)
    try:
        meta = json.loads(ledger.read_text(encoding="utf-8"))
        want = expected_frames(plan, quality.fps)
        if meta.get("key") != key or meta.get("frames") != want:
            return None
        if meta.get("sha256") != file_sha256(video):
            return None
        entries = tuple(meta["entries"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return ClipResult(plan.scene_id, video, want, entries, cached=True)


@dataclass(frozen=True)
class _Job:
    plan: dict[str, Any]
    quality: str
    key: str
    cache_dir: str
    work_dir: str


def render_scene(
    plan: ScenePlan, quality: Quality, work_dir: Path, typeset_dir: Path | None = None
) -> tuple[Path, list[Any]]:
    """Render one scene to a silent mp4 under ``work_dir``; return it and the ledger entries.

    Runs Manim in this process inside ``tempconfig``, so the global config is untouched.
    Texts typeset by earlier renders are taken from ``typeset_dir`` (default: none kept).

    Examples
    --------
    >>> plan = ScenePlan.from_default_script("Equation")          # doctest: +SKIP
    >>> render_scene(plan, Quality.low, Path("/tmp/x"))[0].suffix  # doctest: +SKIP
    '.mp4'
    """
    from manim import tempconfig

    from scenes import load_scene_class
    from scenes.kit.typeset import use_typeset_cache

    scene_class = load_scene_class(plan.class_name)
    use_typeset_cache(typeset_dir or work_dir / "typeset")
    settings = {
        "quality": quality.manim_name,
        "media_dir": str(work_dir),
        "disable_caching": True,
        "output_file": plan.scene_id,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "write_to_movie": True,
        "format": "mp4",
        "save_last_frame": False,
        "preview": False,
        "log_to_file": False,
        "video_encoder_options": ENCODER_OPTIONS,
        "max_inflight_encoders": INFLIGHT_ENCODERS,
    }
    with tempconfig(settings):
        scene = scene_class(plan=plan)
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    if not movie.is_file():
        raise RenderError(f"scene {plan.scene_id!r} ({plan.class_name}) produced no video")
    return movie, list(scene.ledger.entries)


def _render_job(job: _Job) -> ClipResult:
    """Worker-process entry: render, check the sync contract, store in the cache."""
    from dataclasses import asdict

    started = time.perf_counter()
    plan = ScenePlan.from_dict(job.plan)
    quality = Quality(job.quality)
    cache_dir = Path(job.cache_dir)
    try:
        with tempfile.TemporaryDirectory(dir=job.work_dir) as tmp:
            # texts are kept beside the clips: media/cache/typeset
            typeset = cache_dir.parent / "typeset"
            movie, entries = render_scene(plan, quality, Path(tmp), typeset)
            frames = probe_video_frames(movie)
            want = expected_frames(plan, quality.fps)
            if frames != want:
                raise RenderError(
                    f"scene {plan.scene_id!r} ({plan.class_name}) rendered {frames} frames but "
                    f"its beats last {want}: every play and wait must stay inside "
                    "`with self.beat(...)` and be sized with beat.share()"
                )
            video, ledger = _cache_paths(cache_dir, plan, job.key)
            tmp_video = video.with_name(f".{video.name}.{os.getpid()}.tmp")
            shutil.move(movie, tmp_video)
            os.replace(tmp_video, video)
            meta = {
                "key": job.key,
                "frames": frames,
                "sha256": file_sha256(video),
                "entries": [asdict(e) for e in entries],
            }
            write_atomic(ledger, json.dumps(meta, ensure_ascii=False).encode())
    except ExplainerError:
        raise
    except Exception as error:  # a scene bug: one line, the traceback kept for --debug
        message = " ".join(str(error).split()) or type(error).__name__
        wrapped = RenderError(f"scene {plan.scene_id!r} ({plan.class_name}) failed: {message}")
        wrapped.add_note(traceback.format_exc())
        raise wrapped from None
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return ClipResult(plan.scene_id, video, frames, tuple(meta["entries"]), False, seconds, peak)


Progress = Callable[[str, str], None]


def _peak_child_rss_mb(clips: Sequence[ClipResult] = ()) -> float:
    """The largest resident memory of any process this one started, in MB.

    Scene workers report their own peak (they may still be running); every other child
    (ffmpeg, voices) counts once it has been waited for.
    """
    waited = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return max([waited, *(clip.peak_rss_mb for clip in clips)])


def available_cores() -> list[int]:
    """The CPUs this process may run on (respects taskset and container limits)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))  # pragma: no cover - not Linux


@contextmanager
def cpu_budget(jobs: int | None) -> Iterator[int]:
    """Keep this process, its threads and every process it starts on ``jobs`` cores.

    ``--jobs`` is a budget of cores, not only a count of scene workers: the encoder
    threads, voices and ffmpeg runs of a ``--jobs 1`` render share one core and leave
    the others free. Yields the number of cores to plan for.

    Examples
    --------
    >>> with cpu_budget(1) as cores:
    ...     cores, len(os.sched_getaffinity(0))
    (1, 1)
    """
    cores = available_cores()
    if jobs is None or jobs >= len(cores) or not hasattr(os, "sched_setaffinity"):
        yield min(jobs or len(cores), len(cores))
        return
    os.sched_setaffinity(0, cores[:jobs])
    try:
        yield jobs
    finally:
        os.sched_setaffinity(0, cores)


def _import_manim() -> None:
    """Pool initializer: import Manim and the scenes before the first job arrives."""
    # a broken import is reported by the job itself, naming the scene; raising here
    # would only make the pool restart the worker forever
    with suppress(Exception):
        import manim  # noqa: F401

        import scenes  # noqa: F401


class ScenePool:
    """Spawned worker processes that render scenes, started before they are needed.

    A new worker is a fresh interpreter that imports Manim (about a second); starting the
    pool while the voices are synthesised hides that behind work that has to happen anyway.
    Spawned, not forked, so no Manim state leaks between the caller and the scenes.

    Parameters
    ----------
    jobs
        Worker processes; default the number of cores.
    start
        Start them now; otherwise :func:`render_clips` starts them if a scene needs them.

    Examples
    --------
    >>> with ScenePool(jobs=2) as pool:                                # doctest: +SKIP
    ...     report = render_clips(plans, Quality.low, cache, pool=pool)
    ...     pool.close()  # workers wind down while the caller assembles
    """

    def __init__(self, jobs: int | None = None, *, start: bool = True) -> None:
        self.workers = max(1, jobs or len(available_cores()))
        self.pool: Any = None
        if start:
            self.start(self.workers)

    @property
    def started(self) -> bool:
        """Whether the worker processes exist."""
        return self.pool is not None

    def start(self, workers: int) -> None:
        """Start ``workers`` processes, each importing Manim before its first job."""
        self.workers = workers
        context = multiprocessing.get_context("spawn")
        self.pool = context.Pool(processes=workers, initializer=_import_manim)

    def close(self) -> None:
        """No more jobs: idle workers exit on their own (~0.2 s) while the caller goes on."""
        if self.pool is not None:
            self.pool.close()

    def __enter__(self) -> ScenePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.pool is None:
            return
        if kind is None:
            self.pool.close()
        else:  # on Ctrl-C, SIGTERM or a failed scene the renders in flight must stop now
            self.pool.terminate()
        self.pool.join()


def render_clips(
    plans: Sequence[ScenePlan],
    quality: Quality,
    cache_dir: Path,
    *,
    jobs: int | None = None,
    on_progress: Progress | None = None,
    pool: ScenePool | None = None,
) -> RenderReport:
    """Silent clips for ``plans``: from the cache when sane, else rendered in parallel.

    Scenes to render are started longest first so the last worker to finish is not
    stuck with a long scene while the others idle.

    Parameters
    ----------
    plans
        One plan per scene, in video order.
    quality
        Render quality.
    cache_dir
        The clip cache (``media/cache/clips``).
    jobs
        Worker processes; default the number of cores.
    on_progress
        Called with ``(scene_id, event)``, event one of ``cached``, ``started``, ``done``.
    pool
        Workers owned by the caller (see :class:`ScenePool`): started here if they are
        not yet, used if there are enough of them for the scenes to render. Without
        one, a pool is started and closed here.

    Returns
    -------
    RenderReport
        Clips in plan order, each marked cached or rendered.
    """
    started = time.perf_counter()
    notify = on_progress or (lambda scene_id, event: None)
    cache_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, ClipResult] = {}
    todo: list[tuple[ScenePlan, str]] = []
    for plan in plans:
        key = clip_key(plan, quality)
        hit = lookup_clip(plan, quality, cache_dir, key)
        if hit is not None:
            results[plan.scene_id] = hit
            notify(plan.scene_id, "cached")
        else:
            todo.append((plan, key))
    if todo:
        todo.sort(key=lambda item: expected_frames(item[0], quality.fps), reverse=True)
        workers = min(jobs or len(available_cores()), len(todo))
        if pool is not None and not pool.started:
            pool.start(workers)
        if pool is not None and pool.workers >= workers:
            results.update(_run_jobs(todo, quality, cache_dir, pool, notify))
        else:  # no pool given, or one started with too few workers for this much work
            with ScenePool(workers) as own:
                results.update(_run_jobs(todo, quality, cache_dir, own, notify))
    clips = [results[p.scene_id] for p in plans]
    return RenderReport(
        clips=clips,
        seconds=time.perf_counter() - started,
        peak_child_rss_mb=_peak_child_rss_mb(clips),
    )


def _run_jobs(
    todo: list[tuple[ScenePlan, str]],
    quality: Quality,
    cache_dir: Path,
    pool: ScenePool,
    notify: Progress,
) -> dict[str, ClipResult]:
    work_dir = Path(tempfile.mkdtemp(prefix=".work-", dir=cache_dir))
    events: queue.Queue[tuple[str, ClipResult | BaseException]] = queue.Queue()
    results: dict[str, ClipResult] = {}
    try:
        for plan, key in todo:
            job = _Job(plan.to_dict(), quality.value, key, str(cache_dir), str(work_dir))
            pool.pool.apply_async(
                _render_job,
                (job,),
                callback=lambda r: events.put(("ok", r)),
                error_callback=lambda e: events.put(("error", e)),
            )
        # workers take jobs in submission order; the first `workers` start right away
        for plan, _ in todo[: pool.workers]:
            notify(plan.scene_id, "started")
        pending = [plan.scene_id for plan, _ in todo[pool.workers :]]
        while len(results) < len(todo):
            try:
                kind, payload = events.get(timeout=0.5)
            except queue.Empty:  # wake up now and then so Ctrl-C is handled promptly
                continue
            if isinstance(payload, BaseException):
                raise payload
            assert isinstance(payload, ClipResult)
            results[payload.scene_id] = payload
            prune_entries(cache_dir, payload.scene_id, (".mp4", ".json"))
            notify(payload.scene_id, "done")
            if pending:
                notify(pending.pop(0), "started")
    except BaseException:
        # the scenes still running must stop before their work folder goes
        pool.pool.terminate()
        pool.pool.join()
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return results


# -- the whole pipeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a render, for progress displays.

    ``stage`` is ``voices``, ``scenes`` or ``assemble``; ``item`` a beat or scene id (or a
    step name); ``status`` one of ``start`` (``total`` items follow), ``cached``,
    ``started``, ``done``.
    """

    stage: str
    item: str
    status: str
    total: int = 0


@dataclass
class VideoReport:
    """What :func:`render_video` did: outputs, cache use and seconds per stage."""

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
    loudness: Any = None
    peak_child_rss_mb: float = 0.0
    assembled: bool = True  # False when the outputs were already up to date (a no-op render)


def merged_numbers(clips: Sequence[ClipResult], sentence: str, focus: str | None) -> dict[str, Any]:
    """The ``numbers.json`` structure: every scene's ledger entries, in video order.

    Its ``spoken`` list is filled by :func:`verify_numbers`.
    """
    entries = [dict(entry) for clip in clips for entry in clip.ledger]
    return {"sentence": sentence, "focus": focus, "entries": entries, "spoken": []}


def spoken_lines(plans: Sequence[ScenePlan]) -> list[tuple[str, str, str]]:
    """Every beat's filled narration as ``(scene id, beat id, text)``, in video order."""
    return [(plan.scene_id, beat.id, beat.text) for plan in plans for beat in plan.beats]


def verify_numbers(numbers: dict[str, Any], said: Sequence[tuple[str, str, str]]) -> None:
    """Check ``numbers`` and fill its ``spoken`` list from the narration ``said``.

    Raises RenderError if a displayed number disagrees with the reference, or the narration
    says a number its scene does not show.
    """
    from attention.ledger import NumbersLedger, spoken_numbers, verify

    numbers["spoken"], unshown = spoken_numbers(said, NumbersLedger.from_dict(numbers).entries)
    problems = verify(numbers) + unshown
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RenderError(
            f"a number does not verify: {problems[0]}{more}; "
            "`explainer check` lists every problem"
        )


def render_video(
    script: Any,
    *,
    quality: Quality = Quality.low,
    out_dir: Path | None = None,
    scene_ids: Sequence[str] = (),
    jobs: int | None = None,
    cache_dir: Path = Path("media/cache"),
    on_progress: Callable[[ProgressEvent], None] | None = None,
) -> VideoReport:
    """Script in, finished video out: voices, timeline, clips, assembly, atomic commit.

    Parameters
    ----------
    script
        A loaded :class:`explainer.script.Script` (overrides already applied).
    quality
        Render quality of the clips and the video.
    out_dir
        Where outputs go; default ``media/<script name>``.
    scene_ids
        Render only these scenes (their clips and a video of just them); empty means all.
    jobs
        Parallel scene renders; default the number of cores.
    cache_dir
        Root of the voice (``voice/``) and clip (``clips/``) caches.
    on_progress
        Receives a :class:`ProgressEvent` for every step.

    Returns
    -------
    VideoReport
        Paths written, which scenes were rendered or cached, and seconds per stage.

    Examples
    --------
    >>> from explainer.script import load_script                      # doctest: +SKIP
    >>> report = render_video(load_script("scripts/attention.toml"))  # doctest: +SKIP
    >>> report.video                                                  # doctest: +SKIP
    PosixPath('/…/media/attention/attention.mp4')
    """
    from explainer.assemble import Narration, assemble_outputs, prepare_narration
    from explainer.outputs import staged_outputs
    from explainer.timeline import build_timeline, scene_plans
    from explainer.voices import beat_requests, cache_name, parse_voice, synthesize_beats

    emit = on_progress or (lambda event: None)
    clock = time.perf_counter()
    stages: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[stage] = now - clock
        clock = now

    script = script.select(scene_ids)
    default_out = out_dir is None
    if script.name in ("", ".", ".."):  # "...toml" would put media/.. (the project) at risk
        raise RenderError(
            f"{script.path}: the file name gives the video the name {script.name!r}, which "
            "cannot name output files; rename the script, e.g. to attention.toml"
        )
    out_dir = Path("media") / script.name if out_dir is None else Path(out_dir)
    with ExitStack() as stack:
        cores = stack.enter_context(cpu_budget(jobs))
        staging = stack.enter_context(staged_outputs(out_dir, create_parents=default_out))
        voice = parse_voice(script.settings.voice)
        voice.check()
        requests = beat_requests(script)
        voice_dir, audio_dir = Path(cache_dir) / "voice", Path(cache_dir) / "audio"
        unvoiced = [r for r in requests if not (voice_dir / cache_name(r, voice)).is_file()]
        revoiced = {r.scene_id for r in unvoiced}
        # new narration means new beat lengths, so those scenes will render: start their
        # workers now, and they import Manim while the voices are made
        pool = stack.enter_context(
            ScenePool(min(cores, len(revoiced)) or cores, start=bool(revoiced))
        )
        emit(ProgressEvent("voices", "", "start", len(requests)))
        voiced: dict[str, list[str]] = {"cached": [], "done": []}

        def on_voice(audio: Any, cached: bool) -> None:
            status = "cached" if cached else "done"
            voiced[status].append(f"{audio.scene_id}/{audio.beat_id}")
            emit(ProgressEvent("voices", f"{audio.scene_id}/{audio.beat_id}", status))

        audio = synthesize_beats(requests, voice, voice_dir, on_voice, jobs=cores)
        lap("voices")

        timeline = build_timeline(script, audio, quality.fps)
        plans = scene_plans(timeline, script.settings)
        emit(ProgressEvent("scenes", "", "start", len(plans)))
        # the narration needs only the timeline: once a scene must be rendered, it is
        # mixed and encoded in this process while the workers render (with one core
        # there is nothing to overlap, so it waits)
        side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narration")
        # registered after the pool, so it is shut down first: an interrupted render
        # waits for the encode in flight before its files are removed
        stack.callback(side.shutdown, wait=True, cancel_futures=True)
        narration: Future[Narration] | None = None

        def on_scene(scene_id: str, status: str) -> None:
            nonlocal narration
            if status == "started" and narration is None and cores > 1:
                narration = side.submit(
                    prepare_narration, timeline, staging.work, cache_dir=audio_dir, jobs=cores
                )
            emit(ProgressEvent("scenes", scene_id, status))

        report = render_clips(
            plans, quality, Path(cache_dir) / "clips", jobs=cores, on_progress=on_scene, pool=pool
        )
        pool.close()  # the workers wind down during assembly; the stack joins them at the end
        lap("scenes")

        numbers = merged_numbers(report.clips, script.settings.sentence, script.settings.focus)
        verify_numbers(numbers, spoken_lines(plans))
        emit(ProgressEvent("assemble", "", "start", 1))
        key = _outputs_key(timeline, report, numbers, script.name, quality, scene_ids)
        final = staging.out_dir
        written = _unchanged_outputs(final, key)
        loudness = None
        if written is None:  # something changed: assemble and commit
            tracks = (
                narration.result()
                if narration is not None
                else prepare_narration(timeline, staging.work, cache_dir=audio_dir, jobs=cores)
            )
            outputs = assemble_outputs(
                timeline,
                [clip.path for clip in report.clips],
                tracks,
                numbers,
                staging.path,
                script.name,
                staging.work,
                jobs=cores,
            )
            loudness = outputs.loudness
            lap("assemble")
            # forget the old marker first: an interrupted commit must not look up to date
            (final / _MARKER).unlink(missing_ok=True)
            written = [p.relative_to(final) for p in staging.commit(prune=_prune(scene_ids))]
            _write_marker(final, key, written)
            lap("commit")
        emit(ProgressEvent("assemble", "video", "done"))
    lap("finish")  # stopping the workers, removing scratch files, releasing the lock
    stages.setdefault("assemble", 0.0)
    stages.setdefault("commit", 0.0)
    stages["total"] = sum(stages.values())
    clips = sorted(final / p for p in written if p.parts[0] == "clips")
    return VideoReport(
        out_dir=final,
        video=final / f"{script.name}.mp4",
        clips=clips,
        frames=timeline.frames,
        fps=quality.fps,
        duration=timeline.duration,
        rendered=report.rendered,
        cached=report.cached,
        voices_synthesised=voiced["done"],
        voices_cached=voiced["cached"],
        stages=stages,
        loudness=loudness,
        peak_child_rss_mb=max(report.peak_child_rss_mb, _peak_child_rss_mb()),
        assembled=loudness is not None,
    )


_MARKER = ".render.json"  # the key of the outputs in a directory, and their sizes


def _prune(scene_ids: Sequence[str]) -> tuple[str, ...]:
    # a full render owns clips/ and removes clips of deleted scenes; --scene leaves others
    return () if scene_ids else ("clips",)


def _outputs_key(
    timeline: Any,
    report: RenderReport,
    numbers: dict[str, Any],
    name: str,
    quality: Quality,
    scene_ids: Sequence[str],
) -> str:
    """A hash of everything the outputs are made from: clips, timeline, numbers, audio."""
    audio = [
        [str(beat.audio), beat.audio.stat().st_size if beat.audio else 0]
        for _, beat in timeline.beats()
        if beat.audio is not None
    ]
    payload = {
        "render": RENDER_VERSION,
        "clips": [clip.path.name for clip in report.clips],
        "timeline": timeline.to_dict(),
        "audio": audio,
        "numbers": numbers,
        "name": name,
        "quality": quality.value,
        "scenes": list(scene_ids),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _unchanged_outputs(out_dir: Path, key: str) -> list[Path] | None:
    """The outputs in ``out_dir`` if they were made from ``key`` and are all still there."""
    try:
        marker = json.loads((out_dir / _MARKER).read_text(encoding="utf-8"))
        files = {Path(name): int(size) for name, size in marker["files"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if marker.get("key") != key or not files:
        return None
    for name, size in files.items():
        path = out_dir / name
        if not path.is_file() or path.stat().st_size != size:
            return None
    return list(files)


def _write_marker(out_dir: Path, key: str, written: Sequence[Path]) -> None:
    files = {str(p): (out_dir / p).stat().st_size for p in written}
    write_atomic(out_dir / _MARKER, json.dumps({"key": key, "files": files}).encode())


def dry_run_ledgers(plans: Sequence[ScenePlan]) -> list[tuple[str, list[Any]]]:
    """Construct every scene in Manim's dry-run mode (no frames written) to fill its ledger.

    Returns
    -------
    list[tuple[str, list[LedgerEntry]]]
        Each scene's id and the numbers it would display.
    """
    from manim import tempconfig

    from scenes import load_scene_class

    found: list[tuple[str, list[Any]]] = []
    with tempfile.TemporaryDirectory(prefix="explainer-check-") as tmp:
        settings = {
            "dry_run": True,
            "quality": Quality.low.manim_name,
            "media_dir": tmp,
            "disable_caching": True,
            "progress_bar": "none",
            "verbosity": "WARNING",
            "log_to_file": False,
        }
        for plan in plans:
            with tempconfig(settings):
                try:
                    scene = load_scene_class(plan.class_name)(plan=plan)
                    scene.render()
                except ExplainerError:
                    raise
                except Exception as error:
                    message = " ".join(str(error).split()) or type(error).__name__
                    wrapped = RenderError(
                        f"scene {plan.scene_id!r} ({plan.class_name}) failed: {message}"
                    )
                    wrapped.add_note(traceback.format_exc())
                    raise wrapped from None
            found.append((plan.scene_id, list(scene.ledger.entries)))
    return found
