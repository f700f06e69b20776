"""Faults: SIGTERM mid-render, damaged clip cache, concurrent renders, full or locked disks."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import one_error_line
from typer.testing import CliRunner

from attention.spec import ExampleSpec
from explainer.cli.app import app
from explainer.core import staging as staging_module
from explainer.core.errors import ExplainerError
from explainer.core.manifest import MANIFEST_NAME
from explainer.core.quality import Quality
from explainer.core.staging import PARTIAL_PREFIX, staged_outputs
from explainer.distribute.executors import LocalScenePool
from explainer.pipeline.conductor import render_video
from explainer.pipeline.scenes import lookup_clip
from explainer.plan.keys import clip_key
from explainer.plan.script import load_script
from scenes.plan import Beat, ScenePlan

TINY = Path(__file__).parent / "data" / "tiny.toml"
NEW_SENTENCE = "The dog sat on the rug"  # changes every clip and voice: a real re-render

needs_tools = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
    reason="needs ffmpeg and espeak-ng",
)


def _snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _ffprobe_ok(video: Path) -> float:
    """The duration ffprobe reads from ``video``; fails the test if it is unplayable."""
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(video)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(json.loads(done.stdout)["format"]["duration"])


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid``, read from /proc (no psutil needed)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- the clip cache: every kind of damage is a miss, never a wrong clip ------------------------


def _tiny_plan() -> ScenePlan:
    beats = (Beat("a", "One.", 0.5, 0.2), Beat("b", "Two.", 0.4, 0.2))
    return ScenePlan("tokens", "Tokens", 1, "Tokens", beats, ExampleSpec("The cat sat"))


@pytest.fixture
def cached_clip(tmp_path: Path) -> tuple[ScenePlan, str, Path, Path]:
    """A hand-made cache entry that ``lookup_clip`` accepts: real H.264, right frame count."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg")
    plan = _tiny_plan()
    key = clip_key(plan, Quality.low)
    frames = plan.frames(Quality.low.fps)  # 11 + 9 frames at 15 fps
    assert frames == 20
    video = tmp_path / f"tokens-{key}.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=15",
         "-frames:v", str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video)],
        check=True,
    )  # fmt: skip
    meta = {
        "key": key,
        "frames": frames,
        "sha256": hashlib.sha256(video.read_bytes()).hexdigest(),
        "entries": [],
        "layout": [],
    }
    ledger = video.with_suffix(".json")
    ledger.write_text(json.dumps(meta))
    return plan, key, video, ledger


def test_an_intact_cache_entry_is_used(cached_clip: tuple[ScenePlan, str, Path, Path]) -> None:
    plan, key, video, ledger = cached_clip
    for old in (video, ledger):  # used long ago: a hit makes it recent, so pruning keeps it
        os.utime(old, (1_000_000, 1_000_000))
    hit = lookup_clip(plan, Quality.low, video.parent, key)
    assert video.stat().st_mtime > 1_000_000
    assert ledger.stat().st_mtime > 1_000_000
    assert hit is not None
    assert hit.cached
    assert (hit.path, hit.frames) == (video, 20)


