"""Every chapter, rendered from a beat after a later beat changed, is the whole render.

The clip cache keeps a chapter's frames before the first changed beat and renders the rest
(:mod:`explainer.render.from_beat`). That is right only if (1) a chapter's frames before beat
k depend on nothing from beat k on, and (2) a render from beat k draws exactly what a whole
render draws from there. For every chapter of the catalogue, with its plan from the shipped
scripts, at 480p15: the last beat is lengthened and re-worded; the whole render of the edited
chapter keeps the original's frames before that beat (1), and its render from that beat is
its whole render's frames from there, frame for frame (2; ffmpeg framemd5). Beat 1 is checked
the same way by rendering the unedited chapter from beat 1.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_from_beat import framemd5

from explainer.core.quality import Quality
from explainer.render.scene_jobs import render_scene
from scenes.catalogue import CHAPTERS
from scenes.scripts import default_plan

pytestmark = pytest.mark.render

QUALITY = Quality.low


def _start(plan, k: int) -> int:  # type: ignore[no-untyped-def]
    return sum(beat.frames(QUALITY.fps) for beat in plan.beats[:k])


# the default video's chapters and the decoder's here, the lecture's asides and the trained
# model's in tests/test_from_beat_lecture.py: two files, so the suite's two workers share them
LECTURE_ASIDES = [name for name, entry in CHAPTERS.items()
                  if name in ("WordOrder", "CausalMask", "Temperature", "Code", "Caveats",
                              "WordSense") or entry.models == "trained"]  # fmt: skip
PIPELINE = [name for name in CHAPTERS if name not in LECTURE_ASIDES]


def assert_renders_from_a_changed_beat(class_name: str, tmp_path: Path) -> None:
    """Checks (1) and (2) of the module's docstring for one chapter."""
    plan = default_plan(class_name)
    last = len(plan.beats) - 1
    edited_beat = replace(plan.beats[last], text=plan.beats[last].text + " Again, slowly.",
                          speech=plan.beats[last].speech + 0.7)  # fmt: skip
    edited = replace(plan, beats=(*plan.beats[:last], edited_beat))
    original = framemd5(render_scene(plan, QUALITY, tmp_path / "original")[0])
    whole_clip, entries, layout = render_scene(edited, QUALITY, tmp_path / "whole")
    whole = framemd5(whole_clip)
    start = _start(plan, last)
    assert len(whole) == len(original) + (_start(edited, last + 1) - _start(plan, last + 1))
    assert whole[:start] == original[:start], "frames before the changed beat moved"
    part, part_entries, part_layout = render_scene(
        edited, QUALITY, tmp_path / "part", from_beat=last
    )
    assert framemd5(part) == whole[start:]
    assert (part_entries, part_layout) == (entries, layout)
    if last > 1:
        from_one = render_scene(plan, QUALITY, tmp_path / "from-1", from_beat=1)[0]
        assert framemd5(from_one) == original[_start(plan, 1) :]


@pytest.mark.parametrize("class_name", PIPELINE)
def test_a_chapter_rendered_from_a_changed_beat_is_its_whole_render(
    class_name: str, tmp_path: Path
) -> None:
    assert_renders_from_a_changed_beat(class_name, tmp_path)
