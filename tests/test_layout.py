"""The layout check every render runs: it must catch a layout built to be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from manim import Text, tempconfig

from explainer.core.errors import RenderError
from explainer.pipeline.conductor import ProgressEvent, _check_layout
from explainer.pipeline.scenes import ClipResult, RenderReport
from scenes.kit.layout import Box, layout_problems
from scenes.narration import NarratedScene
from scenes.scripts import default_plan

LOW = {"quality": "low_quality", "dry_run": True, "disable_caching": True, "progress_bar": "none"}


class Crowded(NarratedScene):
    """Two words on top of each other in the first beat; a word off the frame in the last."""

    beat_ids = ("split", "embed", "context_free")

    def construct(self) -> None:
        with self.beat("split"):
            self.add(Text("cat").move_to([0, 0, 0]), Text("mat").move_to([0.1, 0, 0]))
        with self.beat("embed"):
            self.clear()
        with self.beat("context_free"):
            self.add(Text("rug").move_to([7.3, 0, 0]))


def test_a_scene_built_to_overlap_names_the_chapter_the_beat_and_the_objects() -> None:
    with tempconfig(LOW):
        scene = Crowded(default_plan("Tokens"))
        scene.render()
    assert scene.layout_problems == [
        "chapter 1 (tokens), beat 'split': 'cat' overlaps or touches 'mat'",
        "chapter 1 (tokens), beat 'context_free': 'rug' runs off the frame",
    ]


def test_texts_apart_and_inside_are_no_problem() -> None:
    left, right = Box("cat", -1.0, -0.5, 0, 0.3), Box("mat", 0.5, 1.0, 0, 0.3)
    assert layout_problems([left, right], []) == []
    # side by side closer than the gap (0.05) counts; an operator may sit tight
    near = Box("sat", -0.48, 0.0, 0, 0.3)
    assert layout_problems([left, near], []) == ["'cat' overlaps or touches 'sat'"]
    assert layout_problems([left, Box("√", -0.5, -0.3, 0, 0.3)], []) == []


def _report(*layouts: tuple[str, ...]) -> RenderReport:
    clips = [
        ClipResult(f"s{i}", Path(f"s{i}.mp4"), 1, (), cached=True, layout=layout)
        for i, layout in enumerate(layouts)
    ]
    return RenderReport(clips=clips)


def test_a_render_with_a_layout_problem_fails_unless_allowed() -> None:
    report = _report((), ("chapter 2 (qkv), beat 'roles': 'a' overlaps or touches 'b'", "x"))
    with pytest.raises(RenderError, match=r"layout: chapter 2 \(qkv\), beat 'roles': 'a' overlaps "
                       r"or touches 'b' \(and 1 more\); .*--allow-layout-issues"):  # fmt: skip
        _check_layout(report, False, lambda event: None)
    warned: list[ProgressEvent] = []
    _check_layout(report, True, warned.append)
    assert [(e.stage, e.status, e.item) for e in warned] == [
        ("layout", "warning", "chapter 2 (qkv), beat 'roles': 'a' overlaps or touches 'b'"),
        ("layout", "warning", "x"),
    ]
    _check_layout(_report((), ()), False, warned.append)  # a clean render says nothing
    assert len(warned) == 2
