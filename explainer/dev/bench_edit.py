"""``make bench``'s editing-loop rows: ``explainer watch`` on a copy of the default script,
its first render from an empty cache, then five edits of one beat's text.

Each edit is saved as an editor would save it; the watch renders it in its warm render
process (:mod:`explainer.live.warm`) and the preview's status file says when it landed
(``landed_at``, written when the page can reload). Two rows, from the one watch:

- save to preview: from the save to ``landed_at`` (the page polls four times a second on
  top of it), the median of the five edits;
- warm re-render: the watch's render time of an edit against its first, cold render.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explainer.core.cache import write_atomic
from explainer.dev.bench_tables import Measure
from explainer.plan.script import DEFAULT_SCRIPT

__all__ = ["EDIT_BEAT", "EDIT_SCENE", "edit_beat", "edit_loop_measures"]

# the beat the warm re-renders edit: a mid-video scene, so neighbours must stay cached
EDIT_SCENE, EDIT_BEAT = "softmax", "bars"
# spoken before the beat's text, one per edit: each a new sentence to voice
EDIT_WORDS = ("Look.", "Look again.", "Now look.", "Look once more.", "Look closely.")
WAIT_SECONDS = 600  # a render that takes longer has hung: stop the bench, say so


def edit_beat(source: Path, target: Path, scene_id: str, beat_id: str, prefix: str) -> None:
    """Copy the script ``source`` to ``target`` with ``prefix`` spoken before one beat's text.

    The TOML is edited as text so that everything else (comments, order) stays byte-equal.

    Examples
    --------
    >>> edit_beat(DEFAULT_SCRIPT, Path("/tmp/a.toml"), "softmax", "bars", "Hi. ")  # doctest: +SKIP
    """
    text = source.read_text(encoding="utf-8")
    scene = re.search(rf'^id = "{re.escape(scene_id)}"$', text, flags=re.M)
    if scene is None:
        raise ValueError(f"{source}: no scene {scene_id!r} to edit")
    beat = re.compile(rf'^id = "{re.escape(beat_id)}"\s*\ntext = "', flags=re.M)
    found = beat.search(text, scene.end())
    if found is None:
        raise ValueError(f"{source}: scene {scene_id!r} has no one-line beat {beat_id!r}")
    edited = text[: found.end()] + prefix + text[found.end() :]
    write_atomic(target, edited.encode("utf-8"))  # saved whole, as editors save


def _status(out: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((out / "preview-status.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {"generation": 0, "state": "starting"}
    return data


def _landed(out: Path, generation: int, watch: subprocess.Popen[bytes]) -> dict[str, Any]:
    """The status once render ``generation`` landed (an error stops the bench)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if watch.poll() is not None:
            raise RuntimeError(f"explainer watch ended (exit {watch.returncode})")
        status = _status(out)
        if status["generation"] >= generation:
            return status
        if status["state"] == "failed":
            raise RuntimeError(f"the watch's render failed: {status['error']}")
        time.sleep(0.01)
    raise RuntimeError(f"the watch's render {generation} did not land in {WAIT_SECONDS} s")


def edit_loop_measures(
    bench: Path, jobs: int, say: Callable[[str], None] = print
) -> tuple[list[Measure], dict[str, Any]]:
    """Run ``explainer watch`` at 480p15 with an empty cache of its own, edit one beat five
    times; return the two rows and the raw timings."""
    folder = bench / "watch-edit"
    shutil.rmtree(folder, ignore_errors=True)
    script, out = folder / DEFAULT_SCRIPT.name, folder / "out"
    edit_beat(DEFAULT_SCRIPT, script, EDIT_SCENE, EDIT_BEAT, "")
    say("explainer watch at 480p15: a cold render, then five edits of one beat...")
    watch = subprocess.Popen(
        [sys.executable, "-m", "explainer", "watch", str(script), "--out", str(out), "--cache",
         str(folder / "cache"), "--jobs", str(jobs), "--quality", "low"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        cold = _landed(out, 1, watch)["seconds"]
        latencies, renders = [], []
        for n, words in enumerate(EDIT_WORDS, start=2):
            saved = time.time()
            edit_beat(DEFAULT_SCRIPT, script, EDIT_SCENE, EDIT_BEAT, words + " ")
            status = _landed(out, n, watch)
            changed = status["changed"] or {}
            if (changed.get("scene"), changed.get("beat")) != (EDIT_SCENE, EDIT_BEAT):
                raise RuntimeError(f"edit {n - 1} changed {changed}, not {EDIT_SCENE}/{EDIT_BEAT}")
            latencies.append(status["landed_at"] - saved)
            renders.append(status["seconds"])
    finally:
        watch.send_signal(signal.SIGINT)
        try:
            watch.wait(timeout=60)
        except subprocess.TimeoutExpired:
            watch.kill()
            watch.wait()
    latency, warm = statistics.median(latencies), statistics.median(renders)
    spread = f"{min(latencies):.2f}-{max(latencies):.2f} s"
    rows = [
        Measure("one-beat edit, save to preview (watch, 480p15)", latency, "s",
                "<= 3 s (median of 5)", latency <= 3.0,
                f"{spread} over 5 edits of {EDIT_SCENE}/{EDIT_BEAT}; the page polls every 0.25 s"),
        Measure("warm re-render in watch, one beat edited (480p15)", warm / cold * 100, "%",
                "<= 10% of cold 480p15", warm / cold <= 0.10,
                f"{warm:.2f} s (median of 5) of the watch's cold first render, {cold:.1f} s"),
    ]  # fmt: skip
    raw = {"cold": cold, "latencies": latencies, "renders": renders}
    return rows, raw


if __name__ == "__main__":
    measures, timings = edit_loop_measures(Path("media/bench"), jobs=2)
    for measure in measures:
        print(measure.row())
    print(json.dumps(timings))
