"""The watch's preview page in a real browser: it plays the render from the first changed
beat, lists every beat with its narration, seeks on a click, and shows a failed render's
error over the last good video. Reuses the shared render of tests/data/tiny.toml.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import chromium, console_errors, needs_chromium, wait_for
from lecture_helpers import copy_render, tiny_render

from explainer.live.changes import ChangedBeat
from explainer.live.server import serve_folder
from explainer.live.session import PAGE_FILE, write_page
from explainer.live.status import PreviewBoard, RenderOutcome

__all__ = ["tiny_render"]  # the shared fixture, imported so pytest finds it

pytestmark = [
    pytest.mark.render,
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]


@pytest.fixture
def preview(tiny_render: dict[str, Path], tmp_path: Path) -> Iterator[tuple[Any, PreviewBoard]]:
    """The page served over the render's folder, open in chromium, its board at hand."""
    out = copy_render(tiny_render, tmp_path / "out")
    write_page(out)
    board = PreviewBoard(out, "tiny.mp4")
    board.write()
    with serve_folder(out) as url, chromium(tmp_path / "profile", loopback=True) as driver:
        driver.get(url + PAGE_FILE)
        yield driver, board


def _video(driver: Any) -> dict[str, Any]:
    script = "const v = document.querySelector('video'); return {time: v.currentTime, src: v.src};"
    return dict(driver.execute_script(script))


def test_the_page_plays_from_the_changed_beat_and_keeps_the_video_on_a_failure(
    preview: tuple[Any, PreviewBoard],
) -> None:
    driver, board = preview
    timeline = json.loads((board.out_dir / "timeline.json").read_text(encoding="utf-8"))
    beats = [(s["id"], b) for s in timeline["scenes"] for b in s["beats"]]
    scene_id, changed = beats[4]  # the second chapter's second beat
    board.landed(
        RenderOutcome(True, seconds=2.0), ChangedBeat(scene_id, changed["id"], changed["start"])
    )

    assert wait_for(lambda: driver.execute_script("return document.body.dataset.generation") == "1")
    assert wait_for(lambda: abs(_video(driver)["time"] - changed["start"]) < 0.2, timeout=10)
    rows = driver.find_elements("css selector", "aside li")
    assert [row.text.split("\n")[-1] for row in rows] == [beat["text"] for _, beat in beats]
    marked = [n for n, row in enumerate(rows) if "changed" in row.get_attribute("class").split()]
    assert marked == [4]

    source = _video(driver)["src"]
    board.failed(RenderOutcome(False, error="tiny.toml:40: unknown placeholder {nope}"))
    error = driver.find_element("id", "error")
    assert wait_for(lambda: error.is_displayed() and "tiny.toml:40" in error.text)
    assert _video(driver)["src"] == source  # still the last good video

    rows[1].click()  # a beat's row seeks to its start
    assert wait_for(lambda: abs(_video(driver)["time"] - beats[1][1]["start"]) < 0.2)
    assert console_errors(driver) == []
