"""Where scene jobs run: the executor seam, and the local process pool behind it.

A scene job (:class:`explainer.render.scene_jobs.SceneJob`) is plain data and its result is the
clip's bytes, so any executor with :class:`SceneExecutor`'s shape can run it: local worker
processes (:class:`LocalScenePool`) or a cluster. :data:`EXECUTORS` names them; adding one
is a module with that shape and one row.

A worker process that dies (killed, out of memory) never hangs a render: its scene is
retried once on a fresh worker, and a second death fails the render with one line naming
the scene.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from typing import Protocol

from explainer.core.errors import RenderError
from explainer.render.scene_jobs import RenderedScene, SceneJob, prepare_worker, run_job

__all__ = [
    "EXECUTORS",
    "BorrowedExecutor",
    "LocalScenePool",
    "SceneExecutor",
    "available_cores",
    "cpu_budget",
    "open_executor",
]

ATTEMPTS = 2  # a scene whose worker dies is tried once more


class SceneExecutor(Protocol):
    """Runs scene jobs somewhere and hands back futures of their results.

    ``start`` brings workers up before the first job (a no-op where that means nothing);
    ``shutdown(cancel=True)`` stops the jobs in flight now (Ctrl-C, a failed scene),
    ``cancel=False`` lets idle workers wind down, waiting for them unless ``wait=False``
    (then a later ``shutdown`` waits).
    """

    @property
    def workers(self) -> int:
        """How many jobs run at once."""

    def start(self, workers: int) -> None:
        """Have ``workers`` workers ready (more than running now restarts them)."""

    def submit(self, job: SceneJob) -> Future[RenderedScene]:
        """Run ``job``; the future fails with the job's own error, or a RenderError."""

    def shutdown(self, *, cancel: bool, wait: bool = True) -> None:
        """No more jobs; with ``cancel``, stop the ones running now."""


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


def _ready() -> None:
    """A no-op job: submitting one per worker makes the pool start every worker now."""