def _damage_middle(video: Path, _: Path) -> None:
    data = bytearray(video.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64  # same size, same packet index: bytes rotted
    video.write_bytes(bytes(data))


def _truncate(video: Path, _: Path) -> None:
    video.write_bytes(video.read_bytes()[: video.stat().st_size // 2])


def _empty_video(video: Path, _: Path) -> None:
    video.write_bytes(b"")


def _garbage_ledger(_: Path, ledger: Path) -> None:
    ledger.write_text('{"key": ')


def _ledger_of_another_key(_: Path, ledger: Path) -> None:
    meta = json.loads(ledger.read_text())
    ledger.write_text(json.dumps({**meta, "key": "0" * 32}))


def _missing_ledger(_: Path, ledger: Path) -> None:
    ledger.unlink()


@pytest.mark.parametrize(
    "damage",
    [_damage_middle, _truncate, _empty_video, _garbage_ledger, _ledger_of_another_key,
     _missing_ledger],
)  # fmt: skip
def test_a_damaged_cache_entry_is_a_miss(
    cached_clip: tuple[ScenePlan, str, Path, Path], damage
) -> None:
    plan, key, video, ledger = cached_clip
    damage(video, ledger)
    assert lookup_clip(plan, Quality.low, video.parent, key) is None


def test_a_clip_of_the_wrong_length_is_a_miss(
    cached_clip: tuple[ScenePlan, str, Path, Path],
) -> None:
    plan, key, video, _ = cached_clip
    longer = ScenePlan(**{**plan.__dict__, "beats": (*plan.beats, Beat("c", "3.", 1.0, 0.2))})
    # the same file under the longer plan's name: its 20 frames are not the 38 it needs
    assert lookup_clip(longer, Quality.low, video.parent, key) is None


def test_pruning_one_scene_keeps_the_entries_of_a_scene_whose_id_extends_it(
    tmp_path: Path,
) -> None:
    from explainer.core.cache import prune_entries

    other = [tmp_path / f"intro-2-{i:032x}.json" for i in range(2)]
    for n, path in enumerate([*other, *(tmp_path / f"intro-{i:032x}.json" for i in range(4))]):
        path.write_text("{}")
        os.utime(path, (n, n))  # the other scene's entries are the oldest
    prune_entries(tmp_path, "intro", (".json",))  # keeps intro's four newest
    assert all(path.exists() for path in other)


# -- disk full and unwritable output folders ---------------------------------------------------


def test_disk_full_while_committing_is_one_line_and_leaves_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    with staged_outputs(out) as staging:
        (staging.path / "video.mp4").write_bytes(b"old video")
        staging.commit(by="render video")
    real_replace = os.replace
    moved: list[str] = []

    def replace_until_full(source: str | Path, target: str | Path) -> None:
        if Path(target).name.startswith(MANIFEST_NAME):  # the record is small: it fits
            real_replace(source, target)
            return
        if moved:  # the first file fits, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        moved.append(str(target))
        real_replace(source, target)

    monkeypatch.setattr(staging_module.os, "replace", replace_until_full)
    with staged_outputs(out) as staging:
        (staging.path / "a.srt").write_text("small, goes first")
        (staging.path / "video.mp4").write_bytes(b"new video, larger, goes last")
        with pytest.raises(ExplainerError) as caught:
            staging.commit(by="render video")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("no space left on the device while writing ")
    assert str(out / "video.mp4") in message
    assert (out / "video.mp4").read_bytes() == b"old video"  # the big file never half-replaced
    assert not list(out.glob(f"{PARTIAL_PREFIX}*"))


def test_disk_full_while_assembling_keeps_the_previous_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "clips").mkdir(parents=True)
    (out / "video.mp4").write_bytes(b"old video")
    (out / "clips" / "01-a.mp4").write_bytes(b"old clip")
    before = _snapshot(out)

    def assemble_until_the_disk_is_full() -> None:
        with staged_outputs(out) as staging:
            half = staging.path / "video.mp4"
            half.write_bytes(b"\0" * 1000)  # ffmpeg got this far when the disk filled up
            raise OSError(errno.ENOSPC, "No space left on device", str(half))

    with pytest.raises(ExplainerError) as caught:
        assemble_until_the_disk_is_full()
    assert str(caught.value).startswith("no space left on the device while writing ")
    assert "\n" not in str(caught.value)
    assert _snapshot(out) == before
    assert not list(out.glob(f"{PARTIAL_PREFIX}*"))


def test_unwritable_out_dir_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o500)
    if os.geteuid() == 0:  # root ignores the mode bits: make the check see what a user sees
        real_access = os.access
        monkeypatch.setattr(
            staging_module.os,
            "access",
            lambda path, mode, **kw: (
                not (mode & os.W_OK and Path(path) == out) and real_access(path, mode, **kw)
            ),
        )
    try:
        result = CliRunner().invoke(app, ["render", str(TINY), "--out", str(out), "--quiet"])
        assert result.exit_code == 1
        line = one_error_line(result.stderr)
        assert f"cannot write to {out}: permission denied" in line
        assert "--out" in line
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o700)


def test_unwritable_scratch_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = Path.mkdir

    def refuse_partial(self: Path, *args, **kwargs) -> None:
        if self.parent.name.startswith(PARTIAL_PREFIX) or self.name.startswith(PARTIAL_PREFIX):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse_partial)
    with (
        pytest.raises(ExplainerError, match=r"permission denied; choose another --out"),
        staged_outputs(tmp_path),
    ):
        pass  # pragma: no cover - never reached
    assert not list(tmp_path.glob(f"{PARTIAL_PREFIX}*"))


