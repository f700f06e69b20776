"""`--cluster`: a real `dask scheduler` and two `dask worker`s on 127.0.0.1.

A worker SIGKILLed during a batch has its scenes rerun on the other and the batch
completes whole; a scheduler killed during a batch, or one that is not there, is one error
line and a non-zero exit, and the variants that finished are kept.
"""

from __future__ import annotations

import importlib.metadata
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

from explainer.cli.app import app
from explainer.core.media import probe_video_frames
from explainer.dev.local_cluster import LocalCluster, local_cluster, wait_for_workers

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


def test_a_scheduler_that_stops_answering_is_one_line_within_the_watchdog_s_timeout(
    cluster: LocalCluster, tmp_path: Path, runner: CliRunner
) -> None:
    """SIGSTOP freezes the scheduler mid-render: its socket stays open and the kernel still
    ACKs, as on a frozen machine, so only the watchdog's 5 s probe can tell."""
    assert cluster.scheduler is not None
    scheduler = cluster.scheduler.pid
    stopped: list[float] = []

    def freeze_the_scheduler_while_a_scene_renders() -> None:
        _wait_for(lambda: _running_on(cluster.address))
        os.kill(scheduler, signal.SIGSTOP)
        stopped.append(time.monotonic())

    freezer = threading.Thread(target=freeze_the_scheduler_while_a_scene_renders, daemon=True)
    freezer.start()
    out, cache = tmp_path / "out", tmp_path / "cache"
    try:
        result = runner.invoke(
            app, ["render", str(TINY), "--quality", "low", "--out", str(out), "--cache",
                  str(cache), "--cluster", cluster.address, "--quiet"],
        )  # fmt: skip
        ended = time.monotonic()
    finally:
        freezer.join(5)
        os.kill(scheduler, signal.SIGCONT)  # for the fixture's orderly stop

    assert stopped, "no scene was running to freeze the scheduler under"
    assert result.exit_code == 1, result.output
    assert "the Dask scheduler at " in one_error_line(result)
    assert "stopped answering (no reply in 5 s)" in one_error_line(result)
    waited = ended - stopped[0]
    assert waited < 12, f"{waited:.1f} s from the freeze to the error"  # 5 s probe + closing
    assert not list(out.glob("*.mp4")), "no video from a render that failed"
    assert not [p for p in out.rglob("*") if p.name.startswith((".partial", "tmp"))]
    assert not [p for p in cache.rglob("*") if p.name.startswith((".", "tmp"))]


@pytest.fixture
def scheduler_alone(tmp_path: Path) -> Iterator[LocalCluster]:
    """A scheduler with no worker yet: the test starts its own."""
    with local_cluster(tmp_path / "dask", workers=0) as started:
        yield started


def _render_on(address: str, tmp_path: Path, runner: CliRunner) -> Any:
    return runner.invoke(
        app, ["render", str(TINY), "--quality", "low", "--out", str(tmp_path / "out"),
              "--cache", str(tmp_path / "cache"), "--cluster", address, "--quiet"],
    )  # fmt: skip


def test_a_worker_with_another_version_of_the_project_is_refused_when_connecting(
    scheduler_alone: LocalCluster, tmp_path: Path, runner: CliRunner
) -> None:
    """The worker's import path starts with a folder that installs attention-explainer 9.9.9
    (a dist-info of its own, as another machine's install would): it reports that version."""
    other = tmp_path / "other-install"
    info = other / "attention_explainer-9.9.9.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: attention-explainer\n"
                                   "Version: 9.9.9\n")  # fmt: skip
    scheduler_alone.start_worker("old", path=[other])
    wait_for_workers(scheduler_alone.address, 1)
    ours = importlib.metadata.version("attention-explainer")
    assert ours != "9.9.9"

    result = _render_on(scheduler_alone.address, tmp_path, runner)

    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert f"has attention-explainer 9.9.9, this machine {ours}" in line
    assert "install the same version there" in line
    assert not (tmp_path / "out" / "tiny.mp4").exists()


def _copy_of_the_project(to: Path) -> Path:
    """This checkout's packages and settings, as another machine would have them."""
    root = Path(__file__).parents[1]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("attention", "scenes", "explainer", "scripts"):
        shutil.copytree(root / package, to / package, ignore=ignore)
    shutil.copy2(root / "manim.cfg", to / "manim.cfg")
    return to


def test_a_worker_with_other_code_is_refused_by_the_clip_key_it_recomputes(
    scheduler_alone: LocalCluster, tmp_path: Path, runner: CliRunner
) -> None:
    """The worker runs a copy of the project whose blend chapter differs by one comment:
    the same installed version, other code. Its clip key for that chapter differs from the
    client's, so it refuses the scene instead of filing another chapter's clip under it."""
    copy = _copy_of_the_project(tmp_path / "other-machine")
    with (copy / "scenes" / "s5_blend.py").open("a", encoding="utf-8") as chapter:
        chapter.write("\n# edited on the other machine\n")
    scheduler_alone.start_worker("edited", root=copy)
    wait_for_workers(scheduler_alone.address, 1)

    result = _render_on(scheduler_alone.address, tmp_path, runner)

    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert "scene 'blend': the Dask worker on " in line
    assert "has other attention-explainer code, Manim or WordNet than this machine" in line
    assert not (tmp_path / "out" / "tiny.mp4").exists()
    clips = tmp_path / "cache" / "clips"
    assert list(clips.glob("tokens-*.mp4")), "the chapter both have alike rendered there"
    assert not list(clips.glob("blend-*")), "no clip of other code kept"