class LocalScenePool:
    """Scene jobs in spawned worker processes, started before they are needed.

    A new worker is a fresh interpreter that imports Manim (about a second); starting the
    pool while the voices are made hides that behind work that has to happen anyway.
    Spawned, not forked, so no Manim state leaks between the caller and the scenes.

    Examples
    --------
    >>> with LocalScenePool(2) as pool:                                  # doctest: +SKIP
    ...     clip = pool.submit(job).result()
    """

    def __init__(self, workers: int | None = None, *, start: bool = True) -> None:
        self._workers = max(1, workers or len(available_cores()))
        self._pool: ProcessPoolExecutor | None = None
        self._retired: list[ProcessPoolExecutor] = []  # shut down, maybe not yet joined
        self._lock = threading.Lock()
        self._closed = False
        if start:
            self.start(self._workers)

    @property
    def workers(self) -> int:
        """Worker processes."""
        return self._workers

    @property
    def started(self) -> bool:
        """Whether the worker processes exist."""
        return self._pool is not None

    def start(self, workers: int) -> None:
        """Start ``workers`` processes, each importing Manim before its first job."""
        with self._lock:
            if self._pool is not None and workers <= self._workers:
                return
            if self._pool is not None:  # warm for fewer scenes than must render: restart
                _stop(self._pool)
                self._retired.append(self._pool)
            self._workers = workers
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(self._workers, mp_context=context, initializer=prepare_worker)
        for _ in range(self._workers):
            pool.submit(_ready)
        return pool

    def _current(self, broken: ProcessPoolExecutor | None = None) -> ProcessPoolExecutor:
        """The pool to submit to: started if needed, replaced if it is ``broken``."""
        with self._lock:
            if self._closed:
                raise RenderError("the scene workers were shut down")
            if self._pool is None or self._pool is broken:
                if self._pool is not None:
                    _stop(self._pool)
                    self._retired.append(self._pool)
                self._pool = self._new_pool()
            return self._pool

    def submit(self, job: SceneJob) -> Future[RenderedScene]:
        """Render ``job`` in a worker; a worker that dies is replaced and the job retried."""
        outer: Future[RenderedScene] = Future()
        outer.set_running_or_notify_cancel()
        self._launch(outer, job, 1, None)
        return outer

    def _launch(
        self,
        outer: Future[RenderedScene],
        job: SceneJob,
        attempt: int,
        broken: ProcessPoolExecutor | None,
    ) -> None:
        pool = None
        try:
            pool = self._current(broken)
            inner = pool.submit(run_job, job)
        except Exception as error:  # the pool broke or was shut down meanwhile
            # a broken pool is named, so the retry gets a new one instead of this again
            self._failed(outer, job, attempt, pool, error)
            return
        inner.add_done_callback(lambda done: self._done(outer, job, attempt, pool, done))

    def _done(
        self,
        outer: Future[RenderedScene],
        job: SceneJob,
        attempt: int,
        pool: ProcessPoolExecutor,
        inner: Future[RenderedScene],
    ) -> None:
        if outer.done():
            return
        if inner.cancelled():
            outer.set_exception(RenderError(f"scene {job.scene_id!r} was cancelled"))
        elif (error := inner.exception()) is not None:
            self._failed(outer, job, attempt, pool, error)
        else:
            outer.set_result(inner.result())

    def _failed(
        self,
        outer: Future[RenderedScene],
        job: SceneJob,
        attempt: int,
        pool: ProcessPoolExecutor | None,
        error: BaseException,
    ) -> None:
        """A job failed: a dead worker's job runs again once; anything else is its error."""
        if not isinstance(error, BrokenProcessPool):
            outer.set_exception(error)
        elif attempt < ATTEMPTS and not self._closed:
            self._launch(outer, job, attempt + 1, pool)
        else:
            outer.set_exception(
                RenderError(
                    f"scene {job.scene_id!r}: its worker process died {attempt} times "
                    "(killed, or out of memory?); render again, or with --jobs 1 to use "
                    "less memory"
                )
            )

    def shutdown(self, *, cancel: bool, wait: bool = True) -> None:
        """No more jobs; ``cancel`` stops the running ones now, else idle workers exit
        (about 0.2 s), waited for unless ``wait`` is False.
        """
        with self._lock:
            self._closed = True
            if self._pool is not None:
                self._retired.append(self._pool)
                self._pool = None
            pools = list(self._retired)
        for pool in pools:
            if cancel:
                _stop(pool)
            pool.shutdown(wait=wait)

    def __enter__(self) -> LocalScenePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        # on Ctrl-C, SIGTERM or a failed scene the renders in flight must stop now
        self.shutdown(cancel=kind is not None)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: pending jobs cancelled, running workers terminated."""
    # Python 3.11 has no public way to stop a running worker (3.14 adds
    # terminate_workers); without this a scene in flight would run to its end
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with suppress(OSError, AttributeError):
            process.terminate()


class BorrowedExecutor:
    """Another's running executor, used for one video of a batch or one render of a watch:
    its owner starts and shuts it down.

    ``start`` and ``shutdown`` do nothing here: a video that fails must not stop the
    scenes of the others (its own jobs still in flight run to their end, unread). The
    owner can ask whether any are still running (:attr:`left_running`): the watch's render
    process replaces its workers then, so the next render does not wait behind them.
    """

    def __init__(self, executor: SceneExecutor) -> None:
        self.executor = executor
        self.jobs: list[Future[RenderedScene]] = []

    @property
    def workers(self) -> int:
        """The owner's worker count."""
        return self.executor.workers

    def start(self, workers: int) -> None:
        """The owner started the workers (restarting them would stop others' scenes)."""

    def submit(self, job: SceneJob) -> Future[RenderedScene]:
        """Run ``job`` on the owner's executor (remembered: :attr:`left_running`)."""
        future = self.executor.submit(job)
        self.jobs.append(future)
        return future

    def shutdown(self, *, cancel: bool, wait: bool = True) -> None:
        """Nothing: the owner shuts the executor down."""

    @property
    def left_running(self) -> bool:
        """Whether a job submitted here is still running."""
        return any(not job.done() for job in self.jobs)


def _local(workers: int, address: str | None, *, start: bool) -> SceneExecutor:
    return LocalScenePool(workers, start=start)


def _dask(workers: int, address: str | None, *, start: bool) -> SceneExecutor:
    from explainer.distribute.dask_cluster import (
        DaskScenePool,  # imports distributed: only when asked
    )

    return DaskScenePool(str(address))


# executor name -> how to open it: (workers, cluster address, start now) -> executor
EXECUTORS: dict[str, Callable[..., SceneExecutor]] = {
    "local": _local,
    "dask": _dask,
}


def open_executor(workers: int, cluster: str | None = None, *, start: bool) -> SceneExecutor:
    """The executor for a render: local processes, or the cluster at ``cluster``."""
    return EXECUTORS["local" if cluster is None else "dask"](workers, cluster, start=start)
