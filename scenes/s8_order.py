"""Chapter "order": attention alone ignores word order; positional encodings change that."""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    Square,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    interpolate_color,
)
from manim.utils.color import ManimColor

from scenes.kit import (
    BACKGROUND,
    FRAME_WIDTH,
    GRID,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    Numbers,
    ShownRow,
    TokenRow,
    caption,
    fit_width,
    sum_beside,
    swap_order,
    swap_positions,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["WordOrder"]

ROW_A_Y = 2.6  # the sentence as written (the usual token row)
WEIGHTS_A_Y = 1.85
ROW_B_Y = 0.6  # the sentence with two words swapped
WEIGHTS_B_Y = -0.15
NOTE_Y = -1.05
SUM_Y = (WEIGHTS_A_Y + ROW_B_Y) / 2  # the rows' true sum, when it has no room beside them
FORMULA_Y = -3.4
WAVES_Y = (NOTE_Y + FORMULA_Y) / 2  # the position signal, between the note and the formula


class WordOrder(NarratedScene):
    """Two words swap places: the focus row's weights move with them, unchanged, until
    positions are added.

    Beats: ``swap`` (the sentence and its swapped twin, each with the focus outlined),
    ``same_numbers`` (both focus rows, computed separately: the same numbers, moved with
    their words; their true sum beside them where the rounded weights do not add up to it),
    ``positions`` (the sinusoidal position signal, one mix per place),
    ``pattern`` (the rows recomputed with positions: the swapped word's weight differs).
    """

    def construct(self) -> None:
        ex, f, nums, header, row_a = self.open_chapter()
        n = ex.n_tokens
        a, b = self.swapped()
        order = swap_order(n, a, b)  # new token i is old token order[i]
        f_b = order.index(f)
        row_b = TokenRow([ex.tokens[i] for i in order], y=ROW_B_Y)
        names = (
            "weights",
            f"permuted_weights({', '.join(map(str, order))})",
            f"positioned_weights({', '.join(map(str, range(n)))})",
            f"positioned_weights({', '.join(map(str, order))})",
        )
        plain_a = self.weight_row(nums, row_a, names[0], f, WEIGHTS_A_Y)
        plain_b = self.weight_row(nums, row_b, names[1], f_b, WEIGHTS_B_Y)
        placed_a = self.weight_row(nums, row_a, names[2], f, WEIGHTS_A_Y)
        placed_b = self.weight_row(nums, row_b, names[3], f_b, WEIGHTS_B_Y)
        rings = VGroup(row_a.outline(f, QUERY), row_b.outline(f_b, QUERY))
        swapped = VGroup(
            row_a.outline(a, TEXT), row_a.outline(b, TEXT),
            row_b.outline(order.index(a), TEXT), row_b.outline(order.index(b), TEXT),
        )  # fmt: skip
        labels = self.row_labels(row_a, row_b)
        # both rows' true sum beside them, where their rounded weights do not add up to it
        plain_sum = sum_beside(
            nums, [ShownRow(f, names[0]), ShownRow(f_b, names[1])], VGroup(plain_a, plain_b), SUM_Y
        )
        placed_sum = sum_beside(nums, [ShownRow(f, names[2]), ShownRow(f_b, names[3])],
                                VGroup(placed_a, placed_b), SUM_Y)  # fmt: skip

        with self.beat("swap") as beat:
            self.play(FadeIn(header), FadeIn(row_a), Create(rings[0]), run_time=beat.share(0.2))
            self.play(
                *(TransformFromCopy(row_a.chip(order[i]), row_b.chip(i)) for i in range(n)),
                FadeIn(labels),
                run_time=beat.share(0.4),
            )
            self.play(Create(rings[1]), Create(swapped), run_time=beat.share(0.2))

        note = self.note("the same numbers, moved with their words: attention sees a bag of words")
        with self.beat("same_numbers") as beat:
            self.play(
                LaggedStart(FadeIn(plain_a), FadeIn(plain_b), FadeIn(plain_sum), lag_ratio=0.5),
                run_time=beat.share(0.4),
            )
            same = VGroup(
                SurroundingRectangle(plain_a[a], color=TEXT, buff=0.09),
                SurroundingRectangle(plain_b[order.index(a)], color=TEXT, buff=0.09),
            )
            self.play(Create(same), FadeIn(note, shift=0.1 * UP), run_time=beat.share(0.35))

        waves = self.position_waves(nums, row_a)
        formula = caption("position signal: sin(pos / 10000^(2i/d)), cos(pos / 10000^(2i/d))")
        fit_width(formula, SAFE_WIDTH).move_to([0, FORMULA_Y, 0])
        with self.beat("positions") as beat:
            self.play(FadeOut(same), FadeOut(note), run_time=beat.share(0.15))
            self.play(
                LaggedStart(*(FadeIn(w, shift=0.1 * UP) for w in waves), lag_ratio=0.08),
                FadeIn(formula),
                run_time=beat.share(0.6),
            )

        changed = self.note(f"with positions, the order changes what “{ex.focus}” gives")
        with self.beat("pattern") as beat:
            self.play(
                *(FadeTransform(x, y) for x, y in zip(plain_a, placed_a, strict=True)),
                *(FadeTransform(x, y) for x, y in zip(plain_b, placed_b, strict=True)),
                FadeOut(plain_sum),
                FadeIn(placed_sum),
                run_time=beat.share(0.35),
            )
            differ = VGroup(
                SurroundingRectangle(placed_a[a], color=TEXT, buff=0.09),
                SurroundingRectangle(placed_b[order.index(a)], color=TEXT, buff=0.09),
            )
            self.play(Create(differ), FadeIn(changed, shift=0.1 * UP), run_time=beat.share(0.35))

    def swapped(self) -> tuple[int, int]:
        """The positions of the two words the ``swap`` parameter names (or the default)."""
        return swap_positions(self.example, tuple(self.param("swap")))

    def weight_row(self, nums: Numbers, row: TokenRow, name: str, f: int, y: float) -> VGroup:
        """The focus row of ``name`` (recorded), each number under its token."""
        return row.under(nums.weight_row(f, name=name), y)

    def row_labels(self, row_a: TokenRow, row_b: TokenRow) -> VGroup:
        """ "written" and "swapped" left of the rows, or nothing when the rows are too wide."""
        right_edge = min(row_a.get_left()[0], row_b.get_left()[0]) - 0.25
        labels = VGroup(
            text("written", size=LABEL, color=MUTED).move_to([0, ROW_A_Y, 0]),
            text("swapped", size=LABEL, color=MUTED).move_to([0, ROW_B_Y, 0]),
        )
        if right_edge - max(m.width for m in labels) < -FRAME_WIDTH / 2 + MARGIN:
            return VGroup()
        for label in labels:
            label.align_to([right_edge, 0, 0], RIGHT)
        return labels

    def note(self, words: str) -> VGroup:
        """A one-line caption between the rows and the position signal."""
        return VGroup(fit_width(caption(words), SAFE_WIDTH).move_to([0, NOTE_Y, 0]))

    def position_waves(self, nums: Numbers, row: TokenRow) -> VGroup:
        """Per position, a column of d_model squares shaded by its positional encoding.

        No numbers: the shades show that every place gets its own mix of waves.
        """
        pe = nums.array("positional_encoding")  # (n, d_model), values in [-1, 1]
        n, d = pe.shape
        # d cells tall, between the note above and the formula below (d_model is 8)
        room = (NOTE_Y - 0.3) - (FORMULA_Y + 0.3)
        side = min(0.25, row.slot_width() * 0.5, room / d)
        columns = VGroup()
        for i in range(n):
            column = VGroup(
                *(
                    Square(
                        side_length=side,
                        fill_color=interpolate_color(
                            ManimColor(GRID), ManimColor(TEXT), (pe[i, c] + 1) / 2
                        ),
                        fill_opacity=1.0,
                        stroke_color=BACKGROUND,
                        stroke_width=1,
                    )
                    for c in range(d)
                )
            ).arrange(DOWN, buff=0)
            columns.add(column.move_to([row.x_of(i), WAVES_Y, 0]))
        return columns
