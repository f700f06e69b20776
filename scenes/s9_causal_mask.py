"""Chapter "causal_mask": each token may look only back; later weights are exactly 0.00."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    FadeIn,
    Transform,
    VGroup,
)

from scenes.kit import (
    BACKGROUND,
    FRAME_WIDTH,
    GRID,
    LABEL,
    MARGIN,
    MUTED,
    NUMBER,
    QUERY,
    SMALL_NUMBER,
    TEXT,
    WEIGHT,
    HeatGrid,
    Numbers,
    ShownRow,
    caption,
    fit_width,
    rounded_note,
    rows_add_up,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["CausalMask"]

GRID_TOP = 2.95
GRID_BOTTOM = -2.45
GRID_RIGHT = 0.2  # the grid keeps left of this; the focus table right of it
GRID_WIDTH = GRID_RIGHT + FRAME_WIDTH / 2 - MARGIN
CAPTION_YS = (-2.95, -3.45)
TABLE_HEAD_Y = 2.8
TABLE_BOTTOM = -3.45  # the sums' row
NOTE_ROOM = 0.4  # a footnote's line under the sums ("each weight rounded")
TOKEN_RIGHT = 2.75  # right edge of the table's token column
COLUMN_XS = (3.85, 5.55)  # centres of the "all" and "back only" columns


class CausalMask(NarratedScene):
    """The causal mask: the triangle of allowed positions and the focus row before and after.

    Beats: ``triangle`` (the attention matrix; cells above the diagonal go dark),
    ``zeros`` (the focus row as computed without a mask, beside its tokens), ``renormalise``
    (the masked row: later tokens exactly 0.00, the rest renormalised, both rows' true sums
    1.00, marked where the rounded weights add up to something else;
    the matrix takes the masked weights), ``generation`` (why: text is written one token at
    a time).
    """

    def construct(self) -> None:
        ex, f, nums, header, _ = self.open_chapter()
        n = ex.n_tokens
        causal = nums.array("causal_weights")
        # the focus row compares across the two grids; the first rows (1.00) saturate
        vmax = float(max(ex.weights.max(), causal[f].max()))
        box = {
            "max_width": GRID_RIGHT + FRAME_WIDTH / 2 - MARGIN,
            "max_height": GRID_TOP - GRID_BOTTOM,
        }
        full = HeatGrid(ex.weights, ex.tokens, numbers=False, vmax=vmax, **box)
        masked = HeatGrid(causal, ex.tokens, numbers=False, vmax=vmax, **box)
        for grid in (full, masked):
            grid.move_to([0, (GRID_TOP + GRID_BOTTOM) / 2, 0])
            grid.align_to([-FRAME_WIDTH / 2 + MARGIN, 0, 0], LEFT)
        later = [(i, j) for i in range(n) for j in range(n) if j > i]
        for i, j in later:
            masked.cell(i, j).set_fill(BACKGROUND, opacity=1).set_stroke(GRID, width=1)
        row_ys = [float(full.cell(i, 0).get_center()[1]) for i in range(n)]
        table = self.focus_table(nums, row_ys if full.cell_size >= 0.4 else None)

        with self.beat("triangle") as beat:
            self.play(FadeIn(header), FadeIn(full), run_time=beat.share(0.3))
            self.play(
                AnimationGroup(
                    *(
                        full.cell(i, j)
                        .animate.set_fill(BACKGROUND, opacity=1)
                        .set_stroke(GRID, width=1)
                        for i, j in later
                    ),
                    lag_ratio=0.02,
                ),
                run_time=beat.share(0.45),
            )

        with self.beat("zeros") as beat:
            outline = full.row_outline(f)
            self.play(Create(outline), run_time=beat.share(0.2))
            self.play(
                FadeIn(table.tokens),
                FadeIn(table.heads[:2]),
                FadeIn(table.before, shift=0.1 * RIGHT),
                run_time=beat.share(0.35),
            )
            later_zeros = VGroup(*table.after[f + 1 :])
            self.play(
                FadeIn(table.heads[2]),
                FadeIn(table.hidden),
                FadeIn(later_zeros, shift=0.1 * RIGHT),
                run_time=beat.share(0.3),
            )

        with self.beat("renormalise") as beat:
            self.play(
                Transform(full.cells, masked.cells),
                FadeIn(VGroup(*table.after[: f + 1]), shift=0.1 * RIGHT),
                run_time=beat.share(0.45),
            )
            self.play(FadeIn(table.sums, shift=0.1 * UP), run_time=beat.share(0.3))

        with self.beat("generation") as beat:
            lines = VGroup(
                caption("writing, a model makes one token at a time:"),
                caption(f"when “{ex.focus}” is written, what follows is not there yet"),
            )
            lines.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
            fit_width(lines, GRID_WIDTH)
            lines.move_to([0, sum(CAPTION_YS) / 2, 0]).align_to(full, LEFT)
            self.play(FadeIn(lines, shift=0.1 * UP), run_time=beat.share(0.4))

    def focus_table(self, nums: Numbers, row_ys: list[float] | None) -> VGroup:
        """The focus row as a table: token, weight without the mask, weight looking back only.

        Rows sit level with the grid's rows (``row_ys``) when its cells are tall enough for
        a line of text, else on their own tighter pitch.

        Returns a VGroup with parts ``tokens``, ``heads`` (focus, "all", "back only"),
        ``before``, ``after``, ``hidden`` (a bracket-like note on the later tokens) and
        ``sums`` (each row's true sum, 1.00, and "each weight rounded" left of them where a
        column's shown weights add up to something else).
        """
        ex = self.example
        f, n = ex.focus_index, ex.n_tokens
        rounded = not rows_add_up(nums, [ShownRow(f), ShownRow(f, "causal_weights")])
        bottom = TABLE_BOTTOM + (NOTE_ROOM if rounded else 0.0)  # the footnote's line below
        pitch = min(0.42, (TABLE_HEAD_Y - 0.5 - bottom) / n)
        ys = [TABLE_HEAD_Y - 0.5 - i * pitch for i in range(n)]
        if row_ys is not None:
            ys, pitch = row_ys, min(0.6, row_ys[0] - row_ys[1]) if n > 1 else 0.6
        size = NUMBER if pitch >= 0.36 else SMALL_NUMBER
        tokens = VGroup(
            *(
                text(t, size=size, color=QUERY if i == f else TEXT)
                .move_to([0, y, 0])
                .align_to([TOKEN_RIGHT, 0, 0], RIGHT)
                for i, (t, y) in enumerate(zip(ex.tokens, ys, strict=True))
            )
        )
        before = VGroup(*nums.weight_row(f, size=size))
        after = VGroup(*nums.weight_row(f, name="causal_weights", size=size))
        for column, x in ((before, COLUMN_XS[0]), (after, COLUMN_XS[1])):
            for value, y in zip(column, ys, strict=True):
                value.move_to([x, y, 0])
        for j in range(f + 1, n):
            after[j].set_color(MUTED)
        heads = VGroup(
            text(f"{ex.focus} gives", size=LABEL, color=QUERY),
            text("all", size=LABEL, color=WEIGHT),
            text("back only", size=LABEL, color=WEIGHT),
        )
        heads[0].move_to([0, TABLE_HEAD_Y, 0]).align_to([TOKEN_RIGHT, 0, 0], RIGHT)
        heads[1].move_to([COLUMN_XS[0], TABLE_HEAD_Y, 0])
        heads[2].move_to([COLUMN_XS[1], TABLE_HEAD_Y, 0])
        hidden = VGroup()
        if f + 1 < n:
            rule = VGroup(*tokens[f + 1 :])
            mark = text("later", size=LABEL, color=MUTED)
            mark.next_to(rule, LEFT, buff=0.25)
            if mark.get_left()[0] > GRID_RIGHT + 0.3:
                hidden.add(mark)
        sums = VGroup(
            text("sum", size=size, color=MUTED),
            nums.row_total(f, label="sum, all", size=size),
            nums.row_total(f, name="causal_weights", label="sum, back only", size=size),
        )
        sum_y = ys[-1] - pitch
        sums[0].move_to([0, sum_y, 0]).align_to([TOKEN_RIGHT, 0, 0], RIGHT)
        sums[1].move_to([COLUMN_XS[0], sum_y, 0])
        sums[2].move_to([COLUMN_XS[1], sum_y, 0])
        if rounded:  # a table's footnote: the weights above do not add up to these sums
            sums.add(rounded_note(SMALL_NUMBER).next_to(sums, DOWN, buff=0.15)
                     .align_to(sums[2], RIGHT))  # fmt: skip
        group = VGroup(tokens, heads, before, after, hidden, sums)
        group.tokens, group.heads, group.before = tokens, heads, before  # type: ignore[attr-defined]
        group.after, group.hidden, group.sums = after, hidden, sums  # type: ignore[attr-defined]
        return group
