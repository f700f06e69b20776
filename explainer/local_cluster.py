"""A Dask cluster on this machine, started with the README's commands: for the bench and
the tests.

``dask scheduler`` and ``dask worker --nthreads 1`` as processes of their own on 127.0.0.1.
Workers run without a nanny, so each ``Popen`` is the process that renders (the tests
SIGKILL it: a dead machine). Measured on the bench's batch, this cluster beat
``distributed.LocalCluster`` (an in-process scheduler and nannies) by a tenth: 50 s
against 56-58 s. ``--idle-timeout`` lets a scheduler whose owner was killed exit by
itself, and its workers ``--death-timeout`` later.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scenes.scripts import PROJECT_ROOT

__all__ = ["LocalCluster", "local_cluster", "start_cluster", "wait_for_workers"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # the workers import this checkout's packages, as the client does
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


@dataclass
class LocalCluster:
    """A scheduler and its workers; ``address`` once the scheduler listens."""

    tmp: Path
    scheduler: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    address: str = ""

    def start_scheduler(self, timeout: float = 30.0) -> str:
        """Start the scheduler on a free port; return its address."""
        sfile = self.tmp / "scheduler.json"
        self.scheduler = self._spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(sfile), "--idle-timeout", "120s"],
            "scheduler",
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.scheduler.poll() is not None:
                raise RuntimeError((self.tmp / "scheduler.log").read_text()[-2000:])
            try:  # written once the scheduler listens; may be half-written before
                self.address = json.loads(sfile.read_text())["address"]
                return self.address
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        raise TimeoutError("the dask scheduler wrote no scheduler file")

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        """One single-threaded worker process called ``name``."""
        proc = self._spawn(
            ["worker", self.address, "--name", name, "--nworkers", "1", "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--memory-limit", "0", "--death-timeout", "10",
             "--local-directory", str(self.tmp / name)],
            name,
        )  # fmt: skip
        self.workers[name] = proc
        return proc

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen[bytes]:
        """``dask ARGS`` in its own session, its stderr in ``tmp/LOG.log``."""
        with (self.tmp / f"{log}.log").open("wb") as stderr:  # the child keeps its own copy
            return subprocess.Popen(
                [sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL, stderr=stderr,
                env=_env(), cwd=PROJECT_ROOT, start_new_session=True,
            )  # fmt: skip

    def stop(self, grace: float = 3.0) -> None:
        """Workers first, then the scheduler (both at once makes workers log tracebacks);
        SIGTERM, then SIGKILL after ``grace`` seconds (a worker mid-task ignores SIGTERM).
        """
        _terminate(list(self.workers.values()), grace)
        _terminate([self.scheduler] if self.scheduler else [], grace)


def _terminate(procs: list[subprocess.Popen[bytes]], grace: float) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start_cluster(tmp: Path, workers: int = 2) -> LocalCluster:
    """A scheduler and ``workers`` workers called w0, w1, ... (not waited for)."""
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = LocalCluster(tmp)
    cluster.start_scheduler()
    for index in range(workers):
        cluster.start_worker(f"w{index}")
    return cluster


def wait_for_workers(address: str, count: int, timeout: float = 60.0) -> None:
    """Block until ``count`` workers are connected to the scheduler at ``address``."""
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        client.wait_for_workers(count, timeout=timeout)


@contextmanager
def local_cluster(tmp: Path, workers: int = 2) -> Iterator[LocalCluster]:
    """A scheduler and ``workers`` connected workers, stopped on the way out.

    Examples
    --------
    >>> with local_cluster(Path("/tmp/dask"), 2) as cluster:         # doctest: +SKIP
    ...     run_batch(variants, script, out, BatchOptions(cluster=cluster.address))
    """
    cluster = start_cluster(tmp, workers)
    try:
        wait_for_workers(cluster.address, workers)
        yield cluster
    finally:
        cluster.stop()
