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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from explainer.assemble import probe_video_frames
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
    "render_clips",
    "render_scene",
    "ProgressEvent",
    "VideoReport",
    "merged_numbers",
    "verify_numbers",
    "render_video",
    "dry_run_ledgers",
]

RENDER_VERSION = "1"  # bump when the way clips are rendered changes, to invalidate the cache
PROJECT_ROOT = Path(__file__).resolve().parents[1]
_SOURCE_DIRS = ("scenes", "attention")


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


def _source_digest() -> str:
    """One hash of every module a clip's pixels can depend on, and of manim.cfg."""
    digest = hashlib.sha256()
    files = [p for d in _SOURCE_DIRS for p in (PROJECT_ROOT / d).rglob("*.py")]
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
            "sources": _source_digest(),
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

    Sane means: the ledger JSON parses and names this key, the mp4's frame count equals
    the plan's frames (a truncated file fails that) and its SHA-256 is the one recorded when
    it was rendered (damaged bytes fail that); anything else is re-rendered.
    """
    key = key or clip_key(plan, quality)
    video, ledger = _cache_paths(cache_dir, plan, key)
    if not (video.is_file() and ledger.is_file()):
        return None
    try:
        meta = json.loads(ledger.read_text(encoding="utf-8"))
        frames = probe_video_frames(video)
    except (OSError, ValueError, RenderError):
        return None
    want = expected_frames(plan, quality.fps)
    if meta.get("key") != key or frames != want or meta.get("frames") != want:
        return None
    # damaged bytes inside a frame keep the packet count; only a checksum catches them
    if meta.get("sha256") != _file_sha256(video):
        return None
    return ClipResult(plan.scene_id, video, frames, tuple(meta["entries"]), cached=True)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Job:
    plan: dict[str, Any]
    quality: str
    key: str
    cache_dir: str
    work_dir: str


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def render_scene(plan: ScenePlan, quality: Quality, work_dir: Path) -> tuple[Path, list[Any]]:
    """Render one scene to a silent mp4 under ``work_dir``; return it and the ledger entries.

    Runs Manim in this process inside ``tempconfig``, so the global config is untouched.

    Examples
    --------
    >>> plan = ScenePlan.from_default_script("Equation")          # doctest: +SKIP
    >>> render_scene(plan, Quality.low, Path("/tmp/x"))[0].suffix  # doctest: +SKIP
    '.mp4'
    """
    from manim import tempconfig

    from scenes import load_scene_class

    scene_class = load_scene_class(plan.class_name)
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
            movie, entries = render_scene(plan, quality, Path(tmp))
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
                "sha256": _file_sha256(video),
                "entries": [asdict(e) for e in entries],
            }
            _write_atomic(ledger, json.dumps(meta, ensure_ascii=False).encode())
    except ExplainerError:
        raise
    except Exception as error:  # a scene bug: one line, the traceback kept for --debug
        message = " ".join(str(error).split()) or type(error).__name__
        wrapped = RenderError(f"scene {plan.scene_id!r} ({plan.class_name}) failed: {message}")
        wrapped.add_note(traceback.format_exc())
        raise wrapped from None
    seconds = time.perf_counter() - started
    return ClipResult(plan.scene_id, video, frames, tuple(meta["entries"]), False, seconds)


Progress = Callable[[str, str], None]


def _peak_child_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux: the largest single child process waited for so far
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def render_clips(
    plans: Sequence[ScenePlan],
    quality: Quality,
    cache_dir: Path,
    *,
    jobs: int | None = None,
    on_progress: Progress | None = None,
) -> RenderReport:
    """Silent clips for ``plans``: from the cache when sane, else rendered in parallel.

    Scenes to render are started longest first so the last worker to finish is not
    stuck with a long scene while the others idle. Workers are separate processes
    (spawned, so no Manim state leaks between scenes or into this process).

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
        results.update(_run_pool(todo, quality, cache_dir, jobs, notify))
    return RenderReport(
        clips=[results[p.scene_id] for p in plans],
        seconds=time.perf_counter() - started,
        peak_child_rss_mb=_peak_child_rss_mb(),
    )


_KEEP_PER_SCENE = 4  # cached clips kept per scene id (e.g. low and high, before and after)


