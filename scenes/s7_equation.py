"""Chapter 7: softmax(QKᵀ/√d)·V assembled from the pieces the video built, then a closing line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    LaggedStart,
    Line,
    Mobject,
    Square,
    Text,
    VGroup,
    interpolate_color,
)
from manim.utils.color import ManimColor

from scenes.kit import (
    BACKGROUND,
    BODY,
    FONT,
    FRAME_WIDTH,
    GRID,
    KEY,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    VALUE,
    WEIGHT,
    HeatGrid,
    KitText,
    Numbers,
    fit_width,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["Equation", "role_glyphs"]

EQUATION_SIZE = 44
EQUATION_Y = 1.2
CALLOUT_TOP = -0.2  # callouts hang from here
CLOSING_Y = -1.6
ICON_SIDE = 1.3  # the largest side of a callout's miniature

LHS = ("attention", "lhs_q", "comma1", "lhs_k", "comma2", "lhs_v", "equals")
# The equation, piece by piece, with each piece's role colour: softmax and its brackets are
# weights, Q queries, Kᵀ keys, V values; the scale is neutral.
PIECES: tuple[tuple[str, str, str], ...] = (
    ("attention", "Attention(", TEXT),
    ("lhs_q", "Q", QUERY),
    ("comma1", ", ", TEXT),
    ("lhs_k", "K", KEY),
    ("comma2", ", ", TEXT),
    ("lhs_v", "V", VALUE),
    ("equals", ") = ", TEXT),
    ("softmax", "softmax(", WEIGHT),
    ("q", "Q", QUERY),
    ("k", "Kᵀ", KEY),
    ("scale", " / √d", TEXT),
    ("close", ")", WEIGHT),
    ("v", " V", VALUE),
)


def role_glyphs(
    pieces: Sequence[tuple[str, str, str]], size: float
) -> tuple[Text, dict[str, VGroup]]:
    """One Text of all ``pieces`` and, per piece name, the VGroup of its glyphs, coloured.

    A Text has one glyph per non-space character, so glyphs are counted past spaces.

    Examples
    --------
    >>> eq, parts = role_glyphs((("a", "x = ", TEXT), ("b", "Q", QUERY)), 30)
    >>> len(parts["a"]), len(parts["b"])
    (2, 1)
    """
    whole = KitText("".join(p[1] for p in pieces), font=FONT, font_size=size, color=TEXT)
    parts: dict[str, VGroup] = {}
    i = 0
    for name, chars, color in pieces:
        n = sum(1 for c in chars if not c.isspace())
        parts[name] = VGroup(*whole.submobjects[i : i + n]).set_color(color)
        i += n
    return whole, parts


class Equation(NarratedScene):
    """The attention equation, each symbol in its role colour with a callout to its chapter.

    Beats: ``assemble`` (the equation appears piece by piece as the narrator names it, each
    with a miniature of what the video showed: the weight matrix under softmax, the query,
    key and value matrices under Q, Kᵀ and V, the value of √d), ``close`` (the callouts
    clear for the closing line).
    """

    def construct(self) -> None:
        _, _, nums, header, row = self.open_chapter()
        equation, parts = role_glyphs(PIECES, EQUATION_SIZE)
        fit_width(equation, SAFE_WIDTH)
        equation.move_to([0, EQUATION_Y, 0])
        order = ("softmax", "q", "k", "scale", "v")
        callouts = self.callouts(nums)
        place_callouts([parts[name] for name in order], [callouts[name] for name in order])
        links = VGroup(*(link(parts[name], callouts[name]) for name in order))
        with self.beat("assemble") as beat:
            lhs = VGroup(*(parts[p] for p in LHS))
            self.play(FadeIn(header, shift=0.2 * RIGHT), FadeIn(row), FadeIn(lhs),
                      run_time=beat.share(0.15))  # fmt: skip
            steps = []
            for i, name in enumerate(order):
                piece = VGroup(parts[name], parts["close"]) if name == "softmax" else parts[name]
                steps.append(FadeIn(VGroup(piece, links[i], callouts[name]), shift=0.15 * UP))
            self.play(LaggedStart(*steps, lag_ratio=0.7), run_time=beat.share(0.7))
        closing = self.closing_line()
        with self.beat("close") as beat:
            self.play(
                FadeOut(VGroup(links, *callouts.values())),
                equation.animate.shift(0.3 * DOWN),
                run_time=beat.share(0.25),
            )
            self.play(FadeIn(closing, shift=0.15 * UP), run_time=beat.share(0.3))

    def callouts(self, nums: Numbers) -> dict[str, VGroup]:
        """A miniature and a caption for each piece of the equation."""
        ex = self.example
        heat = HeatGrid(
            ex.weights, ex.tokens, labels=False, captions=False, numbers=False,
            max_width=ICON_SIDE, max_height=ICON_SIDE, max_cell=0.25,
            vmin=float(ex.weights.min()),
        )  # fmt: skip
        root = VGroup(text("√", size=BODY), nums.text("d_head", decimals=0, size=BODY))
        scale = VGroup(
            root.arrange(RIGHT, buff=0.04),
            text("=", size=BODY),
            nums.text("sqrt_d_head", size=BODY),
        ).arrange(RIGHT, buff=0.15)
        return {
            "softmax": caption_under(heat, "weights", WEIGHT),
            "q": caption_under(icon(ex.q, QUERY), "queries", QUERY),
            "k": caption_under(icon(ex.k.T, KEY), "keys", KEY),
            "scale": caption_under(scale, "d: head size", MUTED),
            "v": caption_under(icon(ex.v, VALUE), "values", VALUE),
        }

    def closing_line(self) -> VGroup:
        """The closing line: "Ask, compare, blend." in the roles' colours, then the last words."""
        # one Text, so every word sits on the same baseline
        words, _ = role_glyphs(
            (("ask", "Ask, ", QUERY), ("compare", "compare, ", KEY), ("blend", "blend. ", VALUE),
             ("end", " That is attention.", TEXT)),
            BODY,
        )  # fmt: skip
        return fit_width(words.move_to([0, CLOSING_Y, 0]), SAFE_WIDTH)


