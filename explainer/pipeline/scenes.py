"""Silent clips for a script's scenes: from the clip cache when sane, else rendered.

Each clip is a pure function of its key (:func:`explainer.plan.keys.clip_key`); a clip not in
the cache becomes a :class:`explainer.render.scene_jobs.SceneJob` for the executor the caller
hands in (local processes or a cluster), and its bytes come back here to be stored.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from attention.numbers.ledger import LedgerEntry
from explainer.core.cache import file_sha256, prune_entries, write_atomic
from explainer.core.quality import Quality
from explainer.distribute.executors import SceneExecutor
from explainer.plan.keys import clip_key, prefix_keys
from explainer.render.from_beat import join_clips
from explainer.render.scene_jobs import RenderedScene, SceneJob
from scenes.plan import ScenePlan

__all__ = [
    "ClipResult",
    "RenderReport",
    "lookup_clip",
    "peak_child_rss_mb",
    "render_clips",
    "store_clip",
]


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


def reusable_prefix(plan: ScenePlan, quality: Quality, cache_dir: Path) -> tuple[Path, int] | None:
    """A cached clip of ``plan``'s chapter whose first beats are ``plan``'s, and how many
    (k >= 1: its frames before beat k can be kept), the longest such prefix; None if none.
    """
    wanted = prefix_keys(plan, quality)[:-1]  # a whole match would have been a cache hit
    best: tuple[Path, int] | None = None
    for ledger in cache_dir.glob(f"{plan.scene_id}-*.json"):
        try:
            meta = json.loads(ledger.read_text(encoding="utf-8"))
            theirs = list(meta.get("prefixes", []))
            video = ledger.with_suffix(".mp4")
            if meta.get("sha256") != file_sha256(video):
                continue
        except (OSError, ValueError, AttributeError, TypeError):
            continue
        same = next(
            (i for i, (a, b) in enumerate(zip(wanted, theirs, strict=False)) if a != b), None
        )
        k = min(len(wanted), len(theirs)) if same is None else same
        if k >= 1 and (best is None or k > best[1]):
            best = (video, k)
    return best


def store_clip(
    plan: ScenePlan, rendered: RenderedScene, cache_dir: Path, prefixes: Sequence[str] = ()
) -> ClipResult:
    """Put a rendered scene into the cache (clip first, then its ledger naming the clip's
    checksum and its beat prefixes' keys, each written atomically) and return it as a cache
    entry.
    """
    video, ledger = _cache_paths(cache_dir, plan, rendered.key)
    write_atomic(video, rendered.video)
    meta = {
        "key": rendered.key,
        "frames": rendered.frames,
        "sha256": file_sha256(video),
        "entries": [asdict(e) for e in rendered.entries],
        "layout": list(rendered.layout),
        "prefixes": list(prefixes),
    }
    write_atomic(ledger, json.dumps(meta, ensure_ascii=False).encode())
    prune_entries(cache_dir, plan.scene_id, (".mp4", ".json"))
    return ClipResult(
        plan.scene_id, video, rendered.frames, rendered.entries, False,
        rendered.seconds, rendered.peak_rss_mb, rendered.layout,
    )  # fmt: skip


SceneProgress = Callable[[str, str], None]


def render_clips(
    plans: Sequence[ScenePlan],
    quality: Quality,
    cache_dir: Path,
    executor: SceneExecutor,
    *,
    on_progress: SceneProgress | None = None,
) -> RenderReport:
    """Silent clips for ``plans``: from the cache when sane, else rendered by ``executor``.

    Scenes to render are submitted longest first so the last worker to finish is not
    stuck with a long scene while the others idle. A job whose clip is cached never
    leaves this process.

    Parameters
    ----------
    plans
        One plan per scene, in video order.
    quality
        Render quality.
    cache_dir
        The clip cache (``media/cache/clips``); its sibling ``typeset`` keeps typeset texts.
    executor
        Where scene jobs run (see :mod:`explainer.distribute.executors`); started here with as many
        workers as there are scenes to render, up to its own count.
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
        todo.sort(key=lambda item: item[0].frames(quality.fps), reverse=True)
        executor.start(min(executor.workers, len(todo)))
        typeset = str(cache_dir.parent / "typeset")  # texts are kept beside the clips
        scratch = Path(tempfile.mkdtemp(prefix=".work-", dir=cache_dir))
        try:
            prefixes = {
                plan.scene_id: reusable_prefix(plan, quality, cache_dir) for plan, _ in todo
            }
            jobs = [
                SceneJob(plan.to_dict(), quality.value, key, typeset, str(scratch),
                         from_beat=(prefixes[plan.scene_id] or (None, 0))[1])
                for plan, key in todo
            ]  # fmt: skip
            plans_todo = [plan for plan, _ in todo]
            finish = _Finisher(quality, cache_dir, scratch, prefixes)
            results.update(_run_jobs(plans_todo, jobs, finish, executor, notify))
        except BaseException:
            executor.shutdown(cancel=True)  # the scenes still running stop before their folder goes
            raise
        finally:  # a worker killed mid-scene leaves its files here: they go with the folder
            shutil.rmtree(scratch, ignore_errors=True)
    clips = [results[p.scene_id] for p in plans]
    return RenderReport(
        clips=clips,
        seconds=time.perf_counter() - started,
        peak_child_rss_mb=peak_child_rss_mb(clips),
    )


@dataclass(frozen=True)
class _Finisher:
    """Stores each rendered clip; one rendered from beat k is first joined to the frames
    before beat k of the cached clip it reuses (no re-encoding)."""

    quality: Quality
    cache_dir: Path
    scratch: Path
    prefixes: dict[str, tuple[Path, int] | None]

    def __call__(self, plan: ScenePlan, rendered: RenderedScene) -> ClipResult:
        reused = self.prefixes.get(plan.scene_id)
        if reused is not None:
            before, k = reused
            start = sum(beat.frames(self.quality.fps) for beat in plan.beats[:k])
            after = self.scratch / f"{plan.scene_id}-from-{k}.mp4"
            after.write_bytes(rendered.video)
            joined = self.scratch / f"{plan.scene_id}-joined.mp4"
            join_clips(before, start, after, joined, after_frames=rendered.frames)
            rendered = replace(rendered, video=joined.read_bytes(), frames=start + rendered.frames)
        prefixes = prefix_keys(plan, self.quality)
        return store_clip(plan, rendered, self.cache_dir, prefixes)


def _run_jobs(
    plans: list[ScenePlan],
    jobs: list[SceneJob],
    finish: _Finisher,
    executor: SceneExecutor,
    notify: SceneProgress,
) -> dict[str, ClipResult]:
    by_id = {plan.scene_id: plan for plan in plans}
    futures: dict[Future[RenderedScene], str] = {executor.submit(job): job.scene_id for job in jobs}
    # workers take jobs in submission order; the first `workers` start right away
    for plan in plans[: executor.workers]:
        notify(plan.scene_id, "started")
    pending = [plan.scene_id for plan in plans[executor.workers :]]
    results: dict[str, ClipResult] = {}
    waiting = set(futures)
    while waiting:
        # wake up now and then so Ctrl-C is handled promptly
        done, waiting = wait(waiting, timeout=0.5, return_when=FIRST_COMPLETED)
        for future in done:
            scene_id = futures[future]
            results[scene_id] = finish(by_id[scene_id], future.result())
            notify(scene_id, "done")
            if pending:
                notify(pending.pop(0), "started")
    return results


def peak_child_rss_mb(clips: Sequence[ClipResult] = ()) -> float:
    """The largest resident memory of any process this one started, in MB.

    Scene workers report their own peak (they may still be running); every other child
    (ffmpeg, voices) counts once it has been waited for.
    """
    waited = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return max([waited, *(clip.peak_rss_mb for clip in clips)])
