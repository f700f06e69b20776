"""One small real render shared by the lecture tests (test_slides, test_presenter_browser).

Rendered once per test session, even under pytest-xdist: the first worker renders under a
file lock in the session's shared temporary folder and the others reuse it. Each test
module copies it before making its exports, so the modules never share an output folder.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from explainer.cli.app import app
from explainer.outputs.lecture import LectureInput, LectureReport, make_lecture

TINY = Path(__file__).parent / "data" / "tiny.toml"


@pytest.fixture(scope="session")
def tiny_render(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``explainer render tests/data/tiny.toml --quality low`` (2 chapters, 6 beats)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "lecture-render"
    with (shared / "lecture-render.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            result = CliRunner().invoke(
                app,
                ["render", str(TINY), "--quality", "low", "--out", str(root / "out"),
                 "--cache", str(root / "cache"), "--jobs", "2", "--quiet"],
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            (root / "done").touch()
    return {"out": root / "out", "cache": root / "cache"}


def copy_render(render: dict[str, Path], target: Path) -> Path:
    """A private copy of the shared render's output folder (the lock file left out)."""
    shutil.copytree(render["out"], target, ignore=shutil.ignore_patterns(".lock"))
    return target


def timeline(out: Path) -> dict[str, Any]:
    """The render's ``timeline.json``."""
    data: dict[str, Any] = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    return data


def decoded_frames(path: Path) -> int:
    """Frames ffprobe decodes from a file's video stream (not the container's claim)."""
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip())


def stream_durations(path: Path) -> dict[str, float]:
    """Each stream's duration in seconds, by codec type (``video``, ``audio``)."""
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,duration",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {s["codec_type"]: float(s["duration"]) for s in json.loads(done.stdout)["streams"]}


def exported_lecture(
    tiny_render: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, name: str
) -> tuple[LectureInput, LectureReport]:
    """The lecture exports of a private copy of the tiny render (one per test module)."""
    out = copy_render(tiny_render, tmp_path_factory.mktemp(name) / "tiny")
    made = LectureInput.from_render(out)
    return made, make_lecture(made)