def _prune_cache(cache_dir: Path, scene_id: str) -> None:
    """Delete all but the newest few cached clips of ``scene_id``."""
    videos = sorted(
        cache_dir.glob(f"{scene_id}-*.mp4"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in videos[_KEEP_PER_SCENE:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)


def _run_pool(
    todo: list[tuple[ScenePlan, str]],
    quality: Quality,
    cache_dir: Path,
    jobs: int | None,
    notify: Progress,
) -> dict[str, ClipResult]:
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    work_dir = Path(tempfile.mkdtemp(prefix=".work-", dir=cache_dir))
    events: queue.Queue[tuple[str, ClipResult | BaseException]] = queue.Queue()
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(processes=workers)
    results: dict[str, ClipResult] = {}
    finished = False
    try:
        for plan, key in todo:
            job = _Job(plan.to_dict(), quality.value, key, str(cache_dir), str(work_dir))
            pool.apply_async(
                _render_job,
                (job,),
                callback=lambda r: events.put(("ok", r)),
                error_callback=lambda e: events.put(("error", e)),
            )
        # workers take jobs in submission order; the first `workers` start right away
        for plan, _ in todo[:workers]:
            notify(plan.scene_id, "started")
        pending = [plan.scene_id for plan, _ in todo[workers:]]
        while len(results) < len(todo):
            try:
                kind, payload = events.get(timeout=0.5)
            except queue.Empty:  # wake up now and then so Ctrl-C is handled promptly
                continue
            if isinstance(payload, BaseException):
                raise payload
            assert isinstance(payload, ClipResult)
            results[payload.scene_id] = payload
            _prune_cache(cache_dir, payload.scene_id)
            notify(payload.scene_id, "done")
            if pending:
                notify(pending.pop(0), "started")
        pool.close()
        pool.join()
        finished = True
    finally:
        if not finished:
            # on Ctrl-C, SIGTERM or a failed scene the other renders must stop now
            pool.terminate()
            pool.join()
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
    """The ``numbers.json`` structure: every scene's ledger entries, in video order."""
    entries = [dict(entry) for clip in clips for entry in clip.ledger]
    return {"sentence": sentence, "focus": focus, "entries": entries}


def verify_numbers(numbers: dict[str, Any]) -> None:
    """Raise RenderError if any displayed number disagrees with the reference."""
    from attention.ledger import verify

    problems = verify(numbers)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RenderError(
            f"a number on screen does not verify: {problems[0]}{more}; "
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
    from explainer.assemble import assemble_outputs
    from explainer.outputs import staged_outputs
    from explainer.timeline import build_timeline, scene_plans
    from explainer.voices import beat_requests, parse_voice, synthesize_beats

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
    with staged_outputs(out_dir, create_parents=default_out) as staging:
        voice = parse_voice(script.settings.voice)
        voice.check()
        requests = beat_requests(script)
        emit(ProgressEvent("voices", "", "start", len(requests)))
        voiced: dict[str, list[str]] = {"cached": [], "done": []}

        def on_voice(audio: Any, cached: bool) -> None:
            status = "cached" if cached else "done"
            voiced[status].append(f"{audio.scene_id}/{audio.beat_id}")
            emit(ProgressEvent("voices", f"{audio.scene_id}/{audio.beat_id}", status))

        audio = synthesize_beats(requests, voice, Path(cache_dir) / "voice", on_voice)
        lap("voices")

        timeline = build_timeline(script, audio, quality.fps)
        plans = scene_plans(timeline, script.settings)
        emit(ProgressEvent("scenes", "", "start", len(plans)))
        report = render_clips(
            plans,
            quality,
            Path(cache_dir) / "clips",
            jobs=jobs,
            on_progress=lambda scene_id, status: emit(ProgressEvent("scenes", scene_id, status)),
        )
        lap("scenes")

        numbers = merged_numbers(report.clips, script.settings.sentence, script.settings.focus)
        verify_numbers(numbers)
        emit(ProgressEvent("assemble", "", "start", 1))
        key = _outputs_key(timeline, report, numbers, script.name, quality, scene_ids)
        final = staging.out_dir
        written = _unchanged_outputs(final, key)
        loudness = None
        if written is None:  # something changed: assemble and commit
            outputs = assemble_outputs(
                timeline,
                [clip.path for clip in report.clips],
                numbers,
                staging.path,
                script.name,
                staging.work,
                jobs=jobs,
            )
            loudness = outputs.loudness
            lap("assemble")
            # forget the old marker first: an interrupted commit must not look up to date
            (final / _MARKER).unlink(missing_ok=True)
            written = [p.relative_to(final) for p in staging.commit(prune=_prune(scene_ids))]
            _write_marker(final, key, written)
            lap("commit")
        emit(ProgressEvent("assemble", "video", "done"))
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
        peak_child_rss_mb=report.peak_child_rss_mb,
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
    _write_atomic(out_dir / _MARKER, json.dumps({"key": key, "files": files}).encode())


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
