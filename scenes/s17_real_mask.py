"""Chapter "real causal mask": one head of the decoder, its upper triangle exactly zero.

The row head (:func:`attention.story.decoder_chapters.decoder_story`) on the prompt as a heat
grid, written row by row: each query lights only the keys it may read (itself and those
before it); every cell above the diagonal is exactly zero, a quiet dot, recorded in the
ledger as a blank (``attention[l, h, i, j]`` rounds to 0.00); the first token's row holds
its whole weight, 1.00, on itself, and the last token's weight on it is shown.
"""

from __future__ import annotations

from manim import (
    LEFT,
    RIGHT,
    UP,
    Circumscribe,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    Succession,
    Transform,
    VGroup,
    there_and_back,
)

from scenes.kit import (
    BACKGROUND,
    FRAME_WIDTH,
    GRID,
    KEY,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    TEXT,
    WEIGHT,
    HeatGrid,
    caption,
    fit_width,
    head_name,
    text,
)
from scenes.kit.decoder import decoder_story, piece_label
from scenes.kit.motion import cued_spans
from scenes.narration import BeatSlot, NarratedScene

__all__ = ["RealCausalMask"]

GRID_TOP = 3.0
GRID_BOTTOM = -3.4
GRID_RIGHT = 1.0  # the grid keeps left of this; the notes right of it
NOTES_LEFT = 1.5


