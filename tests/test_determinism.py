"""Determinism: the same scene plan rendered twice gives the same frames, bit for bit."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from explainer.core.quality import Quality
from explainer.distribute.executors import LocalScenePool
from explainer.pipeline.scenes import render_clips
from scenes.plan import ScenePlan
from scenes.scripts import default_plan

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg"),
]


def _short_plan() -> ScenePlan:
    """The first chapter with every beat cut to 0.8 s, so the test renders ~2 s of video."""
    plan = default_plan("Tokens")
    beats = tuple(replace(beat, speech=0.6, pause=0.2) for beat in plan.beats)
    return replace(plan, beats=beats)


def _frame_hashes(video: Path) -> list[str]:
    """MD5 of every decoded video frame, in order (ffmpeg's ``framemd5`` muxer)."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:v", "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = [line.split(",") for line in done.stdout.splitlines() if not line.startswith("#")]
    return [row[-1].strip() for row in rows if row and row[-1].strip()]


def test_a_scene_rendered_twice_has_identical_frames(tmp_path: Path) -> None:
    plan = _short_plan()
    frames = plan.frames(Quality.low.fps)
    assert frames == 3 * 12  # three beats of 0.8 s at 15 fps
    hashes = []
    for run in ("first", "second"):  # separate caches: each is a real render in a new process
        with LocalScenePool(1) as pool:
            report = render_clips([plan], Quality.low, tmp_path / run, pool)
        assert report.rendered == ["tokens"]
        hashes.append(_frame_hashes(report.clips[0].path))
    first, second = hashes
    assert len(first) == frames
    assert len(set(first)) > 1  # the frames really animate: identical blanks would prove nothing
    assert first == second
