"""`--cluster`: a real `dask scheduler` and two `dask worker`s on 127.0.0.1.

A worker SIGKILLed during a batch has its scenes rerun on the other and the batch
completes whole; a scheduler killed during a batch, or one that is not there, is one error
line and a non-zero exit, and the variants that finished are kept.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import one_error_line
from typer.testing import CliRunner

from explainer.cli import app
from explainer.local_cluster import LocalCluster, local_cluster
from explainer.media import probe_video_frames

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(
        shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
        reason="needs ffmpeg and espeak-ng",
    ),
]

TINY = Path(__file__).parent / "data" / "tiny.toml"  # two short chapters, espeak


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """A scheduler and two single-threaded workers, stopped after the test."""
    with local_cluster(tmp_path / "dask", workers=2) as started:
        yield started


def _wait_for(predicate: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def _running_on(address: str) -> dict[str, str]:
    """Worker address -> its name, for the workers running a task right now."""
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        busy = client.run(lambda dask_worker: bool(dask_worker.state.executing))
        names = {a: w["name"] for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
    return {a: names[a] for a, running in busy.items() if running}


def _sampling_stacks(address: str) -> list[bool]:
    """Per connected worker: is Dask's statistical profiler sampling its stack?"""
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        sampling = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    return list(sampling.values())


def _batch(runner: CliRunner, lines: list[str], out: Path, cache: Path, cluster: str) -> Any:
    course = out.parent / "course.txt"
    course.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["batch", str(course), str(TINY), "--out", str(out), "--quality", "low",
            "--cache", str(cache), "--cluster", cluster, "--quiet"]  # fmt: skip
    return runner.invoke(app, args)


def _records(out: Path) -> dict[str, dict[str, Any]]:
    listed = json.loads((out / "batch.json").read_text(encoding="utf-8"))["variants"]
    return {r["sentence"]: r for r in listed}


def test_a_worker_killed_during_a_batch_has_its_scenes_rerun(
    cluster: LocalCluster, tmp_path: Path, runner: CliRunner
) -> None:
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        name = next(iter(_wait_for(lambda: _running_on(cluster.address)).values()))
        os.kill(cluster.workers[name].pid, signal.SIGKILL)  # no nanny: the worker itself
        killed.append(cluster.workers[name].pid)

    assert _sampling_stacks(cluster.address) == [True, True]  # Dask's default
    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    sentences = ["The cat sat on the mat", "A dog chased the ball"]
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = _batch(runner, sentences, out, cache, cluster.address)
    killer.join(5)

    assert killed, "no worker was busy to kill"
    dead = next(p for p in cluster.workers.values() if p.pid == killed[0])
    assert dead.wait(5) == -signal.SIGKILL
    assert result.exit_code == 0, result.output
    records = _records(out)
    assert [records[s]["status"] for s in sentences] == ["ok", "ok"]
    for sentence in sentences:  # every video whole: its frames are its timeline's
        folder = out / records[sentence]["slug"]
        timeline = json.loads((folder / "timeline.json").read_text(encoding="utf-8"))
        assert probe_video_frames(out / records[sentence]["video"]) == timeline["frames"]
    leftovers = [p for p in cache.rglob("*") if p.name.startswith((".", "tmp"))]
    assert leftovers == []  # no temporaries: clips came back whole, or not at all
    assert _sampling_stacks(cluster.address) == [False]  # the survivor, told by the client


def test_losing_the_scheduler_mid_batch_is_one_line_and_keeps_finished_videos(
    cluster: LocalCluster, tmp_path: Path, runner: CliRunner
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"

    def kill_scheduler_after_the_first_video() -> None:
        def one_done() -> bool:
            try:
                return any(r["status"] == "ok" for r in _records(out).values())
            except (OSError, ValueError):
                return False

        _wait_for(one_done)
        assert cluster.scheduler is not None
        os.kill(cluster.scheduler.pid, signal.SIGKILL)

    threading.Thread(target=kill_scheduler_after_the_first_video, daemon=True).start()
    sentences = ["The cat sat on the mat", "A dog chased the ball", "The bird sang a song",
                 "My friend read the old book", "The sun warmed the cold stone"]  # fmt: skip
    result = _batch(runner, sentences, out, cache, cluster.address)

    assert result.exit_code == 1
    assert "lost the Dask scheduler" in one_error_line(result)
    finished = [r for r in _records(out).values() if r["status"] == "ok"]
    assert finished, "the video finished before the loss was not kept"
    assert len(finished) < len(sentences)
    for record in finished:
        assert (out / record["video"]).is_file()
    assert not list(out.glob("*/.partial-*"))  # the interrupted ones left nothing half-written


@pytest.mark.parametrize("command", ["render", "batch"])
def test_an_unreachable_scheduler_is_one_line_at_once(
    command: str, tmp_path: Path, runner: CliRunner
) -> None:
    course = tmp_path / "course.txt"
    course.write_text("The cat sat on the mat\n", encoding="utf-8")
    first = [str(TINY)] if command == "render" else [str(course), str(TINY)]
    started = time.monotonic()
    result = runner.invoke(
        app, [command, *first, "--quality", "low", "--out", str(tmp_path / "out"),
              "--cache", str(tmp_path / "cache"), "--cluster", "tcp://127.0.0.1:1"],
    )  # fmt: skip
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in line
    assert time.monotonic() - started < 15  # the voices may be made first; no 30 s retries
