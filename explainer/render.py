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
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from importlib.metadata import version
from multiprocessing.pool import Pool
from pathlib import Path

from attention.ledger import LedgerEntry
from attention.wordnet import wordnet_dir
from explainer.cache import file_sha256, prune_entries, write_atomic
from explainer.errors import ExplainerError, RenderError, one_line
from explainer.media import probe_video_frames
from scenes import SCENE_CLASSES, load_scene_class
from scenes.plan import ScenePlan

__all__ = [
    "RENDER_VERSION",
    "Quality",
    "ClipResult",
    "RenderReport",
    "clip_key",
    "lookup_clip",
    "available_cores",
    "cpu_budget",
    "manim_version",
    "peak_child_rss_mb",
    "source_digest",
    "ScenePool",
    "render_clips",
    "render_scene",
    "scene_failure",
]

RENDER_VERSION = "3"  # bump when the way clips are rendered changes, to invalidate the cache
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
    ledger: tuple[LedgerEntry, ...]
    cached: bool
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # of the worker process that rendered it, over its lifetime
    layout: tuple[str, ...] = ()  # layout problems found at the ends of its beats


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


def source_digest(class_name: str | None = None) -> str:
    """One hash of every module a clip's pixels can depend on, of manim.cfg and of the
    lexicon's database.

    With ``class_name``, the other chapters' modules are left out (no chapter imports
    another), so editing one chapter's code re-renders that chapter only; the kit, the
    narration base and ``attention`` count for every chapter.
    """
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
    digest.update(lexicon_identity().encode())
    return digest.hexdigest()


def lexicon_identity() -> str:
    """Which WordNet database the embeddings come from: its folder, and each file's size
    and modification time (an upgraded ``wordnet-base`` changes the numbers).
    """
    folder = wordnet_dir()
    try:
        stats = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir())
    except OSError:
        stats = []
    return json.dumps([str(folder), stats])


def manim_version() -> str:
    """The installed Manim's version (clips and ledgers are keyed on it)."""
    return version("manim")