def test_scratch_left_by_a_killed_render_is_removed_by_the_next(tmp_path: Path) -> None:
    # SIGKILL runs no cleanup: its scratch folder stays until the next render takes the lock
    stale = tmp_path / f"{PARTIAL_PREFIX}99999" / "out"
    stale.mkdir(parents=True)
    (stale / "video.mp4").write_bytes(b"half a video")
    with staged_outputs(tmp_path) as staging:
        (staging.path / "video.mp4").write_bytes(b"a whole video")
        staging.commit(by="render video")
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "video.mp4"]
    assert (tmp_path / "video.mp4").read_bytes() == b"a whole video"


# -- SIGTERM during a real render, and a second render meanwhile -------------------------------


def _render_command(out: Path, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "explainer", "render", str(TINY), "-q", "low", "--voice",
            "espeak", "--out", str(out), "--cache", str(cache), "--jobs", "2", "--quiet",
            *extra]  # fmt: skip


def _wait_for_scenes(process: subprocess.Popen[str], cache: Path, timeout: float = 120) -> None:
    """Return once the render has started its scene workers (voices are done by then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"render ended before its scenes started: {process.communicate()}")
        if list((cache / "clips").glob(".work-*")) and len(_children(process.pid)) >= 2:
            return
        time.sleep(0.05)
    process.kill()
    pytest.fail("the render never started its scenes")


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A finished render, then a second one (new sentence) killed by SIGTERM mid-scenes."""
    if shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None:
        pytest.skip("needs ffmpeg and espeak-ng")
    root = tmp_path_factory.mktemp("faults")
    out, cache = root / "out", root / "cache"
    subprocess.run(_render_command(out, cache), check=True, capture_output=True, timeout=300)
    before = _snapshot(out)
    process = subprocess.Popen(
        _render_command(out, cache, "--sentence", NEW_SENTENCE),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for_scenes(process, cache)
        staged = list(out.glob(f"{PARTIAL_PREFIX}*"))
        workers = _children(process.pid)
        second = CliRunner().invoke(
            app,
            ["render", str(TINY), "-q", "low", "--voice", "espeak", "--out", str(out),
             "--cache", str(cache), "--quiet"],
        )  # fmt: skip
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return {
        "out": out, "cache": cache, "before": before,
        "staged": staged, "workers": workers, "second": second,
        "returncode": process.returncode, "stderr": stderr, "pid": process.pid,
    }  # fmt: skip


def _check_exit(run: dict[str, Any]) -> None:
    assert run["staged"], "the scratch folder existed while rendering"
    assert run["returncode"] in (130, 143)
    assert "interrupted" in one_error_line(run["stderr"])


def _check_previous_outputs(run: dict[str, Any]) -> None:
    out = run["out"]
    assert _snapshot(out) == run["before"]
    assert _ffprobe_ok(out / "tiny.mp4") > 1.0
    for clip in sorted((out / "clips").glob("*.mp4")):
        assert _ffprobe_ok(clip) > 0.5


def _check_no_leftovers(run: dict[str, Any]) -> None:
    out, cache = run["out"], run["cache"]
    assert not list(out.glob(f"{PARTIAL_PREFIX}*"))
    assert not list((cache / "clips").glob(".work-*"))
    assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")]
    assert run["workers"], "the render had worker processes to clean up"
    deadline = time.monotonic() + 10  # the resource tracker notices its parent is gone
    while any(_alive(pid) for pid in run["workers"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in run["workers"] if _alive(pid)]


def _check_second_render_refused(run: dict[str, Any]) -> None:
    second = run["second"]
    assert second.exit_code == 1
    line = one_error_line(second.stderr)
    assert f"another render is writing to {run['out']} (pid {run['pid']})" in line


def _check_resume(run: dict[str, Any]) -> None:
    script = load_script(TINY, sentence=NEW_SENTENCE, voice="espeak")
    report = render_video(
        script, quality=Quality.low, out_dir=run["out"], cache_dir=run["cache"], jobs=2
    )
    assert report.voices_synthesised == []  # every beat was voiced before the signal
    assert len(report.voices_cached) == 6
    assert report.assembled
    assert _ffprobe_ok(report.video) == pytest.approx(report.duration, abs=0.1)
    numbers = json.loads((run["out"] / "numbers.json").read_text())
    assert numbers["sentence"] == NEW_SENTENCE


@needs_tools
@pytest.mark.render
def test_sigterm_mid_render_keeps_outputs_and_resumes(interrupted: dict[str, Any]) -> None:
    # one test, so the expensive scenario runs once even when xdist splits this module
    _check_exit(interrupted)
    _check_previous_outputs(interrupted)
    _check_no_leftovers(interrupted)
    _check_second_render_refused(interrupted)
    _check_resume(interrupted)


# -- a scene worker killed mid-render (what the OOM killer does) -------------------------------


def _scene_workers(pid: int) -> list[int]:
    """The render's scene worker processes: its children started by multiprocessing's spawn."""
    workers = []
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.append(child)
    return workers


def _rendering(cache: Path) -> bool:
    """A worker is inside a scene: its scratch folder exists under the render's work folder."""
    return any(work.glob("scene-*") for work in (cache / "clips").glob(".work-*"))


def _render_killing_workers(root: Path, kills: int) -> tuple[subprocess.CompletedProcess[str], int]:
    """Render the tiny script (a cold cache), SIGKILL-ing scene workers ``kills`` times while
    scenes render; returns the finished render and how many workers were killed."""
    out, cache = root / "out", root / "cache"
    process = subprocess.Popen(
        _render_command(out, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    killed = 0
    deadline = time.monotonic() + 240
    try:
        while process.poll() is None and time.monotonic() < deadline:
            workers = _scene_workers(process.pid)
            if killed < kills and workers and _rendering(cache):
                os.kill(workers[0], signal.SIGKILL)
                killed += 1
                time.sleep(1.0)  # let the pool notice, replace the worker and resubmit
            time.sleep(0.05)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
            pytest.fail("the render hung after its scene worker was killed")
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done, killed


class _StandInPool:
    """A process pool that is broken (every submit raises, as once a worker has died) or
    answers at once (the job's result is the job)."""

    def __init__(self, broken: bool) -> None:
        self.broken, self.submitted = broken, 0

    def submit(self, function: Any, job: Any) -> Future[Any]:
        self.submitted += 1
        if self.broken:
            raise BrokenProcessPool("a child process terminated abruptly")
        done: Future[Any] = Future()
        done.set_result(job)
        return done

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_pool_found_broken_when_a_scene_is_submitted_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a worker killed between two submits: the next submit meets the broken pool before
    # the dead worker's own job reports it; that scene must go to a new pool, not fail
    made: list[_StandInPool] = []
    states = iter([True, False])

    def new_pool(self: LocalScenePool) -> _StandInPool:
        made.append(_StandInPool(broken=next(states)))
        return made[-1]

    monkeypatch.setattr(LocalScenePool, "_new_pool", new_pool)
    job = SimpleNamespace(scene_id="tokens")
    with LocalScenePool(1, start=False) as pool:
        assert pool.submit(job).result(timeout=5) is job  # type: ignore[arg-type]
    assert [p.submitted for p in made] == [1, 1]


@needs_tools
@pytest.mark.render
def test_a_killed_scene_worker_is_replaced_and_its_scene_rendered_again(tmp_path: Path) -> None:
    done, killed = _render_killing_workers(tmp_path, kills=1)
    assert killed == 1
    assert done.returncode == 0, done.stderr
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert _ffprobe_ok(out / "tiny.mp4") > 1.0
    assert len(list((out / "clips").glob("*.mp4"))) == 2
    assert not list((cache / "clips").glob(".work-*")), "the scratch folder is removed"


@needs_tools
@pytest.mark.render
def test_workers_that_keep_dying_fail_the_render_in_one_line(tmp_path: Path) -> None:
    started = time.monotonic()
    done, killed = _render_killing_workers(tmp_path, kills=10)
    assert killed >= 2
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "worker process died 2 times" in line
    assert re.search(r"scene '(tokens|blend)'", line), line
    assert time.monotonic() - started < 120
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not list(out.glob(f"{PARTIAL_PREFIX}*")), "nothing half-written"
    assert not list((cache / "clips").glob(".work-*"))
    assert not (out / "tiny.mp4").exists()
