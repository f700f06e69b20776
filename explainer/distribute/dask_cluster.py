"""Scene jobs on a Dask distributed cluster (``--cluster tcp://HOST:PORT`` or ``tls://``).

The executor seam's cluster row: :class:`DaskScenePool` sends each
:class:`~explainer.render.scene_jobs.SceneJob` to the scheduler with ``client.submit`` and hands
back a plain ``concurrent.futures.Future``, so the render's loop is the one it uses for
local processes. The job returns the clip's bytes, which the client stores in its own
cache: no shared filesystem. Workers need only the project installed; each runs one scene
at a time (Manim's config is process-global: start them with ``--nthreads 1``). A
``tls://`` address connects with the certificates of Dask's configuration
(:mod:`explainer.distribute.address`).

Faults, measured with distributed 2026.8 on 127.0.0.1:

- a worker that dies: the scheduler reruns its jobs on another worker (a job whose
  workers die four times fails in one line);
- a scheduler that refuses the connection: one line at once (the port is tried first;
  ``Client`` alone retries for its whole timeout);
- a scheduler lost mid-render: Dask cancels every pending job within ~10 ms; one line;
- a scheduler that hangs (a frozen machine still ACKs TCP): nothing in Dask notices, so a
  watchdog asks the scheduler who it is every second and fails the jobs after 5 s of
  silence; jobs pending with no worker connected fail after a minute.

``distributed`` (0.5 s to import) is imported only when a cluster is used.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import itertools
import logging
import os
import socket
import threading
import time
import warnings
from concurrent.futures import Future, InvalidStateError
from contextlib import suppress
from typing import Any

from explainer.core.errors import ClusterError, RenderError, one_line
from explainer.core.quality import Quality
from explainer.distribute.address import parse_address, tls_security
from explainer.plan.keys import clip_key
from explainer.render.scene_jobs import RenderedScene, SceneJob, run_job
from scenes.plan import ScenePlan

__all__ = ["DaskScenePool", "quiet_dask_logging", "run_cluster_job"]

DISTRIBUTION = "attention-explainer"  # what every worker must have, at our version


def quiet_dask_logging(level: int = logging.CRITICAL + 1) -> None:
    """Mute what distributed prints in this process; the CLI says one line itself.

    distributed gives its loggers their own stderr handlers (``propagate=False``) and
    child levels, so a parent level does not reach them: filter at the handlers. Without
    this a lost scheduler prints 'Failed to reconnect...' and several tracebacks.
    """
    import distributed  # noqa: F401 - sets up its logging on import

    for name in ("distributed", "tornado", "bokeh"):
        for handler in logging.getLogger(name).handlers:
            handler.setLevel(level)


# Manim's config and the typeset cache folder are process globals: two scenes in two
# threads of one worker corrupt each other (measured: missing glyph files, 503 frames
# for 191), so a worker started with more threads still renders one scene at a time
_ONE_SCENE_AT_A_TIME = threading.Lock()


def run_cluster_job(job: SceneJob) -> RenderedScene:
    """``run_job`` on a Dask worker: only with this machine's code, in the worker's folder.

    The key is recomputed from the worker's code, Manim and lexicon: a worker with another
    install would otherwise put a clip of other code under the client's key. The worker
    renders in its own scratch space; it shares the client's folder of typeset texts when
    it can write there (the same machine, or a shared filesystem: each text is then
    typeset once for all workers and kept for later renders), else keeps its own.
    """
    plan = ScenePlan.from_dict(job.plan)
    if clip_key(plan, Quality(job.quality)) != job.key:
        raise RenderError(
            f"scene {job.scene_id!r}: the Dask worker on {socket.gethostname()} has other "
            f"{DISTRIBUTION} code, Manim or WordNet than this machine; install the same there"
        )
    from distributed import get_worker

    local = get_worker().local_directory
    typeset = job.typeset_dir
    if typeset is None or not os.access(typeset, os.W_OK):  # another machine's folder
        typeset = f"{local}/typeset"
    with _ONE_SCENE_AT_A_TIME:
        return run_job(dataclasses.replace(job, typeset_dir=typeset, scratch_dir=local))


class DaskScenePool:
    """Scene jobs on the Dask scheduler at ``address`` (the ``EXECUTORS`` row ``dask``).

    Parameters
    ----------
    address
        ``tcp://HOST:PORT`` or ``tls://HOST:PORT`` of a running ``dask scheduler``.
    connect_timeout
        Seconds to reach the scheduler and shake hands.
    probe_every, probe_timeout
        The watchdog asks the scheduler who it is every ``probe_every`` s while jobs are
        pending; no answer within ``probe_timeout`` s fails them.
    no_workers_timeout
        Jobs pending and no worker connected for this long fail them (Dask would wait).

    Examples
    --------
    >>> pool = DaskScenePool("tcp://127.0.0.1:8786")                    # doctest: +SKIP
    >>> clip = pool.submit(job).result(); pool.shutdown(cancel=False)  # doctest: +SKIP
    """

    def __init__(
        self,
        address: str,
        *,
        connect_timeout: float = 10.0,
        probe_every: float = 1.0,
        probe_timeout: float = 5.0,
        no_workers_timeout: float = 60.0,
    ) -> None:
        self.address = address
        self.client = _connect(address, connect_timeout)
        self.probe_every, self.probe_timeout = probe_every, probe_timeout
        self.no_workers_timeout = no_workers_timeout
        self._lock = threading.Lock()
        self._pending: dict[Future[RenderedScene], Any] = {}  # ours -> distributed.Future
        self._order = itertools.count()
        self._failure: ClusterError | None = None
        self._closed = False
        self._stop = threading.Event()
        try:
            _check_workers(self.client)
            _stop_stack_sampling(self.client)
        except BaseException:
            self.client.close(timeout=2)
            raise
        self._watchdog = threading.Thread(target=self._watch, name="dask-watchdog", daemon=True)
        self._watchdog.start()

    @property
    def workers(self) -> int:
        """Jobs the cluster runs at once now: its workers' threads (at least 1)."""
        try:
            info = self.client.scheduler_info(n_workers=0)
        except Exception:  # noqa: BLE001 - the watchdog reports a lost scheduler
            return 1
        return max(1, int(info.get("total_threads", 0)))

    def start(self, workers: int) -> None:
        """Nothing to start: the workers are the cluster's own processes."""

    def submit(self, job: SceneJob) -> Future[RenderedScene]:
        """Send ``job`` to the cluster; its future fails with the job's own error, a
        RenderError, or a ClusterError when the cluster fails.

        The task key is Dask's pure key (a hash of the job): a rerun after a worker death,
        or another client asking for the same clip meanwhile, shares one computation.
        Jobs start in submission order (priority), also when rerun.
        """
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._closed:
                raise RenderError("the cluster connection was shut down")
            ours: Future[RenderedScene] = Future()
            ours.set_running_or_notify_cancel()
            theirs = self.client.submit(
                run_cluster_job, job, pure=True, priority=-next(self._order)
            )
            self._pending[ours] = theirs
        # runs on Dask's callback thread once the task is finished, erred or cancelled
        theirs.add_done_callback(lambda done: self._settle(ours, done, job))
        return ours

    def shutdown(self, *, cancel: bool, wait: bool = True) -> None:
        """No more jobs; ``cancel`` forgets the pending ones (a scene already running on a
        worker runs to its end there: Dask cannot stop a task's thread).
        """
        with self._lock:
            self._closed = True
            pending = dict(self._pending)
        if cancel or self._failure is not None:
            self._cancel(pending)
        elif wait:
            for future in pending:
                future.exception()  # waits; the watchdog fails it if the cluster goes
        self._stop.set()
        with suppress(Exception):  # the scheduler may be gone: nothing to tell it
            self.client.close(timeout=2)

    def _cancel(self, pending: dict[Future[RenderedScene], Any]) -> None:
        with suppress(Exception):  # a lost scheduler has nothing to cancel
            self.client.cancel(list(pending.values()))
        for ours, theirs in pending.items():
            self._set(ours, error=self._failure or RenderError(f"{theirs.key} was cancelled"))

    def _settle(self, ours: Future[RenderedScene], theirs: Any, job: SceneJob) -> None:
        from distributed import KilledWorker

        if ours.done():  # failed by the watchdog, or cancelled
            return
        if theirs.status == "finished":
            try:
                # no timeout: a result whose worker died meanwhile is recomputed and this
                # waits for it; a lost scheduler cancels it, and the watchdog sees a hang
                self._set(ours, result=theirs.result())
            except Exception:  # noqa: BLE001 - cancelled by a lost connection
                self._fail(f"lost the Dask scheduler at {self.address}")
        elif theirs.status == "error":
            error = theirs.exception()
            if isinstance(error, KilledWorker):
                error = ClusterError(
                    f"scene {job.scene_id!r}: Dask workers at {self.address} died "
                    f"{error.allowed_failures + 1} times running it; see their logs"
                )
            self._set(ours, error=error)
        else:  # cancelled: the connection to the scheduler was lost
            self._fail(f"lost the Dask scheduler at {self.address}")

    def _set(
        self,
        ours: Future[RenderedScene],
        *,
        result: RenderedScene | None = None,
        error: BaseException | None = None,
    ) -> None:
        with self._lock:
            self._pending.pop(ours, None)  # dropping Dask's future frees the worker's copy
        try:
            if error is None:
                ours.set_result(result)  # type: ignore[arg-type]
            else:
                ours.set_exception(error)
        except InvalidStateError:  # raced with the watchdog
            pass

    def _fail(self, message: str) -> None:
        """Every pending job fails with one ClusterError (the first failure's)."""
        with self._lock:
            if self._failure is None:
                self._failure = ClusterError(message)
            pending = list(self._pending)
        for ours in pending:
            self._set(ours, error=self._failure)

    def _watch(self) -> None:
        workerless_since: float | None = None
        while not self._stop.wait(self.probe_every):
            with self._lock:
                busy = bool(self._pending)
            if not busy:
                workerless_since = None
                continue
            problem, workers = self._probe()
            if problem is None and workers == 0:
                workerless_since = workerless_since or time.monotonic()
                if time.monotonic() - workerless_since > self.no_workers_timeout:
                    problem = (
                        f"no Dask worker connected to {self.address} for "
                        f"{self.no_workers_timeout:g} s; start workers (see README)"
                    )
            elif workers:
                workerless_since = None
            if problem is not None:
                self._fail(problem)
                return

    def _probe(self) -> tuple[str | None, int]:
        """Ask the scheduler who it is: (what is wrong or None, how many workers)."""
        if self.client.status not in ("running", "connecting"):
            return f"lost the Dask scheduler at {self.address}", 0
        try:
            info = self.client.sync(
                self.client.scheduler.identity, n_workers=0, callback_timeout=self.probe_timeout
            )
        except Exception:  # noqa: BLE001 - TimeoutError, OSError, CommClosedError, ...
            return (
                f"the Dask scheduler at {self.address} stopped answering "
                f"(no reply in {self.probe_timeout:g} s)"
            ), 0
        return None, int(info.get("n_workers", 0))


