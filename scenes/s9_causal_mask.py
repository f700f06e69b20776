"""Chapter "causal_mask": each token may look only back; later weights are exactly 0.00."""

from __future__ import annotations

from typing import Any

from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    AnimationGroup,
    Create,
    FadeIn,
    LaggedStart,
    Mobject,
    Polygon,
    Rectangle,
    ReplacementTransform,
    Succession,
    SurroundingRectangle,
    Transform,
    VGroup,
    there_and_back,
)

from attention import WorkedExample
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
from scenes.kit.motion import converge, cue_shares
from scenes.narration import BeatSlot, NarratedScene

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

    Beats: ``triangle`` (the attention matrix; on "cannot read ahead" the cells above the
    diagonal go dark row after row; on "each token may look at itself and the tokens before
    it" an outline steps down the rows round each one's allowed cells, and becomes the
    triangle on "a triangle"), ``zeros`` (the focus row as computed without a mask, beside
    its tokens; on "exactly zero" each later weight moves into "back only" as 0.00; on
    "hides" the later tokens dim), ``renormalise`` (on "shares the weight" the matrix takes
    the masked weights and the earlier weights move over as their new values; on "adds up
    to one" the column pours into its true sum 1.00, marked where the rounded weights add
    up to something else; the new top weight boxed as it is said), ``generation`` (on "one
    token at a time" the rows are written again one by one, the outline reading each row's
    allowed cells).
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
        table = focus_table(ex, nums, row_ys if full.cell_size >= 0.4 else None)
        self.header, self.nums_causal, self.unmasked = header, causal, full.copy()

        with self.beat("triangle") as beat:
            self.play_triangle(beat, full, later)
        with self.beat("zeros") as beat:
            self.play_zeros(beat, full, table)
        with self.beat("renormalise") as beat:
            self.play_renormalise(beat, full, masked, table)
        with self.beat("generation") as beat:
            self.play_generation(beat, full)

    def play_triangle(self, beat: BeatSlot, full: HeatGrid, later: list[tuple[int, int]]) -> None:
        """The matrix; the cells ahead go dark row by row; each row's allowed cells, in turn,
        then the triangle they make."""
        n = self.example.n_tokens
        ahead, each, named = cue_shares(beat.plan.text, ("read ahead", "each token", "triangle"))
        self.play(FadeIn(self.header), FadeIn(full), run_time=beat.share(max(ahead, 0.15)))
        # "cannot read ahead": the cells ahead of each token go dark, row after row
        self.play(
            LaggedStart(
                *(full.cell(i, j).animate.set_fill(BACKGROUND, opacity=1).set_stroke(GRID, width=1)
                  for i, j in later),
                lag_ratio=0.1,
            ),
            run_time=beat.share(max(each - ahead, 0.15)),
        )  # fmt: skip
        # "each token may look at itself and the tokens before it": row after row
        boxes = [allowed(full, i) for i in range(n)]
        box = boxes[0].copy()
        self.play(
            Succession(Create(box), *(Transform(box, b) for b in boxes[1:])),
            run_time=beat.share(max(named - each, 0.15)),
        )
        # "a triangle"
        self.play(Transform(box, triangle(full)), run_time=beat.share(max(0.97 - named, 0.1)))

    def play_zeros(self, beat: BeatSlot, full: HeatGrid, table: VGroup) -> None:
        """The focus row: all its weights, then the later ones become exactly zero."""
        f = self.example.focus_index
        zero, named, hides = cue_shares(beat.plan.text, ("exactly zero", "for", "hides"))
        outline = full.row_outline(f)
        cells = [full.cell(f, j) for j in range(f + 1, len(table.before))]
        dark = [c.copy() for c in cells]
        # "every later token gets a weight": the focus row's later cells light as computed
        self.play(
            Create(outline),
            *(Transform(c, self.unmasked.cell(f, j)) for j, c in enumerate(cells, f + 1)),
            FadeIn(table.tokens),
            FadeIn(table.heads[:2]),
            LaggedStart(*(FadeIn(v, shift=0.3 * RIGHT) for v in table.before), lag_ratio=0.1),
            run_time=beat.share(max(zero, 0.2)),
        )
        # "exactly zero": they go dark; each later weight moves into "back only" as 0.00
        self.play(
            FadeIn(table.heads[2]),
            *(Transform(c, d) for c, d in zip(cells, dark, strict=True)),
            *(ReplacementTransform(table.before[j].copy(), table.after[j])
              for j in range(f + 1, len(table.before))),
            run_time=beat.share(max(named - zero, 0.15)),
        )  # fmt: skip
        # "for sat": the focus lifts in the table and in the matrix
        self.play(
            lift(table.tokens[f]),
            lift(full.cell(f, f)),
            run_time=beat.share(max(hides - named, 0.1)),
        )
        # "hides the tokens after it": they dim, marked "later"
        self.play(
            FadeIn(table.hidden, shift=0.2 * RIGHT),
            VGroup(*table.tokens[f + 1 :]).animate.set_color(MUTED),
            Transform(outline, allowed(full, f)),  # the focus reads only up to itself
            run_time=beat.share(max(0.97 - hides, 0.1)),
        )
        self.reading = outline  # the outline of what a token reads: the generation steps it

    def play_renormalise(
        self, beat: BeatSlot, full: HeatGrid, masked: HeatGrid, table: VGroup
    ) -> None:
        """The rest share the weight; the column adds up to one; the new top weight."""
        ex = self.example
        f = ex.focus_index
        one, gives = cue_shares(beat.plan.text, ("adds up to one", f"{ex.focus} now gives"))
        # "softmax shares the weight among the rest": the earlier weights grow into new ones
        self.play(
            Transform(full.cells, masked.cells),
            *(ReplacementTransform(table.before[j].copy(), table.after[j]) for j in range(f + 1)),
            run_time=beat.share(max(one, 0.2)),
        )
        # "the row still adds up to one": the column pours into its sum
        self.play(
            FadeIn(VGroup(*table.sums[:2], *table.sums[3:])),
            converge(list(table.after), table.sums[2]),
            run_time=beat.share(max(gives - one, 0.15)),
        )
        # "sat now gives cat 0.64"
        top = int(self.nums_causal[f].argmax())
        self.play(
            Create(SurroundingRectangle(table.after[top], color=TEXT, buff=0.08)),
            lift(table.tokens[top]),
            lift(full.cell(f, top)),
            run_time=beat.share(max(0.97 - gives, 0.1)),
        )

    def play_generation(self, beat: BeatSlot, full: HeatGrid) -> None:
        """Written one token at a time: each row appears reading only the rows before it."""
        ex = self.example
        n = ex.n_tokens
        (step,) = cue_shares(beat.plan.text, ("one token",))
        lines = VGroup(
            caption("writing, a model makes one token at a time:"),
            caption(f"when “{ex.focus}” is written, what follows is not there yet"),
        )
        lines.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        fit_width(lines, GRID_WIDTH)
        lines.move_to([0, sum(CAPTION_YS) / 2, 0]).align_to(full, LEFT)
        rows = [VGroup(*(full.cell(i, j) for j in range(n))) for i in range(n)]
        written = [r.copy() for r in rows]
        box = self.reading
        # "how a model generates": the rows not yet written fade back
        self.play(
            FadeIn(lines, shift=0.1 * UP),
            *(r.animate.fade(0.8) for r in rows[1:]),
            Transform(box, allowed(full, 0)),
            run_time=beat.share(max(step, 0.15)),
        )
        # "one token at a time, each reading only what is already written"
        self.play(
            Succession(
                *(AnimationGroup(Transform(rows[i], written[i]), Transform(box, allowed(full, i)))
                  for i in range(1, n))
            ),
            run_time=beat.share(max(0.97 - step, 0.15)),
        )  # fmt: skip


