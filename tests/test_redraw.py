"""Redrawing only what moves or overlaps it (scenes.kit.redraw) leaves every frame as Manim
draws it: chapters rendered both ways give the same frames, byte for byte."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from manim import Animation, Mobject, Scene, tempconfig
from manim.renderer.cairo_renderer import CairoRenderer

from scenes import load_scene_class
from scenes.narration import NarratedScene
from scenes.scripts import default_plan

LOW = {"quality": "low_quality", "dry_run": True, "disable_caching": True, "progress_bar": "none"}


def _frame_digests(
    class_name: str, *, manims_own: bool, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    digests: list[str] = []

    def add_frame(self: CairoRenderer, frame: Any, num_frames: int = 1) -> None:
        digests.extend([hashlib.sha256(frame.tobytes()).hexdigest()] * num_frames)

    def manims_choice(self: Scene, *animations: Animation) -> list[Mobject]:
        return Scene.get_moving_mobjects(self, *animations)

    with monkeypatch.context() as patch:
        patch.setattr(CairoRenderer, "add_frame", add_frame)
        if manims_own:
            patch.setattr(NarratedScene, "get_moving_mobjects", manims_choice)
        with tempconfig(LOW):
            scene = load_scene_class(class_name)(default_plan(class_name))
            scene.render()
    return digests


# chips that pulse under later labels (Tokens), a highlight that sweeps between lines of code
# (Code): the two cases an earlier, box-by-box version got wrong
@pytest.mark.parametrize("class_name", ["Tokens", "Code"])
def test_frames_equal_manims_own_redraw(class_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _frame_digests(class_name, manims_own=False, monkeypatch=monkeypatch)
    manims = _frame_digests(class_name, manims_own=True, monkeypatch=monkeypatch)
    assert len(ours) == len(manims) > 100
    differing = [i for i, (a, b) in enumerate(zip(ours, manims, strict=True)) if a != b]
    assert differing == [], f"{class_name}: frames {differing[:10]} differ from Manim's redraw"