def _connect(address: str, timeout: float) -> Any:
    """A distributed ``Client`` of the scheduler at ``address``, or a ClusterError."""
    parsed = parse_address(address)
    security = tls_security(parsed)  # tls://: the certificates, checked before connecting
    try:  # a refused or unresolvable address fails now, not after Client's retries
        socket.create_connection((parsed.host, parsed.port), timeout=timeout).close()
    except OSError as error:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {error.strerror or error}; "
            "is `dask scheduler` running there?"
        ) from None
    from distributed import Client
    from distributed.versions import VersionMismatchWarning

    quiet_dask_logging()
    try:
        with warnings.catch_warnings():
            # python/cloudpickle/msgpack versions that differ: jobs are plain data
            warnings.simplefilter("ignore", VersionMismatchWarning)
            return Client(  # type: ignore[no-untyped-call]
                parsed.url, timeout=timeout, set_as_default=False, security=security
            )
    except (OSError, TimeoutError) as error:  # not a Dask scheduler, a hung one, TLS refused
        hint = "; a scheduler started with TLS takes tls://" if parsed.scheme == "tcp" else ""
        raise ClusterError(
            f"cannot connect to the Dask scheduler at {address}: {one_line(error)}{hint}"
        ) from None


def _stop_stack_sampling(client: Any) -> None:
    """Every worker, now and later, stops Dask's profiler: a fifth of its CPU on our scenes
    (see :mod:`explainer.distribute.worker_setup`).
    """
    from explainer.distribute.worker_setup import NoStackSampling

    client.register_plugin(NoStackSampling())


def _check_workers(client: Any) -> None:
    """Every connected worker has this project at this machine's version.

    A worker without it would die on its first job (it cannot unpickle the function);
    ``importlib.metadata.version`` unpickles anywhere and reports the missing ones.
    """
    ours = importlib.metadata.version(DISTRIBUTION)
    theirs = client.run(importlib.metadata.version, DISTRIBUTION, on_error="return")
    for worker, found in sorted(theirs.items()):
        if isinstance(found, BaseException):
            raise ClusterError(
                f"the Dask worker at {worker} has no {DISTRIBUTION} installed; "
                "install the project there and restart the worker"
            )
        if found != ours:
            raise ClusterError(
                f"the Dask worker at {worker} has {DISTRIBUTION} {found}, this machine "
                f"{ours}; install the same version there"
            )
