"""The cluster is safe by default: loopback only, a warning for plain tcp:// to another
machine, and tls:// with certificates of the cluster's own CA (a real scheduler and worker
on 127.0.0.1, certificates made by the test).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dask
import distributed  # noqa: F401 - its configuration's defaults, before any dask.config.set
import psutil
import pytest
from helpers import one_error_line
from tls_certs import make_tls_files
from typer.testing import CliRunner

from explainer.cli.app import app
from explainer.core.errors import ClusterError
from explainer.core.media import probe_video_frames
from explainer.dev.local_cluster import LocalCluster, TlsFiles, local_cluster
from explainer.distribute import dask_cluster
from explainer.distribute.address import TLS_VARIABLES, exposure_warning, parse_address

ROOT = Path(__file__).parents[1]
TINY = Path(__file__).parent / "data" / "tiny.toml"  # two short chapters, espeak
needs_render_tools = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
    reason="needs ffmpeg and espeak-ng",
)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_cluster(tmp_path: Path, tls: TlsFiles) -> Iterator[LocalCluster]:
    with local_cluster(tmp_path / "dask", workers=1, tls=tls) as started:
        yield started


def _listening(cluster: LocalCluster) -> list[str]:
    """Every address a process of the cluster listens on."""
    assert cluster.scheduler is not None
    pids = [cluster.scheduler.pid, *(w.pid for w in cluster.workers.values())]
    return [
        f"{c.laddr.ip}:{c.laddr.port}"
        for pid in pids
        for c in psutil.Process(pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]


def test_the_local_cluster_listens_on_loopback_only(tmp_path: Path) -> None:
    with local_cluster(tmp_path / "dask", workers=1) as cluster:
        listening = _listening(cluster)
    # the scheduler's port and HTTP server, the worker's port and HTTP server
    assert len(listening) == 4, listening
    assert all(address.startswith("127.0.0.1:") for address in listening), listening


def test_the_readme_starts_the_cluster_on_loopback() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines()
                if line.strip().startswith(("dask scheduler", "dask worker"))]  # fmt: skip
    assert commands
    for command in commands:
        # every process binds where it is told; tls:// across machines names its host
        tls = "--protocol tls" in command or "tls://" in command
        assert "--host 127.0.0.1" in command or tls, command
        assert "--dashboard-address 127.0.0.1:" in command, command


@pytest.mark.parametrize(
    ("address", "warned"),
    [("tcp://127.0.0.1:8786", False), ("localhost:8786", False), ("tcp://[::1]:8786", False),
     ("tcp://10.0.0.5:8786", True), ("render-box:8786", True), ("tls://10.0.0.5:8786", False),
     ("http://10.0.0.5:8786", False)],
)  # fmt: skip
def test_plain_tcp_to_another_machine_is_warned_about(address: str, warned: bool) -> None:
    assert (exposure_warning(address) is not None) == warned


def test_the_warning_is_one_line_before_anything_connects(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No packet goes to 10.0.0.5: the connection is a stand-in that refuses."""
    tried: list[str] = []

    def refuse(address: str, timeout: float) -> None:
        tried.append(address)
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: stand-in")

    monkeypatch.setattr(dask_cluster, "_connect", refuse)
    course = tmp_path / "course.txt"
    course.write_text("The cat sat on the mat\n", encoding="utf-8")
    result = runner.invoke(
        app, ["batch", str(course), str(TINY), "--out", str(tmp_path / "out"), "--quality",
              "low", "--cache", str(tmp_path / "cache"), "--cluster", "tcp://10.0.0.5:8786"],
    )  # fmt: skip
    assert tried == ["tcp://10.0.0.5:8786"]
    assert result.exit_code == 1
    warning, error = [line for line in result.stderr.splitlines() if line.strip()]
    assert warning.startswith("warning: tcp://10.0.0.5:8786 is another machine over plain tcp://")
    assert "use tls://" in warning
    assert error == "error: cannot reach the Dask scheduler at tcp://10.0.0.5:8786: stand-in"


