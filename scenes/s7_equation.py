"""Chapter 7: softmax(QKᵀ/√d)·V assembled from the pieces the video built, then a closing line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    Square,
    SurroundingRectangle,
    Text,
    TransformFromCopy,
    VGroup,
    Wait,
    Write,
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
from scenes.kit.motion import cue_shares, word_share
from scenes.narration import BeatSlot, NarratedScene

__all__ = ["Equation", "role_glyphs"]

EQUATION_SIZE = 44
EQUATION_Y = 1.2
CALLOUT_TOP = -0.2  # callouts hang from here
CLOSING_Y = -0.4  # under the equation; the weights picture comes forward below it
ICON_SIDE = 1.3  # the largest side of a callout's miniature

ORDER = ("softmax", "q", "k", "scale", "v")  # the pieces in the order the narrator names them
SAID = ("softmax", "Q", "K", "root", "V")  # the word that names each piece
LEAD = 0.05  # share of the beat a piece's picture appears before its word
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

    Beats: ``assemble`` (as the narrator names each piece, its miniature of what the
    video showed appears and the symbol rises out of it into the equation: the weight
    matrix under softmax, the query, key and value matrices under Q, Kᵀ and V, the value
    of √d), ``close`` ("Ask, compare, blend." come out of Q, Kᵀ and V; the other callouts
    clear; the weights' miniature comes forward with the focus row's strongest key boxed:
    where a head looks, not why).
    """

    def construct(self) -> None:
        _, _, nums, header, row = self.open_chapter()
        equation, parts = role_glyphs(PIECES, EQUATION_SIZE)
        fit_width(equation, SAFE_WIDTH)
        equation.move_to([0, EQUATION_Y, 0])
        callouts = self.callouts(nums)
        place_callouts([parts[name] for name in ORDER], [callouts[name] for name in ORDER])
        links = VGroup(*(link(parts[name], callouts[name]) for name in ORDER))
        with self.beat("assemble") as beat:
            lhs = VGroup(*(parts[p] for p in LHS))
            # each piece starts a little before the narrator names it, and lasts until the next
            said = cue_shares(beat.plan.text, SAID, start=0.15)
            starts = [max(0.15, s - LEAD) for s in said] + [0.95]
            self.play(FadeIn(header, shift=0.2 * RIGHT), FadeIn(row), run_time=beat.share(0.1))
            self.play(Write(lhs), run_time=beat.share(starts[0] - 0.1))
            # each piece of the equation rises out of the picture it names
            for i, name in enumerate(ORDER):
                piece = VGroup(parts[name], parts["close"]) if name == "softmax" else parts[name]
                picture, span = callouts[name], max(starts[i + 1] - starts[i], 0.06)
                self.play(FadeIn(picture, shift=0.3 * UP), run_time=beat.share(0.4 * span))
                self.play(
                    TransformFromCopy(picture[0], piece),
                    Create(links[i]),
                    run_time=beat.share(0.6 * span),
                )
        self.play_close(equation, parts, callouts, links)

    def play_close(
        self,
        equation: Mobject,
        parts: dict[str, VGroup],
        callouts: dict[str, VGroup],
        links: VGroup,
    ) -> None:
        """The ``close`` beat: ask, compare, blend out of Q, Kᵀ and V; then the weights
        alone, with where the focus looks ringed: where, not why."""
        closing, words = self.closing_line()
        weights = callouts["softmax"]
        with self.beat("close") as beat:
            said = beat.plan.text
            ask, compare, blend, end = cue_shares(said, ("Ask", "compare", "blend", "That"))
            others = VGroup(links, *(callouts[name] for name in ORDER if name != "softmax"))
            self.play(FadeOut(others), equation.animate.shift(0.3 * DOWN),
                      run_time=beat.share(max(ask, 0.08)))  # fmt: skip
            # "Ask, compare, blend.": the query asks, meets the keys, the values blend
            cues = (("q", "ask", compare), ("k", "compare", blend), ("v", "blend", end))
            start = max(ask, 0.08)
            for name, word, until in cues:
                self.play(
                    TransformFromCopy(parts[name], words[word]),
                    run_time=beat.share(max(until - start, 0.04)),
                )
                start = max(until, start + 0.04)
            caveat = word_share(said, "weights", after=end)
            self.play(
                FadeIn(words["end"], shift=0.1 * LEFT),
                FadeOut(weights) if caveat is None else Wait(),
                run_time=beat.share(0.15),
            )
            if caveat is not None:  # the narrator goes on: weights show where, not why
                self.play_caveat(beat, caveat, closing, weights)

    def play_caveat(self, beat: BeatSlot, start: float, closing: Mobject, weights: VGroup) -> None:
        """ "Weights show where a head looks, not why": the weights' miniature comes forward,
        the focus row's strongest key is boxed, and "where it looks, not why" is written."""
        said = beat.plan.text
        looks, why = cue_shares(said, ("looks", "not why"), start=start)
        heat = weights[0]
        self.play(
            weights.animate.scale(1.2).next_to(closing, DOWN, buff=0.5),
            run_time=beat.share(max(looks - start, 0.1)),
        )
        ring = self.focus_ring(heat)
        self.play(Create(ring), run_time=beat.share(max(why - looks, 0.1)))
        note = text("where it looks, not why", size=LABEL, color=MUTED)
        note.next_to(heat, RIGHT, buff=0.4)
        self.play(Write(note), run_time=beat.share(max(0.95 - why, 0.1)))

    def focus_ring(self, heat: HeatGrid) -> Mobject:
        """A box round the focus row's strongest key in the weights' miniature."""
        ex = self.example
        f = ex.focus_index
        cell = heat.cell(f, int(ex.weights[f].argmax()))
        return SurroundingRectangle(cell, buff=0.0, color=TEXT, stroke_width=3)

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

    def closing_line(self) -> tuple[Mobject, dict[str, VGroup]]:
        """The closing line: "Ask, compare, blend." in the roles' colours, then the last words;
        returned whole and by word (``ask``, ``compare``, ``blend``, ``end``)."""
        # one Text, so every word sits on the same baseline
        line, words = role_glyphs(
            (("ask", "Ask, ", QUERY), ("compare", "compare, ", KEY), ("blend", "blend. ", VALUE),
             ("end", " That is attention.", TEXT)),
            BODY,
        )  # fmt: skip
        return fit_width(line.move_to([0, CLOSING_Y, 0]), SAFE_WIDTH), words


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
