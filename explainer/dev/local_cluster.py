"""A Dask cluster on this machine, started with the README's commands: for the bench and
the tests.

``dask scheduler`` and ``dask worker --nthreads 1`` as processes of their own, every one
listening on 127.0.0.1 only (a worker listens too: the scheduler and other workers call
it, and it runs what they send). Workers run without a nanny, so each ``Popen`` is the
process that renders (the tests SIGKILL it: a dead machine). Measured on the bench's batch,
this cluster beat ``distributed.LocalCluster`` (an in-process scheduler and nannies) by a
tenth: 50 s against 56-58 s. ``--idle-timeout`` lets a scheduler whose owner was killed
exit by itself, and its workers ``--death-timeout`` later. With :class:`TlsFiles` every
process speaks ``tls://`` and checks the others' certificates, as across machines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainer.distribute.address import TLS_VARIABLES
from scenes.scripts import PROJECT_ROOT

__all__ = ["LocalCluster", "TlsFiles", "local_cluster", "start_cluster", "wait_for_workers"]

HOST = "127.0.0.1"  # every process of the cluster listens here only
# without a dashboard a scheduler or worker still serves /health and /metrics over HTTP,
# by default on every interface (the scheduler's on 8787)
_NO_DASHBOARD = ("--no-dashboard", "--dashboard-address", f"{HOST}:0")


def _env(root: Path, path: Sequence[Path] = ()) -> dict[str, str]:
    env = dict(os.environ)
    # the processes import this checkout's packages (or ``root``'s), as the client does
    entries = [*map(str, path), str(root), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, entries))
    # ``python -m`` would put the working folder first, ahead of ``path``: its build
    # metadata (an editable install's egg-info) would hide another install's version
    env["PYTHONSAFEPATH"] = "1"
    return env


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for a TLS cluster: the CA every end trusts, a certificate it signed, its key.

    One certificate serves every role here (scheduler, workers, client); across machines
    each has its own, signed by the same CA.

    Examples
    --------
    >>> TlsFiles(Path("ca.pem"), Path("c.pem"), Path("k.pem")).dask_args()[:2]
    ['--tls-ca-file', 'ca.pem']
    """

    ca: Path
    cert: Path
    key: Path

    def dask_args(self) -> list[str]:
        """The options of ``dask scheduler`` and ``dask worker`` that name the files."""
        return ["--tls-ca-file", str(self.ca), "--tls-cert", str(self.cert),
                "--tls-key", str(self.key)]  # fmt: skip

    def environment(self) -> dict[str, str]:
        """Dask's configuration variables that give a client (``explainer``) the files."""
        files = (self.ca, self.cert, self.key)
        return {name: str(file) for name, file in zip(TLS_VARIABLES.values(), files, strict=True)}

    def security(self) -> Any:
        """The same files as a client's ``distributed.security.Security``."""
        from distributed.security import Security

        return Security(  # type: ignore[no-untyped-call]
            tls_ca_file=str(self.ca),
            tls_client_cert=str(self.cert),
            tls_client_key=str(self.key),
            require_encryption=True,
        )


@dataclass
class LocalCluster:
    """A scheduler and its workers; ``address`` once the scheduler listens."""

    tmp: Path
    tls: TlsFiles | None = None
    scheduler: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    address: str = ""

    def _security_args(self) -> list[str]:
        return ["--protocol", "tls", *self.tls.dask_args()] if self.tls else []

    def start_scheduler(self, timeout: float = 30.0) -> str:
        """Start the scheduler on a free port; return its address."""
        sfile = self.tmp / "scheduler.json"
        self.scheduler = self._spawn(
            ["scheduler", "--host", HOST, "--port", "0", *_NO_DASHBOARD,
             "--scheduler-file", str(sfile), "--idle-timeout", "120s", *self._security_args()],
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

    def start_worker(
        self, name: str, *, root: Path = PROJECT_ROOT, path: Sequence[Path] = ()
    ) -> subprocess.Popen[bytes]:
        """One single-threaded worker process called ``name``, running the project at
        ``root`` (another copy of it: another machine's code) with ``path`` first on its
        import path.
        """
        proc = self._spawn(
            ["worker", self.address, "--name", name, "--nworkers", "1", "--nthreads", "1",
             "--no-nanny", *_NO_DASHBOARD, "--memory-limit", "0", "--death-timeout", "10",
             "--host", HOST, "--local-directory", str(self.tmp / name),
             *self._security_args()],
            name, root, path,
        )  # fmt: skip
        self.workers[name] = proc
        return proc

    def _spawn(
        self, args: list[str], log: str, root: Path = PROJECT_ROOT, path: Sequence[Path] = ()
    ) -> subprocess.Popen[bytes]:
        """``dask ARGS`` in its own session, its stderr in ``tmp/LOG.log``."""
        with (self.tmp / f"{log}.log").open("wb") as stderr:  # the child keeps its own copy
            return subprocess.Popen(
                [sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL, stderr=stderr,
                env=_env(root, path), cwd=root, start_new_session=True,
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


def start_cluster(tmp: Path, workers: int = 2, tls: TlsFiles | None = None) -> LocalCluster:
    """A scheduler and ``workers`` workers called w0, w1, ... (not waited for)."""
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = LocalCluster(tmp, tls)
    cluster.start_scheduler()
    for index in range(workers):
        cluster.start_worker(f"w{index}")
    return cluster


def wait_for_workers(
    address: str, count: int, timeout: float = 60.0, tls: TlsFiles | None = None
) -> None:
    """Block until ``count`` workers are connected to the scheduler at ``address``."""
    from distributed import Client

    security = tls.security() if tls else None
    with Client(address, timeout=10, set_as_default=False, security=security) as client:  # type: ignore[no-untyped-call]
        client.wait_for_workers(count, timeout=timeout)


@contextmanager
def local_cluster(
    tmp: Path, workers: int = 2, tls: TlsFiles | None = None
) -> Iterator[LocalCluster]:
    """A scheduler and ``workers`` connected workers, stopped on the way out.

    Examples
    --------
    >>> with local_cluster(Path("/tmp/dask"), 2) as cluster:         # doctest: +SKIP
    ...     run_batch(variants, script, out, BatchOptions(cluster=cluster.address))
    """
    cluster = start_cluster(tmp, workers, tls)
    try:
        if workers:
            wait_for_workers(cluster.address, workers, tls=tls)
        yield cluster
    finally:
        cluster.stop()
