"""``explainer watch``: the first changed beat, a bad edit during a watch, and Ctrl-C.

Cheap: the loop is driven with the saves given as a list, renders are fakes or stop at the
script's validation, and the Ctrl-C tests interrupt a stand-in render (a sleeping process)
in a watch run as a process of its own. Nothing here renders a chapter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explainer.live.changes import ChangedBeat, first_changed_beat
from explainer.live.loop import watch_loop
from explainer.live.session import WarmRender, warm_command
from explainer.live.status import STATUS_FILE, PreviewBoard, RenderOutcome
from explainer.live.warm import RenderOptions

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny.toml"


def timeline(fps: float, *scenes: tuple[str, list[tuple[str, str, int]]]) -> dict[str, Any]:
    """A timeline.json made by hand: each beat (id, text, frames), its start in seconds
    counted here from the frames before it."""
    frame, out = 0, []
    for scene_id, beats in scenes:
        rows = []
        for beat_id, text, frames in beats:
            rows.append({"id": beat_id, "text": text, "frames": frames, "start": frame / fps})
            frame += frames
        out.append({"id": scene_id, "beats": rows})
    return {"fps": fps, "scenes": out}


BEFORE = timeline(
    15,
    ("tokens", [("split", "Take the cat.", 30), ("embed", "Eight numbers.", 45)]),
    ("blend", [("weigh", "Weigh each value.", 15), ("add", "Add them up.", 30)]),
)


def test_no_change_and_no_previous_render_start_nowhere() -> None:
    assert first_changed_beat(BEFORE, BEFORE) is None
    assert first_changed_beat(None, BEFORE) is None


def test_a_text_edit_of_the_same_length_is_found() -> None:
    after = timeline(
        15,
        ("tokens", [("split", "Take the cat.", 30), ("embed", "Eight numbers.", 45)]),
        ("blend", [("weigh", "Weigh every value.", 15), ("add", "Add them up.", 30)]),
    )
    # 30 + 45 frames before it at 15 fps: 5 s
    assert first_changed_beat(BEFORE, after) == ChangedBeat("blend", "weigh", 5.0)


def test_a_longer_beat_is_found_and_the_later_ones_are_not_first() -> None:
    after = timeline(
        15,
        ("tokens", [("split", "Take the cat.", 30), ("embed", "Eight numbers.", 60)]),
        ("blend", [("weigh", "Weigh each value.", 15), ("add", "Add them up.", 30)]),
    )
    assert first_changed_beat(BEFORE, after) == ChangedBeat("tokens", "embed", 2.0)


def test_an_inserted_beat_a_new_chapter_and_a_new_rate() -> None:
    inserted = timeline(
        15,
        ("tokens", [("split", "Take the cat.", 30), ("new", "New.", 15),
                    ("embed", "Eight numbers.", 45)]),
        ("blend", [("weigh", "Weigh each value.", 15), ("add", "Add them up.", 30)]),
    )  # fmt: skip
    assert first_changed_beat(BEFORE, inserted) == ChangedBeat("tokens", "new", 2.0)
    appended = timeline(
        15,
        ("tokens", [("split", "Take the cat.", 30), ("embed", "Eight numbers.", 45)]),
        ("blend", [("weigh", "Weigh each value.", 15), ("add", "Add them up.", 30)]),
        ("end", [("bye", "Bye.", 15)]),
    )
    assert first_changed_beat(BEFORE, appended) == ChangedBeat("end", "bye", 8.0)
    assert first_changed_beat(appended, BEFORE) is None  # what is still played is unchanged
    faster = timeline(30, ("tokens", [("split", "Take the cat.", 60)]))
    assert first_changed_beat(BEFORE, faster) == ChangedBeat("tokens", "split", 0.0)


def test_a_bad_edit_during_a_watch_keeps_the_last_good_video_and_shows_its_error(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    script = tmp_path / "tiny.toml"
    script.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")

    def good_render(saved: object) -> RenderOutcome:  # stands in for the first, good render
        (out / "tiny.mp4").write_bytes(b"the good video")
        (out / "timeline.json").write_text(json.dumps(BEFORE), encoding="utf-8")
        return RenderOutcome(True, seconds=1.0)

    # the real warm render process, given a bad edit: it stops at the script's validation
    options = RenderOptions(script, out, cache=tmp_path / "cache")
    warm = WarmRender(warm_command(options))
    renders: Iterator[Callable[[object], RenderOutcome]] = iter([good_render, warm])

    def edits() -> Any:
        text = script.read_text(encoding="utf-8")
        script.write_text(text.replace('"Add them up."', '"Add {nope} up."'), encoding="utf-8")
        yield [str(script)]

    board = PreviewBoard(out, "tiny.mp4")
    lines: list[str] = []
    with warm:
        assert watch_loop(lambda saved: next(renders)(saved), edits(), board, lines.append) == 1
    status = json.loads((out / STATUS_FILE).read_text(encoding="utf-8"))
    assert (out / "tiny.mp4").read_bytes() == b"the good video"
    assert status["generation"] == 1  # the page keeps the good video
    line = next(n for n, row in enumerate(script.read_text().splitlines(), 1) if "{nope}" in row)
    assert status["error"].startswith(f"{script}:{line}: ")
    assert "{nope}" in status["error"]
    assert lines[-1] == f"error: {status['error']}"
    assert "\n" not in status["error"]


WATCHER = """
import sys
from pathlib import Path
from explainer.live.session import WarmRender, watch_session
script, out, stand_in = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
try:
    with WarmRender((sys.executable, stand_in, *sys.argv[4:])) as render:
        watch_session(script, out, render)
