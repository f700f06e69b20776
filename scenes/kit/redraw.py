"""Which mobjects a frame of an animation must redraw: the moving ones and what overlaps them.

Manim's Cairo renderer paints the mobjects that do not move once, into a static image, and
redraws the moving ones on every frame. To keep the drawing order it counts as moving every
mobject that comes after the first moving one in the scene's list. A chapter adds its token
row, header and pipeline map first, so when one chip pulses or the map lights a stage, every
number added later is redrawn on every frame: two to three times the paths the animation
moves (measured on chapters 2, 6 and 7).

:func:`needs_redraw` keeps Manim's order but drops, from what Manim would redraw, each
mobject that neither moves nor overlaps a box the animation can sweep, nor anything redrawn
before it: such a mobject shares no pixel with anything redrawn, so painting it once under
them leaves every frame exactly as Manim draws it. The swept box is known only for the
animations whose extent is (transforms to a target without an arc, fades with their shift
and scale, drawing and growing in place, and groups of those) and for updaters that only
recolour (the pipeline map); for anything else Manim's own choice stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from manim import (
    Animation,
    AnimationGroup,
    Create,
    Mobject,
    Scene,
    Succession,
    Transform,
    Uncreate,
    Wait,
    Write,
)
from manim.animation.fading import _Fade
from numpy.typing import NDArray

__all__ = ["draw_no_frames", "needs_redraw"]

Box = NDArray[np.float64]  # (2, 2): [[x_min, y_min], [x_max, y_max]]
# wider than any stroke or glyph's anti-aliasing, at any quality
MARGIN = 0.12
KNOWN_EXTENT = (Create, Uncreate, Write, Wait)


def _box(mob: Mobject) -> Box | None:
    points = mob.get_all_points()
    if len(points) == 0:
        return None
    return np.array([points[:, :2].min(axis=0), points[:, :2].max(axis=0)])


def _hull(*boxes: Box | None) -> Box | None:
    """The box round ``boxes``: all a point moving in a straight line between them can reach."""
    found = [b for b in boxes if b is not None]
    if not found:
        return None
    return np.array([np.min([b[0] for b in found], axis=0), np.max([b[1] for b in found], axis=0)])


def _faded(box: Box | None, fade: _Fade) -> Box | None:
    """Where a fade paints: from its box to the box shifted and scaled about its centre."""
    if box is None:
        return None
    centre, half = box.mean(axis=0), (box[1] - box[0]) / 2 * max(1.0, float(fade.scale_factor))
    shift = np.asarray(fade.shift_vector, dtype=float)[:2]
    return _hull(box, np.array([centre - half + shift, centre + half + shift]))


def _swept(animation: Animation) -> list[Box | None] | None:
    """The boxes ``animation`` can paint in, or ``None`` when that is not known."""
    if isinstance(animation, AnimationGroup):
        boxes: list[Box | None] = [_box(animation.mobject)]
        for inner in animation.animations:
            swept = _swept(inner)
            if swept is None:
                return None
            boxes += swept
        # in a succession a later part starts where an earlier one left its mobject
        return [_hull(*boxes)] if isinstance(animation, Succession) else boxes
    start = _box(animation.mobject)
    if isinstance(animation, Transform):
        if getattr(animation, "path_arc", 0):
            return None  # an arc can leave both boxes
        target = getattr(animation, "target_copy", None) or animation.target_mobject
        # points move in straight lines from start to target: the hull holds every frame
        return [_hull(start, _box(target) if target is not None else None)]
    if isinstance(animation, _Fade):
        return [_faded(start, animation)]
    if isinstance(animation, KNOWN_EXTENT):
        return [start]
    return None


def _overlaps(box: Box | None, swept: Sequence[Box]) -> bool:
    if box is None:
        return False
    return any(
        bool(np.all(box[0] <= s[1] + MARGIN) and np.all(s[0] <= box[1] + MARGIN)) for s in swept
    )


def needs_redraw(
    manims_choice: Sequence[Mobject],
    animations: Sequence[Animation],
    recolour_only: Iterable[Mobject],
    foreground: Iterable[Mobject],
    *,
    use_z_index: bool = True,
) -> list[Mobject]:
    """What of ``manims_choice`` (Manim's moving mobjects, in its order) must be redrawn.

    ``recolour_only`` are mobjects whose updaters change colours, never shapes or places;
    ``use_z_index`` says whether the camera draws in ``z_index`` order (Manim's default).

    Examples
    --------
    >>> from manim import Circle, Square, FadeIn, RIGHT
    >>> far, near, mover = Square().shift(4 * RIGHT), Square(), Circle()
    >>> needs_redraw([far, near, mover], [FadeIn(mover)], [], []) == [near, mover]
    True
    """
    moving: set[Mobject] = set()
    boxes: list[Box | None] = []
    for animation in animations:
        swept = _swept(animation)
        if swept is None:
            return list(manims_choice)
        boxes += swept
        moving.update(animation.mobject.get_family())
    still_shaped = set(recolour_only)
    for mob in manims_choice:
        if mob.updaters:
            if mob not in still_shaped:
                return list(manims_choice)
            boxes.append(_box(mob))
            moving.update(mob.get_family())
    for mob in foreground:
        moving.update(mob.get_family())
    # in drawing order, a still mobject over anything redrawn is redrawn too (so it stays
    # on top), and then whatever lies over it
    dirty = [box for box in boxes if box is not None]
    order = sorted(manims_choice, key=lambda m: m.z_index) if use_z_index else manims_choice
    redrawn = set()
    for mob in order:
        if mob in moving:
            redrawn.add(mob)
        elif mob.has_points() and _overlaps(box := _box(mob), dirty):
            redrawn.add(mob)
            dirty.append(box)  # type: ignore[arg-type]
    return [m for m in manims_choice if m in redrawn]


def draw_no_frames(scene: Scene) -> None:
    """Let ``scene`` build and play without drawing a frame.

    Manim draws one or two frames per animation even in a dry run (a third to a half of
    its time); checks that read only geometry (layout, the ledger) never look at them.

    Examples
    --------
    >>> from manim import Scene, tempconfig
    >>> with tempconfig({"dry_run": True}):
    ...     scene = Scene()
    ...     draw_no_frames(scene)
    ...     scene.renderer.update_frame(scene) is None
    True
    """
    scene.renderer.update_frame = _draw_nothing  # type: ignore[method-assign]


def _draw_nothing(*args: object, **kwargs: object) -> None:
    """Stands in for the renderer's ``update_frame``."""
