"""Chapter 6: every token queries at once (the attention matrix), in two heads, merged by W_O."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    LaggedStart,
    Mobject,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    Wiggle,
)

from attention import WorkedExample
from scenes.kit import (
    FONT,
    KEY,
    LABEL,
    MUTED,
    OUTPUT,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    HeatGrid,
    KitMarkupText,
    Matrix,
    Numbers,
    ShownRow,
    fit_width,
    sum_line,
    text,
)
from scenes.kit.motion import cue_shares
from scenes.kit.pipeline_map import MAP_TOP
from scenes.narration import NarratedScene

__all__ = ["MultiHead"]

GRID_TOP = 2.95  # the matrices hang from here (the token row's place: its words become labels)
GRID_BOTTOM = MAP_TOP + 0.12  # clear of the pipeline map at the foot of the frame
HEAD_TITLE_GAP = 0.15
HEAD_GAP = 0.6  # between the two heads' grids


class MultiHead(NarratedScene):
    """The full attention matrix, two heads side by side, then concat and W_O for the focus.

    Beats: ``all_queries`` (the token row turns into the matrix's labels; the rows drop in
    and stack; the focus row, the one chapter 4 showed, is outlined with the same numbers),
    ``heads`` (the matrix moves left as head 1; a copy of it slides right and becomes head
    2, with its own weights), ``patterns`` (each head's focus row and strongest key are
    marked; head 2's focus and strongest key are lit as the narrator names them),
    ``concat`` (each head's focus row turns into that head's output, the two outputs join,
    and the joined vector goes through W_O into the final d_model numbers).
    """

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        # one colour scale for both heads, stretched over the weights' range so that nearly
        # uniform rows still show their pattern
        vmin, vmax = float(ex.head_weights.min()), float(ex.head_weights.max())
        full, total = self.story_grid(nums, vmin, vmax)
        with self.beat("all_queries") as beat:
            self.play(FadeIn(header, shift=0.2 * RIGHT), FadeIn(row), run_time=beat.share(0.1))
            # the sentence's words become the keys across the top and the queries down the side
            words = [chip.word for chip in row.chips]
            self.play(
                *(ReplacementTransform(w, c) for w, c in zip(words, full.col_labels, strict=True)),
                *(
                    ReplacementTransform(w.copy(), r)
                    for w, r in zip(words, full.row_labels, strict=True)
                ),
                FadeOut(VGroup(*(chip.box for chip in row.chips))),
                FadeIn(full.captions),
                run_time=beat.share(0.2),
            )
            # "the rows stack into a matrix": each query's row drops into place
            self.play(
                LaggedStart(
                    *(FadeIn(VGroup(full.row(i), full.row_numbers(i)), shift=0.6 * DOWN)
                      for i in range(ex.n_tokens)),
                    lag_ratio=0.25,
                ),
                run_time=beat.share(0.45),
            )  # fmt: skip
            outline = full.row_outline(f)
            self.play(Create(outline), FadeIn(total), run_time=beat.share(0.15))
        heads, titles, on_screen = self.play_heads(full, outline, total, vmin, vmax)
        with self.beat("patterns") as beat:
            rings, tops = self.strongest_keys(heads, f)
            differ, head_two, looks = cue_shares(beat.plan.text, ("differ", "head two", "looks"))
            # "their patterns differ": each head's focus row, and where its strongest key sits
            self.play(Create(rings), run_time=beat.share(max(differ, 0.1)))
            self.play(Create(tops), run_time=beat.share(max(head_two - differ, 0.1)))
            # "in head two, <focus> looks most at <key>"
            top = int(ex.head_weights[1, f].argmax())
            self.play(
                Indicate(titles[1], color=TEXT), run_time=beat.share(max(looks - head_two, 0.1))
            )
            self.play(
                Indicate(heads[1].row_labels[f], color=QUERY),
                Indicate(heads[1].col_labels[top], color=KEY),
                Wiggle(tops[1], scale_value=1.15),
                run_time=beat.share(max(0.95 - looks, 0.15)),
            )
        self.play_concat(nums, on_screen, heads, titles, rings, tops)

    def play_heads(
        self, full: HeatGrid, outline: Mobject, total: Mobject, vmin: float, vmax: float
    ) -> tuple[VGroup, VGroup, VGroup]:
        """The ``heads`` beat: the matrix becomes head 1, and a copy of it becomes head 2.

        Returns the two heads' grids, their titles, and the full grid's parts (on screen,
        drawn as head 1).
        """
        heads = head_grids(self.example, vmin, vmax)
        titles = self.head_titles(heads)
        parts = VGroup(full.cells, full.row_labels, full.col_labels, full.captions)
        with self.beat("heads") as beat:
            left, right = heads
            self.play(
                FadeOut(full.numbers), FadeOut(outline), FadeOut(total),
                Transform(parts, VGroup(left.cells, left.row_labels, left.col_labels,
                                        left.captions)),
                FadeIn(titles[0], shift=0.2 * DOWN),
                run_time=beat.share(0.35),
            )  # fmt: skip
            # "in parallel, each with its own matrices": a second head beside the first,
            # with its own weights
            self.play(
                TransformFromCopy(parts, VGroup(right.cells, right.row_labels, right.col_labels,
                                                right.captions)),
                TransformFromCopy(titles[0], titles[1]),
                run_time=beat.share(0.45),
            )  # fmt: skip
        return heads, titles, parts

    def play_concat(
        self,
        nums: Numbers,
        on_screen: VGroup,
        heads: VGroup,
        titles: VGroup,
        rings: VGroup,
        tops: VGroup,
    ) -> None:
        """The ``concat`` beat: each head's focus row becomes its output, the outputs join,
        and the joined vector goes through W_O into the final output."""
        halves, joined, project, final = concat_pipeline(self.example, nums)
        with self.beat("concat") as beat:
            joins, projects = cue_shares(beat.plan.text, ("joined", "projects"))
            # "their outputs": each head's focus row turns into that head's output vector;
            # only what is on screen leaves (the full grid's numbers left in "heads", and
            # fading them out again would bring them back for the length of the fade)
            self.play(
                FadeOut(VGroup(on_screen, heads[1], titles, tops)),
                *(ReplacementTransform(rings[h], halves[h]) for h in range(len(halves))),
                run_time=beat.share(max(joins - 0.05, 0.2)),
            )
            # "are joined"
            self.play(
                TransformFromCopy(halves[0][0], joined[0]),
                TransformFromCopy(halves[1][0], joined[1]),
                FadeIn(joined[2:]),
                run_time=beat.share(max(projects - joins, 0.2)),
            )
            # "and W_O projects them back"
            self.play(
                GrowArrow(project[0]),
                FadeIn(project[1], shift=0.1 * LEFT),
                run_time=beat.share(0.15),
            )
            self.play(
                TransformFromCopy(VGroup(joined[0], joined[1]), final[0].rows),
                TransformFromCopy(joined[2], final[0].brackets),
                FadeIn(final[1], shift=0.1 * UP),
                run_time=beat.share(max(0.8 - projects, 0.2)),
            )

    def story_grid(self, nums: Numbers, vmin: float, vmax: float) -> tuple[HeatGrid, VGroup]:
        """Every query's weights in the story head, with their numbers, centred, and beside
        it the rows' true sum and "each weight rounded" where a row's shown weights add up to
        something else (nothing when the cells show no numbers)."""
        ex = self.example
        full = HeatGrid(
            ex.weights, ex.tokens, nums=nums, vmax=vmax, vmin=vmin,
            max_width=SAFE_WIDTH - 2 * 3.4, max_height=GRID_TOP - GRID_BOTTOM,
        )  # fmt: skip
        full.move_to([0, (GRID_TOP + GRID_BOTTOM) / 2, 0])
        rows = [ShownRow(i) for i in range(ex.n_tokens)] if len(full.numbers) else []
        total = sum_line(nums, rows, stacked=True) if rows else VGroup()
        return full, total.next_to(full.cells, RIGHT, buff=0.4) if len(total) else total

    def head_titles(self, heads: VGroup) -> VGroup:
        """ "head 1", "head 2" above the heads' matrices."""
        return VGroup(
            *(
                text(f"head {h + 1}", size=LABEL, color=TEXT).next_to(g, UP, buff=HEAD_TITLE_GAP)
                for h, g in enumerate(heads)
            )
        )

    def strongest_keys(self, heads: VGroup, f: int) -> tuple[VGroup, VGroup]:
        """The focus row outlined in each head, and a box round its strongest key there."""
        ex = self.example
        rings = VGroup(*(g.row_outline(f) for g in heads))
        tops = VGroup(
            *(
                SurroundingRectangle(g.cell(f, int(ex.head_weights[h, f].argmax())), buff=0.0,
                                     color=TEXT, stroke_width=4)
                for h, g in enumerate(heads)
            )
        )  # fmt: skip
        return rings, tops


def head_grids(ex: WorkedExample, vmin: float, vmax: float) -> VGroup:
    """The two heads' matrices side by side (heat only), their titles' room kept above."""
    width = (SAFE_WIDTH - HEAD_GAP) / ex.n_heads
    title_room = 0.45
    grids = VGroup(
        *(
            HeatGrid(
                ex.head_weights[h], ex.tokens, vmax=vmax, vmin=vmin, head=h, numbers=False,
                max_width=width, max_height=GRID_TOP - GRID_BOTTOM - title_room,
            )
            for h in range(ex.n_heads)
        )
    )  # fmt: skip
    grids.arrange(RIGHT, buff=HEAD_GAP, aligned_edge=UP)
    grids.move_to([0, (GRID_TOP - title_room + GRID_BOTTOM) / 2, 0])
    return grids


def concat_pipeline(ex: WorkedExample, nums: Numbers) -> VGroup:
    """The focus token's head outputs, their concatenation, W_O, and the final vector.

    Returns ``VGroup(halves, joined, project, final)``; ``joined`` is
    ``VGroup(first half, second half, brackets, name)``.
    """
    f, d = ex.focus_index, ex.d_head
    halves = VGroup()
    for h in range(ex.n_heads):
        entries = nums.vector("head_outputs", f, prefix=(h,), color=OUTPUT, blank_zeros=True)
        m = Matrix([entries], bracket_color=OUTPUT)
        name = text(f"head {h + 1}", size=LABEL, color=TEXT).next_to(m, UP, buff=0.12)
        halves.add(VGroup(m.rows[0], m.brackets, name))
    halves.arrange(RIGHT, buff=1.2).move_to([0, 1.7, 0])
    joined = nums.vector("concat", f, color=OUTPUT, blank_zeros=True)
    concat = Matrix([joined], bracket_color=OUTPUT)
    concat.move_to([0, 0.2, 0])
    cells = concat.rows[0]
    joined = VGroup(
        VGroup(*cells[:d]),
        VGroup(*cells[d:]),
        concat.brackets,
        text(f"{ex.focus}, both heads joined", size=LABEL, color=MUTED).next_to(
            concat, DOWN, buff=0.15
        ),
    )  # fmt: skip
    arrow = Arrow([0, -0.55, 0], [0, -1.55, 0], buff=0, color=MUTED, stroke_width=3)
    w_o = KitMarkupText("× W<sub>O</sub>", font=FONT, font_size=LABEL, color=TEXT)
    w_o.next_to(arrow, RIGHT, buff=0.2)
    mixed = nums.vector("mha_output", f, color=OUTPUT, blank_zeros=True)
    final = Matrix([mixed], bracket_color=OUTPUT)
    final.move_to([0, -2.1, 0])
    final_name = text(f"output for {ex.focus}", size=LABEL, color=OUTPUT)
    final_name.next_to(final, DOWN, buff=0.15)
    group = VGroup(halves, joined, VGroup(arrow, w_o), VGroup(final, final_name))
    fit_width(group, SAFE_WIDTH)
    return group
