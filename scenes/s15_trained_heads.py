"""Chapter "trained heads": every head of a trained model on the sentence, then three of them.

All 72 heads (6 layers of 12) as small heat maps in one mosaic; then the heads the narration
names, each picked by measurement (:func:`attention.story.head_story.story_heads`): the heads whose
habit is the previous or next token (outlined and counted) and the strongest one's share, the
heads that park more than half their weight on [CLS] and [SEP] (outlined, counted) and the
strongest one's share, and the story head, where the focus word links most to another word,
with the count of heads that follow no single habit and of those that link the focus. Every
number is the ledger's: ``previous_weight[l, h]``, ``habit_counts[k]``, ``sink_heads``,
``sink_weight[l, h]``, ``word_attention[l, h, i, w]``, ``link_heads``.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    Mobject,
    ReplacementTransform,
    VGroup,
)

from scenes.kit import (
    CONTENT_BOTTOM,
    COUNTED,
    FRAME_WIDTH,
    HABITS,
    KEY,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    SMALL_NUMBER,
    TEXT,
    WEIGHT,
    HeadMosaic,
    HeadPattern,
    HeatImage,
    Numbers,
    caption,
    fit_width,
    head_name,
    measure_roles,
    story_heads,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["TrainedHeads"]

GRID_TOP = 3.05  # the full mosaic's head labels start here (under the header's line)
GRID_BOTTOM = -2.95
NOTE_Y = -3.35
SMALL_RIGHT = 0.6  # the small mosaic keeps left of this
PANEL_LEFT = 1.1  # the panel for one head starts here
PANEL_TOP = 2.8
HEAT_SIDE = 3.9
LINE_GAP = 0.42  # between the panel's text lines


class TrainedHeads(NarratedScene):
    """Every head on the sentence, then a positional head, the sinks, and a word link.

    Beats: ``grid`` (the 6 x 12 mosaic, labelled), ``positional`` (the mosaic moves left;
    the previous- and next-token heads outlined and counted, the strongest grows beside it
    with its habit and share), ``sinks`` (the heads with more than half their weight on [CLS]
    and [SEP] outlined, their count, the strongest one's share with both columns boxed, why
    softmax puts weight somewhere), ``link`` (the story head's focus row and its word link
    with the weight, and whether it is a link; the heads with no single habit bright and
    counted, and how many of them link the focus).
    """

    def construct(self) -> None:
        ex, _, nums, header, _ = self.open_chapter()
        self.heads = story_heads(ex)
        big = HeadMosaic.of_weights(ex.attention, width=SAFE_WIDTH,
                                    height=GRID_TOP - GRID_BOTTOM)  # fmt: skip
        big.shift([0, GRID_TOP - big.get_top()[1], 0]).set_x(0)
        size = self.size_note(nums).move_to([0, NOTE_Y, 0])
        with self.beat("grid") as beat:
            self.play(FadeIn(header), run_time=beat.share(0.1))
            self.play(FadeIn(big), run_time=beat.share(0.35))
            self.play(FadeIn(size, shift=0.1 * UP), run_time=beat.share(0.2))
        small = self.small_mosaic()
        self.size = size
        self.play_positional(nums, big, small)
        self.play_sinks(nums, small)
        self.play_link(nums, small)

    def small_mosaic(self) -> HeadMosaic:
        """The mosaic at the left, level with the large head, leaving the right for it."""
        width = SMALL_RIGHT + FRAME_WIDTH / 2 - MARGIN
        small = HeadMosaic.of_weights(self.example.attention, width=width, height=3.6)
        small.shift([-FRAME_WIDTH / 2 + MARGIN - small.get_left()[0],
                     PANEL_TOP - small.get_top()[1], 0])  # fmt: skip
        return small

    def size_note(self, nums: Numbers) -> VGroup:
        """ "6 layers × 12 heads; in each square, rows are queries and columns keys"."""
        return fit_width(VGroup(
            nums.text("n_layers", label="layers", decimals=0, size=LABEL),
            text("layers ×", size=LABEL, color=MUTED),
            nums.text("n_heads", label="heads per layer", decimals=0, size=LABEL),
            text("heads; in each square, rows are queries and columns keys", size=LABEL,
                 color=MUTED),
        ).arrange(RIGHT, buff=0.14), SAFE_WIDTH)  # fmt: skip

    # -- beats ---------------------------------------------------------------------------

    def play_positional(self, nums: Numbers, big: HeadMosaic, small: HeadMosaic) -> None:
        p = self.heads.positional
        kind = p.stronger("previous", "next")
        layer, h = p.layer, p.head
        heat, axes = self.panel_heat(p)
        habit = f"habit: the {HABITS[kind]}" if p.habit == kind else "no habit; the closest"
        lines = self.panel_lines([
            [text(head_name(p.layer, p.head), size=LABEL, color=TEXT)],
            [text(habit, size=LABEL, color=TEXT)],
            [nums.text(f"{kind}_weight[{layer}, {h}]", label=f"{kind}-token share", size=LABEL,
                       color=WEIGHT),
             text(f"of its weight on the {kind} token,", size=LABEL, color=MUTED)],
            [caption("all its rows together")],
        ])  # fmt: skip
        neighbours = [q for q in self.heads.all if q.habit in ("previous", "next")]
        rings = VGroup(*(small.tile_box(q.layer, q.head, TEXT, 2.0) for q in neighbours))
        count = self.mosaic_lines(small, [
            [text("heads (outlined) with more than half their weight", size=LABEL)],
            [text("on the previous token:", size=LABEL),
             nums.text(f"habit_counts[{COUNTED.index('previous')}]",
                       label="previous-token heads", decimals=0, size=LABEL),
             text("·  on the next:", size=LABEL),
             nums.text(f"habit_counts[{COUNTED.index('next')}]", label="next-token heads",
                       decimals=0, size=LABEL)],
        ])  # fmt: skip
        ring = small.tile_box(layer, h, TEXT, 5.0)
        with self.beat("positional") as beat:
            self.play(ReplacementTransform(big, small), FadeOut(self.size),
                      run_time=beat.share(0.3))  # fmt: skip
            self.play(*(Create(r) for r in rings), Create(ring), FadeIn(count),
                      run_time=beat.share(0.15))  # fmt: skip
            self.play(FadeIn(heat, target_position=ring, scale=0.2), FadeIn(axes),
                      run_time=beat.share(0.2))  # fmt: skip
            self.play(FadeIn(lines, shift=0.1 * UP), run_time=beat.share(0.2))
        self.panel = Group(heat, axes, lines, ring, rings, count)

    def sink_axes(self, heat: HeatImage) -> VGroup:
        """The [CLS] and [SEP] columns of the large head boxed and named above it."""
        start, end, _ = measure_roles(self.example.record.tokens)
        axes = axis_names(heat, (None, "queries"), (None, ""))
        for columns in (start, end):
            if columns:
                name = self.example.tokens[columns[0]]
                axes.add(axis_names(heat, (None, ""), (list(columns), name)))
                axes.add(heat.columns_box(list(columns), KEY))
        return axes

    def play_sinks(self, nums: Numbers, small: HeadMosaic) -> None:
        s = self.heads.sink
        layer, h = s.layer, s.head
        heat, _ = self.panel_heat(s)
        axes = self.sink_axes(heat)
        sinks = [p for p in self.heads.all if p.habit == "sink"]
        rings = VGroup(*(small.tile_box(p.layer, p.head, TEXT, 2.0) for p in sinks))
        strongest = small.tile_box(layer, h, TEXT, 5.0)
        count = self.mosaic_lines(small, [
            [nums.text("sink_heads", label="heads parked on [CLS] and [SEP]", decimals=0,
                       size=LABEL),
             text("heads (outlined) put more than half their", size=LABEL)],
            [text("weight on [CLS] and [SEP] together", size=LABEL)],
        ])  # fmt: skip
        lines = self.panel_lines([
            [text(f"{head_name(s.layer, s.head)}: [CLS] and [SEP] take", size=LABEL),
             nums.text(f"sink_weight[{layer}, {h}]", label="[CLS] and [SEP] share", size=LABEL,
                       color=WEIGHT)],
            [caption("every row must add up to one: with")],
            [caption("nothing to find, a head still puts")],
            [caption("its weight somewhere")],
        ])  # fmt: skip
        with self.beat("sinks") as beat:
            self.play(FadeOut(self.panel), run_time=beat.share(0.15))
            self.play(LaggedStart(*(Create(r) for r in rings), lag_ratio=0.02),
                      FadeIn(count, shift=0.1 * UP), run_time=beat.share(0.25))  # fmt: skip
            self.play(Create(strongest), FadeIn(heat), FadeIn(axes), run_time=beat.share(0.2))
            self.play(FadeIn(lines, shift=0.1 * UP), run_time=beat.share(0.25))
        self.panel = Group(heat, axes, lines, rings, strongest, count)

    def play_link(self, nums: Numbers, small: HeadMosaic) -> None:
        ex, p = self.example, self.heads.link
        layer, h, f = p.layer, p.head, ex.focus_index
        word = p.link[0]
        tokens = ex.record.tokens
        heat, _ = self.panel_heat(p)
        pieces = list(tokens.tokens_of(word))
        axes = axis_names(heat, (f, ex.focus), (pieces, tokens.words[word]))
        mixed = {(q.layer, q.head) for q in self.heads.all if q.habit is None}
        veil = VGroup(*(small.tile_veil(q.layer, q.head) for q in self.heads.all
                        if (q.layer, q.head) not in mixed))  # fmt: skip
        count = self.mosaic_lines(small, [
            [nums.text(f"habit_counts[{COUNTED.index('mixed')}]", label="mixed heads",
                       decimals=0, size=LABEL),
             text("heads (bright) follow no single habit here;", size=LABEL, color=TEXT)],
            [text("in", size=LABEL),
             nums.text("link_heads", label="heads linking the focus", decimals=0, size=LABEL),
             text("of them,", size=LABEL), text(ex.focus, size=LABEL, color=QUERY),
             text("gives one word a third of its weight", size=LABEL)],
            [text("or more, more than any other word gets", size=LABEL)],
        ])  # fmt: skip
        verdict = ("a link: a third of its weight or more, its top word" if p.links
                   else "no link: no word takes a third ahead of the rest")  # fmt: skip
        lines = self.panel_lines([
            [text(head_name(p.layer, p.head), size=LABEL, color=TEXT)],
            [text(ex.focus, size=LABEL, color=QUERY), text("gives", size=LABEL, color=MUTED),
             text(tokens.words[word], size=LABEL, color=KEY),
             nums.text(f"word_attention[{layer}, {h}, {f}, {word}]", label="link weight",
                       size=LABEL, color=WEIGHT)],
            [caption(verdict)],
        ])  # fmt: skip
        marks = VGroup(heat.row_box(f, QUERY), heat.columns_box(pieces, KEY))
        with self.beat("link") as beat:
            self.play(FadeOut(self.panel), run_time=beat.share(0.15))
            self.play(Create(small.tile_box(layer, h, TEXT, 5.0)), FadeIn(heat), FadeIn(axes),
                      run_time=beat.share(0.2))  # fmt: skip
            self.play(Create(marks), FadeIn(lines, shift=0.1 * UP), run_time=beat.share(0.3))
            self.play(FadeIn(veil), FadeIn(count, shift=0.1 * UP), run_time=beat.share(0.25))

    # -- the panel for one head ----------------------------------------------------------

    def panel_heat(self, p: HeadPattern) -> tuple[HeatImage, VGroup]:
        """Head ``p``'s weights, large, right of the mosaic, with its axes named."""
        heat = HeatImage(self.example.attention[p.layer, p.head], side=HEAT_SIDE)
        centre_x = (PANEL_LEFT + FRAME_WIDTH / 2 - MARGIN) / 2 + 0.2
        heat.move_to([centre_x, PANEL_TOP - 0.35 - HEAT_SIDE / 2, 0])
        return heat, axis_names(heat, (None, "queries"), (None, "keys"))

    def panel_lines(self, rows: list[list[Mobject]]) -> VGroup:
        """Lines of text under the large head, left-aligned with the panel."""
        lines = text_lines(rows, FRAME_WIDTH / 2 - MARGIN - PANEL_LEFT)
        top = PANEL_TOP - 0.35 - HEAT_SIDE - 0.3
        return lines.move_to([0, top, 0], aligned_edge=UP).align_to([PANEL_LEFT, 0, 0], LEFT)

    def mosaic_lines(self, small: HeadMosaic, rows: list[list[Mobject]]) -> VGroup:
        """Lines of text under the small mosaic, left-aligned with its tiles."""
        width = SMALL_RIGHT + FRAME_WIDTH / 2 - MARGIN
        lines = text_lines(rows, width)
        return lines.next_to(small, DOWN, buff=0.45).align_to(small, LEFT)