def icon(matrix: np.ndarray, color: str) -> VGroup:
    """A miniature of ``matrix``: one square per entry, brighter for larger magnitudes.

    No numbers: it recalls the shape and the role colour of what the chapters showed.
    """
    m = np.asarray(matrix, dtype=np.float64)  # (rows, cols)
    rows, cols = m.shape
    side = min(ICON_SIDE / max(rows, cols), 0.22)
    top = float(np.abs(m).max()) or 1.0
    cells = VGroup()
    for i in range(rows):
        for j in range(cols):
            t = 0.15 + 0.85 * abs(m[i, j]) / top
            cells.add(
                Square(
                    side_length=side,
                    fill_color=interpolate_color(ManimColor(GRID), ManimColor(color), t),
                    fill_opacity=1.0,
                    stroke_color=BACKGROUND,
                    stroke_width=1,
                ).move_to([j * side, -i * side, 0])
            )
    return cells


def caption_under(visual: Mobject, words: str, color: str) -> VGroup:
    """``visual`` with ``words`` centred under it, in ``color``."""
    label = text(words, size=LABEL, color=color).next_to(visual, DOWN, buff=0.15)
    return VGroup(visual, label)


def place_callouts(
    pieces: Sequence[Mobject], callouts: Sequence[Mobject], gap: float = 0.35
) -> None:
    """Hang each callout under its piece, pushed apart so none overlap, inside the frame."""
    xs = [p.get_x() for p in pieces]
    widths = [c.width for c in callouts]
    placed: list[float] = []
    for x, w in zip(xs, widths, strict=True):
        if placed:
            least = placed[-1] + (widths[len(placed) - 1] + w) / 2 + gap
            x = max(x, least)
        placed.append(x)
    # re-centre the row on the pieces, then keep it inside the frame
    left = placed[0] - widths[0] / 2
    right = placed[-1] + widths[-1] / 2
    shift = float(np.mean(xs)) - (left + right) / 2
    half = FRAME_WIDTH / 2 - MARGIN
    shift = min(max(shift, -half - left), half - right)
    for c, x in zip(callouts, placed, strict=True):
        c.move_to([x + shift, 0, 0]).align_to([0, CALLOUT_TOP, 0], UP)


def link(piece: Mobject, callout: Mobject) -> Line:
    """A faint line from a piece of the equation down to its callout."""
    return Line(
        piece.get_bottom() + 0.1 * DOWN,
        callout.get_top() + 0.08 * UP,
        stroke_width=1.5,
        color=MUTED,
    )