class RealCausalMask(NarratedScene):
    """The row head's weights: rows written one by one, the later cells empty and zero.

    Beats: ``grid`` (the head named; each row lights the cells it may read, one row after
    another), ``zeros`` (on "exactly zero" a quiet dot falls into every cell above the
    diagonal, and the triangle is outlined; the reason written beside), ``first`` (the
    first row boxed with its 1.00; the first column boxed with the last token's weight on it).
    """

    def construct(self) -> None:
        ex, _, nums, header, _ = self.open_chapter()
        self.nums = nums
        layer, head, _ = decoder_story(ex).row
        n = ex.n_tokens
        w = ex.attention[layer, head]
        grid = HeatGrid(w, [piece_label(t) for t in ex.record.tokens.tokens], numbers=False,
                        max_width=GRID_RIGHT + FRAME_WIDTH / 2 - MARGIN,
                        max_height=GRID_TOP - GRID_BOTTOM, max_cell=0.9)  # fmt: skip
        grid.move_to([0, (GRID_TOP + GRID_BOTTOM) / 2, 0])
        grid.align_to([-FRAME_WIDTH / 2 + MARGIN, 0, 0], LEFT)
        later = [(i, j) for i in range(n) for j in range(n) if j > i]
        for i, j in later:
            grid.cell(i, j).set_fill(BACKGROUND, opacity=1).set_stroke(GRID, width=1)
            nums.ledger.record_blank(self.plan.scene_id, f"later cell {i}, {j}", "0.00",
                                     f"attention[{layer}, {head}, {i}, {j}]", 2)  # fmt: skip
        dots = VGroup(*(Dot(grid.cell(i, j).get_center(), radius=0.03, color=MUTED)
                        for i, j in later))  # fmt: skip
        name = text(head_name(layer, head), size=LABEL, color=TEXT)
        notes = self.notes([name, caption("rows: queries · columns: keys")], 2.6)
        why = self.notes([text("above the diagonal: exactly 0", size=LABEL, color=TEXT),
                          caption("a token cannot look at"),
                          caption("words not yet written")], 1.2)  # fmt: skip
        rows = [VGroup(*(grid.cell(i, j) for j in range(i + 1))) for i in range(n)]
        for row in rows:
            row.save_state()
            row.set_opacity(0.0)
        with self.beat("grid") as beat:
            spans = cued_spans(beat.plan.text, ["layer", "row"])
            self.play(FadeIn(header), FadeIn(grid.row_labels), FadeIn(grid.col_labels),
                      FadeIn(grid.captions), *(FadeIn(grid.cell(i, j)) for i, j in later),
                      run_time=beat.share(spans[0]))  # fmt: skip
            self.play(FadeIn(notes), run_time=beat.share(spans[1]))
            self.play(LaggedStart(*(r.animate.restore() for r in rows), lag_ratio=0.5),
                      run_time=beat.share(spans[2]))  # fmt: skip
        self.grid, self.dots, self.why, self.later = grid, dots, why, later
        with self.beat("zeros") as beat:
            self.play_zeros(beat)
        with self.beat("first") as beat:
            self.play_first(beat, layer, head)

    def play_zeros(self, beat: BeatSlot) -> None:
        """The triangle outlined; its cells flash and go quiet; the dots; rows read in turn."""
        grid, dots, why, later = self.grid, self.dots, self.why, self.later
        n = grid.n
        triangle = _upper(grid, n)
        cells = [grid.cell(i, j) for i, j in later]
        reading = [grid.row_outline(i, QUERY) for i in range(n)]
        spans = cued_spans(beat.plan.text, ["diagonal", "exactly zero", "cannot", "not yet"])
        # one token alone has no later cell: its own cell pulses instead
        self.play(Create(triangle) if later else Indicate(grid.cell(0, 0)),
                  run_time=beat.share(spans[0]))  # fmt: skip
        # "above the diagonal": the later cells flash, row after row, and go quiet again
        flash = [c.animate(rate_func=there_and_back).set_fill(KEY, 0.7) for c in cells]
        self.play(LaggedStart(*flash, lag_ratio=0.15) if flash else Indicate(why[0]),
                  run_time=beat.share(spans[1]))  # fmt: skip
        pops = [FadeIn(d, scale=4.0) for d in dots]
        self.play(*([LaggedStart(*pops, lag_ratio=0.15)] if pops else []), FadeIn(why[0]),
                  run_time=beat.share(spans[2]))  # fmt: skip
        # "cannot look": each row in turn, reading only up to itself
        cursor = reading[0].copy()
        self.play(Succession(Create(cursor), *(Transform(cursor, r) for r in reading[1:])),
                  run_time=beat.share(spans[3]))  # fmt: skip
        self.play(FadeOut(cursor), FadeIn(why[1:], shift=0.2 * UP),
                  run_time=beat.share(spans[4]))  # fmt: skip

    def play_first(self, beat: BeatSlot, layer: int, head: int) -> None:
        """The first row boxed with its 1.00; down the first column to the last token's weight."""
        grid, nums, n = self.grid, self.nums, self.grid.n
        first = nums.text(f"attention[{layer}, {head}, 0, 0]", label="first row on itself",
                          size=LABEL, color=WEIGHT)  # fmt: skip
        lines = [VGroup(text("first token on itself:", size=LABEL), first).arrange(RIGHT)]
        marks = [grid.row_outline(0, QUERY)]
        if n > 1:
            last = nums.text(
                f"attention[{layer}, {head}, {n - 1}, 0]",
                label="last token on the first",
                size=LABEL,
                color=WEIGHT,
            )
            lines.append(VGroup(text("last token on the first:", size=LABEL), last).arrange(RIGHT))
            marks.append(_cell_box(grid, n - 1, 0))
        facts = self.notes(lines, -0.6)
        column = [grid.row_outline(i, KEY) for i in range(n)]
        spans = cued_spans(beat.plan.text, ["first token", "itself", "whole", "last token",
                                            "gives"])  # fmt: skip
        self.play(Indicate(grid.row_labels[0], color=QUERY), run_time=beat.share(spans[0]))
        self.play(Create(marks[0]), run_time=beat.share(spans[1]))
        self.play(Indicate(grid.cell(0, 0), scale_factor=1.5, color=WEIGHT),
                  FadeIn(facts[0], shift=0.2 * UP), run_time=beat.share(spans[2]))  # fmt: skip
        self.play(Circumscribe(facts[0], color=WEIGHT), run_time=beat.share(spans[3]))
        if n > 1:
            # "the last token gives it": row after row down to the last, then its first cell
            cursor = column[1].copy()
            self.play(Succession(Create(cursor), *(Transform(cursor, c) for c in column[2:])),
                      run_time=beat.share(spans[4]))  # fmt: skip
            self.play(ReplacementTransform(cursor, marks[1]), FadeIn(facts[1], shift=0.2 * UP),
                      run_time=beat.share(spans[5]))  # fmt: skip

    def notes(self, lines: list, top: float) -> VGroup:
        group = VGroup(*lines).arrange(direction=UP * -1, buff=0.14, aligned_edge=LEFT)
        fit_width(group, FRAME_WIDTH / 2 - MARGIN - NOTES_LEFT)
        return group.move_to([0, top, 0], aligned_edge=UP).align_to([NOTES_LEFT, 0, 0], LEFT)


def _upper(grid: HeatGrid, n: int) -> VGroup:
    """Outlines round each row's later cells: together, the masked triangle."""
    boxes = VGroup()
    for i in range(n - 1):
        a, b = grid.cell(i, i + 1), grid.cell(i, n - 1)
        width = b.get_right()[0] - a.get_left()[0]
        boxes.add(
            Rectangle(width=width, height=a.height, stroke_color=KEY, stroke_width=2).move_to(
                [(a.get_left()[0] + b.get_right()[0]) / 2, a.get_center()[1], 0]
            )
        )
    return boxes


def _cell_box(grid: HeatGrid, i: int, j: int) -> Rectangle:
    cell = grid.cell(i, j)
    return Rectangle(width=cell.width + 0.06, height=cell.height + 0.06, stroke_color=KEY,
                     stroke_width=3).move_to(cell)  # fmt: skip