def axis_names(
    heat: HeatImage, row: tuple[int | None, str], columns: tuple[list[int] | None, str]
) -> VGroup:
    """The rows' name left of the map and the columns' above it: "queries" and "keys"
    centred, or a token's word beside its own row or above its own columns."""
    names = VGroup()
    index, word = row
    if word:
        label = text(word, size=SMALL_NUMBER, color=QUERY)
        if index is None:
            label.rotate(np.pi / 2).next_to(heat, LEFT, buff=0.12)
        else:
            label.next_to(heat, LEFT, buff=0.12).set_y(heat.cell(index, 0)[1])
        names.add(label)
    cols, word = columns
    if not word:
        return names
    label = text(word, size=SMALL_NUMBER, color=KEY).next_to(heat, UP, buff=0.1)
    if cols is not None:
        label.set_x((heat.cell(0, min(cols))[0] + heat.cell(0, max(cols))[0]) / 2)
        label.shift([max(0.0, heat.get_left()[0] - label.get_left()[0])
                     + min(0.0, heat.get_right()[0] - label.get_right()[0]), 0, 0])  # fmt: skip
    return names.add(label)


def text_lines(rows: list[list[Mobject]], width: float) -> VGroup:
    lines = VGroup(*(VGroup(*row).arrange(RIGHT, buff=0.14) for row in rows))
    lines.arrange(DOWN, buff=LINE_GAP - 0.3, aligned_edge=LEFT)
    fit_width(lines, width)
    if lines.get_bottom()[1] < CONTENT_BOTTOM:
        lines.shift([0, CONTENT_BOTTOM - lines.get_bottom()[1], 0])
    return lines
