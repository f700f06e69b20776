"""``explainer batch``: one video per variant, all through one executor, one overview.

Every variant renders with :func:`explainer.pipeline.conductor.render_video` into ``DIR/<slug>/``;
the scene jobs of all variants go to one executor (local processes, or a Dask cluster),
and two or more variants are in flight at once, so one variant's voices and assembly
overlap another's scenes and the workers never wait for the client. ``DIR/batch.json``
and ``DIR/index.html`` are rewritten (atomically) as each variant ends, so whatever
stops the batch leaves them listing the variants that finished.

A variant that fails (a sentence the model cannot take, a layout that does not fit) is
recorded with its one-line error and the others go on; a cluster that fails
(:class:`~explainer.core.errors.ClusterError`) stops the batch, since every variant after it
would fail the same way. A re-run skips the variants that finished with the same inputs:
the same sentence, script, options, code, Manim, model files and voice engine.

Only files explainer wrote are replaced, in ``DIR`` and in every ``DIR/<slug>/``
(:mod:`explainer.core.manifest`): a file of the user's where one goes stops the batch before
anything renders, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attention.worked.example import ExampleError
from explainer.batch.page import INDEX_NAME, POSTER_NAME, write_index, write_poster
from explainer.batch.variants import Variant, slugs, variant_record
from explainer.core.cache import file_sha256, write_atomic
from explainer.core.errors import ClusterError, ExplainerError, OutputInTheWay, one_line
from explainer.core.manifest import Blocker, Manifest, Older, in_the_way_message
from explainer.core.quality import Quality
from explainer.core.staging import Staging, sigterm_as_interrupt, staged_outputs
from explainer.distribute.executors import SceneExecutor, cpu_budget, open_executor
from explainer.pipeline.conductor import ProgressEvent, render_outputs, render_video
from explainer.plan.keys import video_inputs
from explainer.plan.script import Script, load_script
from explainer.voice.engines import parse_voice

__all__ = ["BatchEvent", "BatchOptions", "BatchReport", "run_batch"]

MANIFEST_NAME = "batch.json"


@dataclass(frozen=True)
class BatchOptions:
    """How every video of a batch is rendered."""

    quality: Quality = Quality.low
    cluster: str | None = None
    jobs: int | None = None
    cache_dir: Path = Path("media/cache")
    allow_layout_issues: bool = False
    force: bool = False  # replace files in the way that explainer did not write


@dataclass(frozen=True)
class BatchEvent:
    """Progress of a whole batch: ``start`` (``total`` steps follow), ``advance`` (``steps``
    more done), ``variant`` (one ended: ``slug`` and its ``status``).
    """

    kind: str
    total: int = 0
    steps: int = 0
    slug: str = ""
    status: str = ""


BatchProgress = Callable[[BatchEvent], None]


@dataclass
class BatchReport:
    """What :func:`run_batch` did: every variant's record, in the file's order."""

    out_dir: Path
    records: list[dict[str, Any]]
    skipped: list[str]
    seconds: float

    @property
    def ok(self) -> list[str]:
        """Slugs of the variants that have a video now."""
        return [r["slug"] for r in self.records if r["status"] == "ok"]

    @property
    def failed(self) -> list[str]:
        """Slugs of the variants that failed."""
        return [r["slug"] for r in self.records if r["status"] != "ok"]


@dataclass
class _Manifest:
    """``batch.json`` and ``index.html``, committed together under a lock as variants end."""

    staging: Staging  # the batch folder's, held for the whole batch
    title: str
    head: dict[str, Any]
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, record: dict[str, Any], order: list[str]) -> None:
        with self.lock:
            self.records[record["slug"]] = record
            listed = [self.records[slug] for slug in order if slug in self.records]
            body = {**self.head, "variants": listed}
            text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
            write_atomic(self.staging.path / MANIFEST_NAME, text.encode("utf-8"))
            write_index(self.staging.path, listed, self.title)
            self.staging.commit(by="batch")


def _older_batch(out_dir: Path) -> list[str]:
    """``batch.json`` and ``index.html`` of an older batch, which kept no other record:
    its ``batch.json`` is the trace of both (they were always written together).
    """
    return [MANIFEST_NAME, INDEX_NAME] if _previous(out_dir) else []


def _older_posters(previous: dict[str, dict[str, Any]]) -> Older:
    """The poster of a variant folder that the last run's ``batch.json`` lists."""

    def listed(folder: Path) -> list[str]:
        poster = previous.get(folder.name, {}).get("poster")
        return [POSTER_NAME] if poster == f"{folder.name}/{POSTER_NAME}" else []

    return listed


