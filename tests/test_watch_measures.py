"""The viewer's measures (explainer.dev.watch) on a render folder whose answers are known by
construction: three still seconds, then three seconds that flash in the lower third."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from explainer.dev.watch import measure_render

WIDTH, HEIGHT, FPS = 192, 108, 10


def _video(path: Path) -> None:
    """Frames 0-29 black; frames 30-59 alternate black and a white lower third."""
    frames = np.zeros((60, HEIGHT, WIDTH), np.uint8)
    frames[30::2, 2 * HEIGHT // 3 :, :] = 200
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "gray",
         "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
         "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", str(path)],
        input=frames.tobytes(), check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    _video(folder / "video.mp4")
    # 4 + 6 = 10 words over two 2-second cues: 150 words a minute
    (folder / "video.srt").write_text(
        "1\n00:00:00,500 --> 00:00:02,500\nfour words said here\n\n"
        "2\n00:00:03,500 --> 00:00:05,500\nsix words said while it flashes\n",
        encoding="utf-8",
    )
    scenes = [{"id": "dark", "start": 0.0, "duration": 3.0},
              {"id": "flash", "start": 3.0, "duration": 3.0}]  # fmt: skip
    (folder / "timeline.json").write_text(json.dumps({"scenes": scenes}), encoding="utf-8")
    entries = [{"scene": "s", "shown": "0.00"}, {"scene": "s", "shown": "1.20"},
               {"scene": "s", "shown": "-0"}, {"scene": "s", "shown": "0.50"},
               {"scene": "explorer", "shown": "0"}, {"scene": "s"}]  # fmt: skip
    (folder / "numbers.json").write_text(json.dumps({"entries": entries}), encoding="utf-8")
    return folder


def test_still_share_counts_only_speech(render: Path) -> None:
    measures = measure_render(render)
    # the first cue (20 samples) falls on the still seconds, the second on the flashing ones
    assert measures.still_share == pytest.approx(0.5)
    assert measures.longest_still == pytest.approx(2.0)


def test_lower_third_and_pace_and_zeros(render: Path) -> None:
    measures = measure_render(render)
    assert measures.empty_lower_third == ("dark",)
    assert measures.words_per_minute == pytest.approx(150.0)
    # printed entries only, the explorer's aside: "0.00" and "-0" among four
    assert (measures.zeros, measures.printed) == (2, 4)
    assert not measures.meets_targets()
