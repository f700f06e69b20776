"""The layout check every render runs at the end of each beat: texts apart, all in frame.

A text that touches another, or anything that leaves the frame, is a layout problem: the
render stops with the chapter, the beat and the two objects named (or, when asked, warns
and goes on). The scene tests apply the same check to sentences built to be hard.

Examples
--------
>>> a, b = Box("0.25", 0.0, 1.0, 0.0, 0.3), Box("0.13", 0.9, 1.9, 0.0, 0.3)
>>> a.crowds(b), a.inside_frame()
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import Mobject, Scene, config
from manim.mobject.text.text_mobject import MarkupText, Text

__all__ = ["Box", "crowding", "layout_problems", "objects_on_screen", "texts_on_screen"]

EPS = 0.01  # bounding boxes may touch, not overlap
TEXT_GAP = 0.05  # side by side, texts keep at least this apart (3 px at 480p)
OPERATORS = {"√", "×", "÷", "·", "=", "+", "−", "-"}  # set tight to their operand, like √3


@dataclass(frozen=True)
class Box:
    """An axis-aligned bounding box with the name of what it bounds (its text, or class)."""

    name: str
    left: float
    right: float
    bottom: float
    top: float

    @classmethod
    def of(cls, mobject: Mobject) -> Box:
        """The box around ``mobject``."""
        (left, bottom, _), (right, top, _) = (
            mobject.get_corner(np.array([-1, -1, 0])),
            mobject.get_corner(np.array([1, 1, 0])),
        )
        name = getattr(mobject, "text", None) or type(mobject).__name__
        return cls(str(name), float(left), float(right), float(bottom), float(top))

    def crowds(self, other: Box, gap: float = TEXT_GAP) -> bool:
        """Overlaps ``other``, or sits beside or above it closer than ``gap``.

        Beside means sharing some height, above means sharing some width. An operator
        glyph may sit closer to its operand (a radical binds to its number).
        """
        if {self.name, other.name} & OPERATORS:
            gap = -EPS  # touching is fine, overlapping is not
        shared_height = min(self.top, other.top) - max(self.bottom, other.bottom) > EPS
        shared_width = min(self.right, other.right) - max(self.left, other.left) > EPS
        apart_x = max(self.left, other.left) - min(self.right, other.right)
        apart_y = max(self.bottom, other.bottom) - min(self.top, other.top)
        return (shared_height and apart_x < gap) or (shared_width and apart_y < gap)

    def inside_frame(self) -> bool:
        """Whether the box lies within the frame (Manim's frame width and height)."""
        half_width, half_height = config.frame_width / 2, config.frame_height / 2
        return (
            self.left >= -half_width - EPS
            and self.right <= half_width + EPS
            and self.bottom >= -half_height - EPS
            and self.top <= half_height + EPS
        )


def _visible(mobject: Mobject) -> bool:
    parts = mobject.family_members_with_points()
    return any(p.get_fill_opacity() > 0.05 or p.get_stroke_opacity() > 0.05 for p in parts)


def texts_on_screen(scene: Scene) -> list[Box]:
    """The box of every visible text on screen now."""
    family = [m for top in scene.mobjects for m in top.get_family()]
    unique = {id(m): m for m in family if isinstance(m, Text | MarkupText) and _visible(m)}
    return [Box.of(m) for m in unique.values()]


def objects_on_screen(scene: Scene) -> list[Box]:
    """The box of every visible top-level object on screen now."""
    return [Box.of(m) for m in scene.mobjects if (m.has_points() or m.submobjects) and _visible(m)]


def _parts(mobject: Mobject) -> list[Mobject]:
    """What ``mobject`` draws, as a viewer would name it: whole texts, and every other shape."""
    if isinstance(mobject, Text | MarkupText):
        return [mobject]
    own = [mobject] if mobject.has_points() else []
    return own + [part for sub in mobject.submobjects for part in _parts(sub)]


def crowding(keep_clear: Mobject, scene: Scene, name: str) -> list[str]:
    """One line per visible text or shape on screen, outside ``keep_clear``, that overlaps
    the box around ``keep_clear`` or comes closer to it than texts may come to each other.

    Examples
    --------
    >>> from manim import Square
    >>> scene = Scene()
    >>> _ = scene.add(Square(1).move_to([0, -3, 0]), Text("cat").move_to([0, -3.4, 0]))
    >>> _ = scene.add(Text("mat").move_to([0, 2, 0]))
    >>> crowding(scene.mobjects[0], scene, "the square")
    ["'cat' overlaps or comes too near the square"]
    """
    zone = Box.of(keep_clear)
    return list(
        dict.fromkeys(
            f"{box.name!r} overlaps or comes too near {name}"
            for top in scene.mobjects
            if top is not keep_clear
            for part in _parts(top)
            if _visible(part) and (box := Box.of(part)).crowds(zone)
        )
    )


def layout_problems(texts: list[Box], objects: list[Box]) -> list[str]:
    """One line per pair of crowding texts and per object outside the frame.

    Examples
    --------
    >>> layout_problems([Box("cat", 0, 1, 0, 1), Box("mat", 0.5, 1.5, 0, 1)], [])
    ["'cat' overlaps or touches 'mat'"]
    >>> layout_problems([], [Box("Rectangle", 6.9, 7.5, 0, 1)])
    ["'Rectangle' runs off the frame"]
    """
    clashes = [
        f"{a.name!r} overlaps or touches {b.name!r}"
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if a.crowds(b)
    ]
    outside = [f"{o.name!r} runs off the frame" for o in objects + texts if not o.inside_frame()]
    return list(dict.fromkeys(clashes + outside))  # a text on its own is an object too