def _check_variant_folders(
    out_dir: Path, slugs: list[str], files: list[str], force: bool, older: Older
) -> None:
    """Refuse before anything renders if a file of the user's is where a variant's
    outputs go (``--force``: only what it cannot replace).
    """
    for slug in slugs:
        folder = out_dir / slug
        if os.path.lexists(folder) and not folder.is_dir():
            blocker = Blocker(slug, "a file where explainer needs a folder", forceable=False)
            raise OutputInTheWay(in_the_way_message(out_dir, [blocker]))
        if folder.is_dir():
            Manifest.read(folder, older).check(files, force=force)


def _previous(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The last run's records by slug (none if ``batch.json`` is missing or damaged)."""
    try:
        listed = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["variants"]
        return {str(r["slug"]): r for r in listed if isinstance(r, dict)}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _fingerprint(variant: Variant, base: Script, script_digest: str, options: BatchOptions) -> str:
    """Everything a finished variant was made from that a re-run could change: the variant,
    the script's bytes, the options, and :func:`~explainer.plan.keys.video_inputs` (the code,
    Manim, the models' files, the voice engine's version and settings); "" when one of them
    cannot be known now (a voice that does not run here): the render then says why.

    The base script stands in for the variant's own (its chapters' models and beat ids are
    the variant's): loading every variant's script again would cost a forward pass each.
    """
    models = [variant.model or base.spec.model, *(plan.spec.model for plan in base.scenes)]
    beats = [(plan.scene_id, beat.id) for plan in base.scenes for beat in plan.beats]
    try:
        inputs = video_inputs(models, parse_voice(variant.voice or base.settings.voice), beats)
    except (ExplainerError, ExampleError):
        return ""
    made_of = {
        **variant.identity(),
        "script": script_digest,
        "quality": options.quality.value,
        "allow_layout_issues": options.allow_layout_issues,
        **inputs,
    }
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()


def _finished(old: dict[str, Any] | None, fingerprint: str, out_dir: Path) -> bool:
    return bool(
        old
        and fingerprint
        and old.get("status") == "ok"
        and old.get("fingerprint") == fingerprint
        and (out_dir / str(old.get("video"))).is_file()
    )


def _load_variant(script_path: Path, variant: Variant) -> Script:
    """The script with the variant's sentence, focus, voice and model in place of its own."""
    return load_script(
        script_path,
        sentence=variant.sentence,
        focus=variant.focus,
        voice=variant.voice,
        model=variant.model,
    )


@dataclass
class _Batch:
    """One run's shared state: where, how, the executor, the manifest, the progress."""

    script_path: Path
    out_dir: Path
    options: BatchOptions
    manifest: _Manifest
    order: list[str]
    steps: int  # progress steps per variant: its scenes and its commit
    emit: BatchProgress
    older_posters: Older
    executor: SceneExecutor | None = None
    cores: int = 1
    stopping: threading.Event = field(default_factory=threading.Event)

    def render(self, variant: Variant, slug: str, fingerprint: str) -> dict[str, Any]:
        """Render one variant; its record (``ok`` or ``failed`` with one line)."""
        record: dict[str, Any] = {"slug": slug, **variant_record(variant), "status": "failed",
                                  "video": None, "duration": None, "poster": None,
                                  "error": None, "fingerprint": fingerprint}  # fmt: skip
        advanced = [0]

        def on_event(event: ProgressEvent) -> None:
            if event.stage == "scenes" and event.status in ("done", "cached"):
                advanced[0] += 1
                self.emit(BatchEvent("advance", steps=1))

        started = time.perf_counter()
        force = self.options.force
        try:
            report = render_video(
                _load_variant(self.script_path, variant), quality=self.options.quality,
                out_dir=self.out_dir / slug, jobs=self.cores, cache_dir=self.options.cache_dir,
                on_progress=on_event, allow_layout_issues=self.options.allow_layout_issues,
                executor=self.executor, force=force,
            )  # fmt: skip
            poster = write_poster(report.out_dir, report.video.stem, force=force,
                                  older=self.older_posters)  # fmt: skip
            record.update(
                status="ok",
                video=f"{slug}/{report.video.name}",
                duration=round(report.duration, 2),
                poster=f"{slug}/{poster.name}",
                stages={stage: round(seconds, 2) for stage, seconds in report.stages.items()},
            )
        except ClusterError:
            raise
        except (ExplainerError, ExampleError) as error:
            record["error"] = one_line(error)
        except Exception as error:  # a bug shown by one sentence: the others still render
            record["error"] = f"unexpected {type(error).__name__}: {one_line(error)}"
        record["seconds"] = round(time.perf_counter() - started, 2)
        self.emit(BatchEvent("advance", steps=max(0, self.steps - advanced[0])))
        if not self.stopping.is_set():  # an interrupted variant's error is no result
            self.manifest.put(record, self.order)
            self.emit(BatchEvent("variant", slug=slug, status=record["status"]))
        return record


def run_batch(
    variants: list[Variant],
    script_path: Path,
    out_dir: Path,
    options: BatchOptions = BatchOptions(),  # noqa: B008 - frozen, never mutated
    on_progress: BatchProgress | None = None,
) -> BatchReport:
    """Render every variant of ``script_path`` into ``out_dir/<slug>/``.

    Parameters
    ----------
    variants
        From :func:`explainer.batch.variants.read_variants`.
    script_path
        The narration script every variant uses (its sentence, focus and voice replaced).
    out_dir
        Where the videos, ``batch.json`` and ``index.html`` go (created; its parent must
        exist).
    options
        Quality, cluster address, cores, cache, layout tolerance and ``force``, for every
        variant.
    on_progress
        Receives :class:`BatchEvent`\\ s: one bar's worth for the whole batch.

    Raises
    ------
    ClusterError
        The cluster failed; ``batch.json`` lists the variants that finished.
    OutputInTheWay
        Before anything renders: a file explainer did not write is where an output goes.

    Examples
    --------
    >>> from explainer.batch.variants import read_variants
    >>> run_batch(read_variants(Path("course.txt")), DEFAULT_SCRIPT, Path("out"))  # doctest: +SKIP
    """
    started = time.perf_counter()
    emit = on_progress or (lambda event: None)
    base = load_script(script_path)  # a broken script fails the batch, not each variant
    names = slugs(variants)
    head = {"script": str(script_path), "quality": options.quality.value}
    with staged_outputs(out_dir, force=options.force, older=_older_batch) as root:
        out_dir = root.out_dir
        root.check([MANIFEST_NAME, INDEX_NAME])
        digest, previous = file_sha256(script_path), _previous(out_dir)
        batch = _Batch(script_path, out_dir, options, _Manifest(root, base.settings.title, head),
                       names, len(base.scenes) + 1, emit, _older_posters(previous))  # fmt: skip
        todo, skipped = [], []
        for variant, slug in zip(variants, names, strict=True):
            fingerprint = _fingerprint(variant, base, digest, options)
            if _finished(previous.get(slug), fingerprint, out_dir):
                skipped.append(slug)
            else:
                todo.append((variant, slug, fingerprint))
        _check_variant_folders(out_dir, [slug for _, slug, _ in todo],
                               [*render_outputs(base), POSTER_NAME], options.force,
                               batch.older_posters)  # fmt: skip
        for slug in skipped:
            batch.manifest.put(previous[slug], names)
        emit(BatchEvent("start", total=len(variants) * batch.steps))
        emit(BatchEvent("advance", steps=len(skipped) * batch.steps))
        if todo:
            with sigterm_as_interrupt(), cpu_budget(options.jobs) as cores:
                batch.cores = cores
                with _shared_executor(cores, options.cluster) as batch.executor:
                    _render_all(batch, todo)
    records = [batch.manifest.records[slug] for slug in names if slug in batch.manifest.records]
    return BatchReport(out_dir, records, skipped, time.perf_counter() - started)


@contextmanager
def _shared_executor(cores: int, cluster: str | None) -> Iterator[SceneExecutor]:
    """One executor for every variant: started once, stopped at once on any failure."""
    executor = open_executor(cores, cluster, start=True)
    try:
        yield executor
    except BaseException:
        executor.shutdown(cancel=True)
        raise
    executor.shutdown(cancel=False)


def variants_in_flight(workers: int, steps: int) -> int:
    """How many variants render at once: enough that the workers always have scenes
    queued while variants make their voices or assemble (``steps``: scenes + 1 each).

    Examples
    --------
    >>> variants_in_flight(2, 8), variants_in_flight(40, 8)
    (3, 7)
    """
    return math.ceil(workers / steps) + 2


def _render_all(batch: _Batch, todo: list[tuple[Variant, str, str]]) -> None:
    """Keep a few variants in flight until all are done, or the cluster fails."""
    assert batch.executor is not None
    in_flight = variants_in_flight(batch.executor.workers, batch.steps)
    queue = list(todo)
    with ThreadPoolExecutor(in_flight, thread_name_prefix="variant") as threads:
        running: set[Future[dict[str, Any]]] = set()
        try:
            while queue or running:
                while queue and len(running) < in_flight:
                    running.add(threads.submit(batch.render, *queue.pop(0)))
                # wake up now and then so Ctrl-C is handled promptly
                done, running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()  # a ClusterError stops the batch here
        except BaseException:
            batch.stopping.set()  # the variants still running fail now: not recorded
            batch.executor.shutdown(cancel=True)
            raise