def focus_table(ex: WorkedExample, nums: Numbers, row_ys: list[float] | None) -> VGroup:
    """The focus row as a table: token, weight without the mask, weight looking back only.

    Rows sit level with the grid's rows (``row_ys``) when its cells are tall enough for
    a line of text, else on their own tighter pitch.

    Returns a VGroup with parts ``tokens``, ``heads`` (focus, "all", "back only"),
    ``before``, ``after``, ``hidden`` (a bracket-like note on the later tokens) and
    ``sums`` (each row's true sum, 1.00, and "each weight rounded" left of them where a
    column's shown weights add up to something else).
    """
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


def allowed(grid: HeatGrid, i: int) -> Rectangle:
    """An outline round row ``i``'s cells a token may look at: itself and those before it."""
    return SurroundingRectangle(
        VGroup(*(grid.cell(i, j) for j in range(i + 1))), color=QUERY, buff=0.03
    )


def triangle(grid: HeatGrid) -> Polygon:
    """The outline of the allowed cells: a staircase from the top left to the bottom right."""
    n = len(grid.row(0))
    points = [grid.cell(0, 0).get_corner(UL)]
    for i in range(n):
        points += [grid.cell(i, i).get_corner(UR), grid.cell(i, i).get_corner(DR)]
    points.append(grid.cell(n - 1, 0).get_corner(DL))
    return Polygon(*points, color=QUERY, stroke_width=3)


def lift(mobject: Mobject) -> Any:
    """A word or cell grows for a moment and settles: "this one"."""
    return mobject.animate(rate_func=there_and_back).scale(1.3)