def clip_key(plan: ScenePlan, quality: Quality) -> str:
    """The clip cache key: scene code, Manim version, quality and the plan minus spoken words.

    A clip depends on its beats' ids and durations, the sentence, focus and parameters,
    never on the words the narrator says or where their audio is, so editing a beat's
    wording without changing its length reuses the clip.
    """
    plan_data = plan.to_dict()
    plan_data["beats"] = [
        {k: v for k, v in b.items() if k not in ("text", "audio")} for b in plan_data["beats"]
    ]
    payload = json.dumps(
        {
            "render": RENDER_VERSION,
            "sources": source_digest(plan.class_name),
            "manim": manim_version(),
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
        want = plan.frames(quality.fps)
        if meta.get("key") != key or meta.get("frames") != want:
            return None
        if meta.get("sha256") != file_sha256(video):
            return None
        entries = tuple(LedgerEntry(**entry) for entry in meta["entries"])
        layout = tuple(str(problem) for problem in meta["layout"])
        for used in (video, ledger):  # the cache keeps each scene's most recently used clips
            os.utime(used)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return ClipResult(plan.scene_id, video, want, entries, cached=True, layout=layout)


@dataclass(frozen=True)
class _Job:
    """What a worker process needs to render one scene (plain data: it is pickled)."""

    plan: dict[str, object]
    quality: str
    key: str
    cache_dir: str
    work_dir: str


def render_scene(
    plan: ScenePlan, quality: Quality, work_dir: Path, typeset_dir: Path | None = None
) -> tuple[Path, list[LedgerEntry], list[str]]:
    """Render one scene to a silent mp4 under ``work_dir``; return it, its ledger entries
    and the layout problems it found.

    Runs Manim in this process inside ``tempconfig``, so the global config is untouched.
    Texts typeset by earlier renders are taken from ``typeset_dir`` (default: none kept).

    Examples
    --------
    >>> from explainer.script import load_script
    >>> plan = load_script().scene("equation")                    # doctest: +SKIP
    >>> render_scene(plan, Quality.low, Path("/tmp/x"))[0].suffix  # doctest: +SKIP
    '.mp4'
    """
    # Manim (1 s to import) loads where a scene is built: here, in the workers, and when a
    # script is loaded (its scene classes declare their beats); `explainer numbers` and
    # `explainer voices` never pay for it
    from manim import tempconfig

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
    return movie, list(scene.ledger.entries), list(scene.layout_problems)


def scene_failure(plan: ScenePlan, error: Exception) -> Exception:
    """What to raise when building a scene failed: the user's own error as it is, a scene
    bug as one RenderError line naming the scene, with the traceback kept for ``--debug``.
    """
    if isinstance(error, ExplainerError):
        return error
    wrapped = RenderError(f"scene {plan.scene_id!r} ({plan.class_name}) failed: {one_line(error)}")
    wrapped.add_note(traceback.format_exc())
    return wrapped


def _render_job(job: _Job) -> ClipResult:
    """Worker-process entry: render, check the sync contract, store in the cache."""
    started = time.perf_counter()
    plan = ScenePlan.from_dict(job.plan)
    quality = Quality(job.quality)
    cache_dir = Path(job.cache_dir)
    try:
        with tempfile.TemporaryDirectory(dir=job.work_dir) as tmp:
            # texts are kept beside the clips: media/cache/typeset
            typeset = cache_dir.parent / "typeset"
            movie, entries, layout = render_scene(plan, quality, Path(tmp), typeset)
            frames = probe_video_frames(movie)
            want = plan.frames(quality.fps)
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
                "layout": layout,
            }
            write_atomic(ledger, json.dumps(meta, ensure_ascii=False).encode())
    except Exception as error:
        raise scene_failure(plan, error) from None
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return ClipResult(
        plan.scene_id, video, frames, tuple(entries), False, seconds, peak, tuple(layout)
    )


Progress = Callable[[str, str], None]


def peak_child_rss_mb(clips: Sequence[ClipResult] = ()) -> float:
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
    """Pool initializer: import Manim and the scenes, and open the lexicon, before the
    first job arrives (the workers start while the voices are made).
    """
    # a broken import is reported by the job itself, naming the scene; raising here
    # would only make the pool restart the worker forever
    with suppress(Exception):
        import manim  # noqa: F401

        import scenes.narration  # noqa: F401
        from attention import worked_example

        worked_example()  # reads WordNet's files once: the job's example is then quick


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
        self.pool: Pool | None = None
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

    def stop(self) -> None:
        """End the workers now; :meth:`start` may start others."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

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
        todo.sort(key=lambda item: item[0].frames(quality.fps), reverse=True)
        workers = min(jobs or len(available_cores()), len(todo))
        if pool is not None and pool.started and pool.workers < workers:
            pool.stop()  # started warm for fewer scenes than must render: start it again
        if pool is not None and not pool.started:
            pool.start(workers)
        if pool is not None:
            results.update(_run_jobs(todo, quality, cache_dir, pool, notify))
        else:
            with ScenePool(workers) as own:
                results.update(_run_jobs(todo, quality, cache_dir, own, notify))
    clips = [results[p.scene_id] for p in plans]
    return RenderReport(
        clips=clips,
        seconds=time.perf_counter() - started,
        peak_child_rss_mb=peak_child_rss_mb(clips),
    )


def _run_jobs(
    todo: list[tuple[ScenePlan, str]],
    quality: Quality,
    cache_dir: Path,
    pool: ScenePool,
    notify: Progress,
) -> dict[str, ClipResult]:
    workers = pool.pool
    assert workers is not None, "render_clips starts the pool before running jobs"
    work_dir = Path(tempfile.mkdtemp(prefix=".work-", dir=cache_dir))
    events: queue.Queue[tuple[str, ClipResult | BaseException]] = queue.Queue()
    results: dict[str, ClipResult] = {}
    try:
        for plan, key in todo:
            job = _Job(plan.to_dict(), quality.value, key, str(cache_dir), str(work_dir))
            workers.apply_async(
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
        workers.terminate()
        workers.join()
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return results