except KeyboardInterrupt:
    sys.exit(130)
"""
# a stand-in render process: records its pid, then for each render sleeps as a long render
# would ("busy"), or answers at once ("idle")
STAND_IN = """
import json, os, sys, time
pids, mode = sys.argv[1], sys.argv[2]
with open(pids, "a") as record:
    record.write(f"{os.getpid()}\\n")
for _ in sys.stdin:
    if mode == "busy":
        time.sleep(60)
    answer = {"ok": True, "error": None, "messages": [f"pid {os.getpid()}"], "seconds": 0.1}
    print(json.dumps(answer), flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait(condition: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


@pytest.mark.parametrize("mode", ["busy", "idle"])
def test_ctrl_c_ends_the_watch_and_its_render(tmp_path: Path, mode: str) -> None:
    script, out, pids = tmp_path / "tiny.toml", tmp_path / "out", tmp_path / "pids"
    stand_in = tmp_path / "stand_in.py"
    stand_in.write_text(textwrap.dedent(STAND_IN), encoding="utf-8")
    script.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    watcher = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WATCHER), str(script), str(out), str(stand_in),
         str(pids), mode],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert _wait(lambda: pids.is_file() and pids.read_text().strip()), "no render started"
        if mode == "idle":  # the render is over: the watch waits for saves
            assert _wait(lambda: '"generation": 1' in (out / STATUS_FILE).read_text())
        watcher.send_signal(signal.SIGINT)
        _, err = watcher.communicate(timeout=30)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert watcher.returncode == 130, err
    render_pid = int(pids.read_text().split()[0])
    assert not _alive(render_pid)
    assert json.loads((out / STATUS_FILE).read_text())["state"] == "stopped"
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_the_render_process_is_kept_for_script_saves_and_replaced_after_code_saves(
    tmp_path: Path,
) -> None:
    stand_in, pids = tmp_path / "stand_in.py", tmp_path / "pids"
    stand_in.write_text(textwrap.dedent(STAND_IN), encoding="utf-8")
    code = tmp_path / "code"
    code.mkdir()
    (code / "pipeline.py").write_text("", encoding="utf-8")
    with WarmRender((sys.executable, str(stand_in), str(pids), "idle"), [code]) as render:
        first = render([]).messages
        assert render([str(TINY)]).messages == first  # the same process: still warm
        after_code = render([str(ROOT / "scenes" / "s1_tokens.py")]).messages
        assert after_code != first
        assert not _alive(int(first[0].split()[1]))  # the old code's process is gone
        assert render([str(TINY)]).messages == after_code
        (code / "pipeline.py").write_text("x = 1\n", encoding="utf-8")  # a module not watched
        after_unwatched = render([str(TINY)]).messages
        assert after_unwatched != after_code
    started = [int(pid) for pid in pids.read_text().split()]
    assert len(started) == 3
    assert not any(_alive(pid) for pid in started)


def test_a_render_process_that_dies_is_reported_with_its_last_line_and_replaced(
    tmp_path: Path,
) -> None:
    stand_in = tmp_path / "dies_once.py"
    marker = tmp_path / "died"
    stand_in.write_text(textwrap.dedent(f"""
        import json, os, pathlib, sys
        for _ in sys.stdin:
            if not pathlib.Path({str(marker)!r}).exists():
                pathlib.Path({str(marker)!r}).touch()
                print("MemoryError: out of memory", file=sys.stderr, flush=True)
                os._exit(3)
            print(json.dumps({{"ok": True, "error": None, "messages": [], "seconds": 0.1}}),
                  flush=True)
    """), encoding="utf-8")  # fmt: skip
    with WarmRender((sys.executable, str(stand_in))) as render:
        died = render([])
        assert (died.ok, died.error) == (
            False, "the render process ended (exit 3): MemoryError: out of memory"
        )  # fmt: skip
        assert render([]).ok


def test_a_failed_render_that_leaves_scenes_running_gets_new_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import Future

    import explainer.distribute.executors as executors
    import explainer.live.warm as warm

    opened: list[object] = []
    stopped: list[tuple[object, bool]] = []

    class Workers:  # stands in for the warm scene workers
        workers = 2

        def __init__(self) -> None:
            opened.append(self)

        def submit(self, job: object) -> Future[object]:
            return Future()  # a scene that runs on

        def shutdown(self, *, cancel: bool, wait: bool = True) -> None:
            stopped.append((self, cancel))

    def render(options: object, lent: Any) -> RenderOutcome:
        if len(opened) == 1 and not stopped:  # the first render: a scene left running
            lent.submit("another scene")
            return RenderOutcome(False, error="scene 'scores' (Scores) failed: boom")
        return RenderOutcome(True)

    monkeypatch.setattr(executors, "open_executor", lambda cores, cluster, start: Workers())
    monkeypatch.setattr(warm, "render_once", render)
    replies: list[RenderOutcome] = []
    assert warm.serve(RenderOptions(TINY, Path("out")), ["1", "2", "3"], replies.append) == 3
    assert [r.ok for r in replies] == [False, True, True]
    first, second = opened  # replaced once, after the failed render only
    assert stopped == [(first, True), (second, False)]