def test_a_tls_address_without_certificates_is_one_line(tmp_path: Path, runner: CliRunner) -> None:
    unset = {"distributed.comm.tls.ca-file": None, "distributed.comm.tls.client.cert": None}
    with dask.config.set(unset):
        result = runner.invoke(
            app, ["render", str(TINY), "--quality", "low", "--out", str(tmp_path / "out"),
                  "--cache", str(tmp_path / "cache"), "--cluster", "tls://127.0.0.1:1"],
        )  # fmt: skip
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "no TLS certificates are configured" in line
    assert all(name in line for name in TLS_VARIABLES.values())
    assert not (tmp_path / "out" / "tiny.mp4").exists()


def test_plain_tcp_where_dask_requires_encryption_is_one_line(
    tmp_path: Path, runner: CliRunner
) -> None:
    with dask.config.set({"distributed.comm.require-encryption": True}):
        result = runner.invoke(
            app, ["render", str(TINY), "--quality", "low", "--out", str(tmp_path / "out"),
                  "--cache", str(tmp_path / "cache"), "--cluster", "tcp://127.0.0.1:1"],
        )  # fmt: skip
    assert result.exit_code == 1
    assert one_error_line(result) == (
        "error: --cluster tcp://127.0.0.1:1: Dask's configuration requires encryption "
        "(DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION); give the scheduler's "
        "tls://127.0.0.1:1 address"
    )


def test_a_missing_certificate_file_is_named(tmp_path: Path, tls: TlsFiles) -> None:
    missing = tmp_path / "nowhere.pem"
    settings = {"distributed.comm.tls.ca-file": str(tls.ca),
                "distributed.comm.tls.client.cert": str(missing)}  # fmt: skip
    with dask.config.set(settings), pytest.raises(ClusterError) as error:
        dask_cluster.DaskScenePool("tls://127.0.0.1:1")
    assert str(error.value).startswith(f"TLS file {missing} (DASK_DISTRIBUTED__COMM__TLS__")


@needs_render_tools
@pytest.mark.render
def test_a_render_goes_through_a_tls_cluster_with_dask_s_environment_variables(
    tls_cluster: LocalCluster, tls: TlsFiles, tmp_path: Path
) -> None:
    """The documented way: the explainer command in its own process, the certificate files
    in Dask's configuration variables, the scheduler and worker started with TLS."""
    assert tls_cluster.address.startswith("tls://127.0.0.1:")
    assert all(address.startswith("127.0.0.1:") for address in _listening(tls_cluster))
    out = tmp_path / "out"
    env = {**os.environ, **tls.environment(), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "explainer", "render", str(TINY), "--quality", "low",
         "--scene", "tokens", "--out", str(out), "--cache", str(tmp_path / "cache"),
         "--cluster", tls_cluster.address, "--quiet"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no warning: TLS on this machine
    timeline = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    assert probe_video_frames(out / "tiny.mp4") == timeline["frames"]
    worker_log = (tls_cluster.tmp / "w0.log").read_text(encoding="utf-8")
    assert "tls://127.0.0.1:" in worker_log  # the worker itself speaks TLS


@needs_render_tools
def test_a_tls_cluster_refuses_plain_tcp_and_another_ca_s_certificate(
    tls_cluster: LocalCluster, tmp_path: Path, runner: CliRunner
) -> None:
    host_port = tls_cluster.address.removeprefix("tls://")
    rogue = make_tls_files(tmp_path / "rogue", authority="someone else's CA")
    settings = {"distributed.comm.tls.ca-file": str(rogue.ca),
                "distributed.comm.tls.client.cert": str(rogue.cert),
                "distributed.comm.tls.client.key": str(rogue.key)}  # fmt: skip
    for address, config in ((f"tcp://{host_port}", {}), (tls_cluster.address, settings)):
        with dask.config.set(config):
            result = runner.invoke(
                app, ["render", str(TINY), "--quality", "low", "--out", str(tmp_path / "out"),
                      "--cache", str(tmp_path / "cache"), "--cluster", address],
            )  # fmt: skip
        assert result.exit_code == 1, address
        line = one_error_line(result)
        assert line.startswith(f"error: cannot connect to the Dask scheduler at {address}: ")
        if address.startswith("tcp://"):
            assert line.endswith("; a scheduler started with TLS takes tls://")
        else:
            assert "TLS certificate does not match" in line
    assert parse_address(tls_cluster.address).loopback
