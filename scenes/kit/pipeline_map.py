"""The pipeline map: a small strip at the foot of the frame, x → q k v → scores → weights →
output, that lights the stage the narration is at, so the viewer always knows where they are.

The stage a chapter (or one of its beats) lights is declared once, in the chapter's row of
:mod:`scenes.catalogue`; :class:`scenes.narration.NarratedScene` draws the map and relights
it as each beat starts. A lit stage wears its role's colour (query yellow, key teal, ...);
the others stay dark grey chips (the grid's grey, a step above the background) with muted
names.

Examples
--------
>>> strip = PipelineMap()
>>> strip.light("scores")
>>> strip.settle()
>>> [name for name, level in strip.levels.items() if level == 1.0]
['scores']
>>> bool(strip.get_bottom()[1] >= -FRAME_HEIGHT / 2)
True
"""

from __future__ import annotations

from manim import RIGHT, Arrow, ManimColor, RoundedRectangle, VGroup, interpolate_color

from scenes.kit.palette import GRID, KEY, MUTED, OUTPUT, QUERY, TEXT, VALUE, WEIGHT
from scenes.kit.style import FRAME_HEIGHT, MARGIN, text

__all__ = ["MAP_BOTTOM", "MAP_TOP", "STAGES", "STAGE_GROUPS", "PipelineMap", "stage_nodes"]

# the map's nodes, left to right, and the role colour each wears when lit: scores have no
# role of their own, so they light in the text colour, like the embedding
STAGE_COLORS: dict[str, str] = {
    "x": TEXT,
    "q": QUERY,
    "k": KEY,
    "v": VALUE,
    "scores": TEXT,
    "weights": WEIGHT,
    "output": OUTPUT,
}
STAGES: tuple[str, ...] = tuple(STAGE_COLORS)
# names a chapter may light that stand for several nodes
STAGE_GROUPS: dict[str, tuple[str, ...]] = {"qkv": ("q", "k", "v"), "all": STAGES}

LABEL_SIZE = 18  # the names: the kit's smallest size (capitals about 11 px tall at 480p)
NODE_HEIGHT = 0.36
NODE_PAD = 0.13  # between a name and its chip's edge
NODE_GAP = 0.08  # between the q, k and v chips, which sit together as one stage
ARROW_LENGTH = 0.42
MAP_BOTTOM = -FRAME_HEIGHT / 2 + MARGIN / 2  # half the usual margin: the map is furniture
MAP_TOP = MAP_BOTTOM + NODE_HEIGHT  # a chapter that draws the map keeps its content above
LIGHT_SECONDS = 0.5  # a stage lights up (or goes dark) over this long


def stage_nodes(stage: str) -> tuple[str, ...]:
    """The nodes ``stage`` lights: itself, or the members of a group ("qkv", "all").

    Raises
    ------
    ValueError
        If ``stage`` is neither a node nor a group (the message lists both).

    Examples
    --------
    >>> stage_nodes("qkv"), stage_nodes("weights")
    (('q', 'k', 'v'), ('weights',))
    """
    if stage in STAGE_GROUPS:
        return STAGE_GROUPS[stage]
    if stage in STAGE_COLORS:
        return (stage,)
    known = ", ".join((*STAGES, *STAGE_GROUPS))
    raise ValueError(f"unknown pipeline stage {stage!r}: use one of {known}")


class PipelineMap(VGroup):
    """x → q k v → scores → weights → output, as chips joined by arrows, bottom-centre.

    :meth:`light` names what to light; :meth:`step` moves each chip's light towards it
    (call it every frame, e.g. from an updater) and :meth:`settle` finishes at once.

    Examples
    --------
    >>> strip = PipelineMap()
    >>> strip.light("qkv")
    >>> strip.step(LIGHT_SECONDS / 2)
    >>> strip.levels["q"], strip.settled
    (0.5, False)
    """

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, VGroup] = {name: self._node(name) for name in STAGES}
        self.levels: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.targets: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        qkv = VGroup(*(self.nodes[n] for n in ("q", "k", "v"))).arrange(RIGHT, buff=NODE_GAP)
        steps = [self.nodes["x"], qkv, *(self.nodes[n] for n in ("scores", "weights", "output"))]
        placed = VGroup(*steps).arrange(RIGHT, buff=ARROW_LENGTH)
        self.arrows = VGroup(
            *(
                Arrow(a.get_right(), b.get_left(), buff=0.06, stroke_width=2,
                      tip_length=0.1, max_tip_length_to_length_ratio=0.4, color=MUTED)
                for a, b in zip(steps, steps[1:], strict=False)
            )
        )  # fmt: skip
        self.add(placed, self.arrows)
        self.move_to([0, MAP_BOTTOM + self.height / 2, 0])
        self._show_levels()

    @staticmethod
    def _node(name: str) -> VGroup:
        label = text(name, size=LABEL_SIZE, color=MUTED)
        box = RoundedRectangle(
            corner_radius=0.08,
            width=max(label.width + 2 * NODE_PAD, NODE_HEIGHT),
            height=NODE_HEIGHT,
            fill_color=GRID,
            fill_opacity=1.0,
            stroke_color=GRID,
            stroke_width=1.5,
        )
        # every name sits on one baseline: centre a capital H, keep the name beside it
        probe = text("H" + name, size=LABEL_SIZE)
        rise = VGroup(*probe[1:]).get_center()[1] - probe[0].get_center()[1]
        return VGroup(box, label.move_to(box).shift([0, rise, 0]))

    def light(self, stage: str | None) -> None:
        """Light the nodes of ``stage`` (a node, "qkv" or "all"), darken the rest; ``None``
        darkens all. The change shows as :meth:`step` is called."""
        lit = stage_nodes(stage) if stage is not None else ()
        self.targets = {name: float(name in lit) for name in STAGES}

    @property
    def settled(self) -> bool:
        """Whether every chip shows the light it was asked for."""
        return self.levels == self.targets

    def step(self, dt: float) -> None:
        """Move each chip's light ``dt`` seconds towards its target (a linear ramp)."""
        for name, target in self.targets.items():
            level, change = self.levels[name], dt / LIGHT_SECONDS
            self.levels[name] = (
                min(target, level + change) if target > level else max(target, level - change)
            )
        self._show_levels()

    def settle(self) -> None:
        """Show the lights asked for, at once."""
        self.levels = dict(self.targets)
        self._show_levels()

    def seconds_to_settle(self) -> float:
        """How long :meth:`step` still needs to reach the lights asked for."""
        return max(abs(self.targets[n] - self.levels[n]) for n in STAGES) * LIGHT_SECONDS

    def _show_levels(self) -> None:
        for name, (box, label) in self.nodes.items():
            # smoothstep: the light eases in and out rather than ramping
            level = self.levels[name] ** 2 * (3 - 2 * self.levels[name])
            role = ManimColor(STAGE_COLORS[name])
            box.set_stroke(interpolate_color(ManimColor(GRID), role, level), 1.5 + 1.5 * level)
            box.set_fill(interpolate_color(ManimColor(GRID), role, 0.22 * level))
            label.set_color(interpolate_color(ManimColor(MUTED), role, level))
