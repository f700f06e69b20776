"""Chapter "caveats": cost grows with n², weights are not explanations, a head is not a concept."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    Line,
    Mobject,
    Rectangle,
    Square,
    SurroundingRectangle,
    VGroup,
)

from scenes.kit import (
    COUNTED,
    FRAME_WIDTH,
    GRID,
    HABIT_SHADES,
    HABITS,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    WEIGHT,
    HeadMosaic,
    HeadPattern,
    Numbers,
    ShownRow,
    StoryHeads,
    TokenLines,
    TokenRow,
    caption,
    fit_width,
    head_name,
    link_notes,
    story_heads,
    sum_beside,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["Caveats"]

GRIDS_BOTTOM = -2.05
GRIDS_TOP = 2.3
LABEL_YS = (-2.55, -3.1)  # "6 tokens", "36 scores"
HEAD_YS = (1.7, 0.75)  # the two heads' focus rows
NOTE_YS = (-0.35, -0.9)
LAST_YS = (-2.2, -2.75)
FACTORS = (1, 2, 4)
TRAINED_ROWS = (-0.5, -0.9)  # a trained model's two heads' weights, below each row of tokens
TRAINED_PITCH = {1: 1.9, 2: 1.7, 3: 1.6}


def score_grid(m: int, cell: float) -> VGroup:
    """An ``m x m`` grid of score cells: a violet square ruled every ``cell``."""
    side = m * cell
    square = Rectangle(
        width=side, height=side, fill_color=WEIGHT, fill_opacity=0.35, stroke_color=WEIGHT,
        stroke_width=1.5,
    )  # fmt: skip
    left, bottom = -side / 2, -side / 2
    rules = VGroup(
        *(Line([left + i * cell, bottom, 0], [left + i * cell, -bottom, 0]) for i in range(1, m)),
        *(Line([left, bottom + i * cell, 0], [-left, bottom + i * cell, 0]) for i in range(1, m)),
    ).set_stroke(GRID, width=1)
    return VGroup(square, rules)


def habit_mosaic(nums: Numbers, heads: StoryHeads) -> tuple[HeadMosaic, VGroup, VGroup]:
    """Every head as a tile shaded by its habit, the count of each habit beside it."""
    shades = [[HABIT_SHADES[p.habit or "mixed"] for p in layer] for layer in heads.patterns]
    mosaic = HeadMosaic.of_colors(shades, width=7.4, height=3.9)
    mosaic.shift([-FRAME_WIDTH / 2 + MARGIN - mosaic.get_left()[0],
                  2.85 - mosaic.get_top()[1], 0])  # fmt: skip
    legend = VGroup()
    for k, habit in enumerate(COUNTED):
        swatch = Square(0.26, fill_color=HABIT_SHADES[habit], fill_opacity=1.0,
                        stroke_width=0)  # fmt: skip
        name = HABITS.get(habit, "no single habit (mixed)")
        legend.add(
            VGroup(
                swatch,
                nums.text(f"habit_counts[{k}]", label=f"{habit} heads", decimals=0, size=LABEL),
                text(name, size=LABEL, color=MUTED),
            ).arrange(RIGHT, buff=0.2)
        )
    legend.arrange(DOWN, buff=0.16, aligned_edge=LEFT)  # fmt: skip
    legend.next_to(mosaic, RIGHT, buff=0.7).match_y(mosaic.image)
    mixed = COUNTED.index("mixed")
    spread = VGroup(
        nums.text("spread_heads", label="spread heads", decimals=0, size=LABEL),
        caption("of the"),
        nums.text(f"habit_counts[{mixed}]", label="mixed heads", decimals=0, size=LABEL),
        caption("heads with no habit spread their weight"),
    ).arrange(RIGHT, buff=0.12)
    last = VGroup(
        text("one head is not one concept", size=LABEL, color=TEXT),
        caption("a habit: more than half of a head's weight on one kind of token, on this"),
        caption("sentence; another sentence, or another model, shows other heads"),
        spread,
        caption("(spread: a row's largest weight is under half, on average)"),
    ).arrange(DOWN, buff=0.14)
    fit_width(last, SAFE_WIDTH).next_to(mosaic, DOWN, buff=0.45).set_x(0)
    return mosaic, legend, last


class Caveats(NarratedScene):
    """Three warnings, each shown with the model's own numbers.

    Beats: ``quadratic`` (score grids for n, 2n and 4n tokens, their cells counted),
    ``not_explanations`` (the focus row in both heads: they disagree about the same word;
    the rows' true sum beside them where their rounded weights do not add up to it),
    ``not_concepts`` (these heads were designed; learned heads mix many patterns).

    On a trained model: ``not_explanations`` shows the focus row in the story head and in
    the head that links it to another word (``story_heads``), each one's word boxed;
    ``not_concepts`` shows all its heads as a mosaic shaded by habit, each habit counted.
    """

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        cost = self.play_cost(nums, header)
        if ex.kind == "trained":
            self.play_trained_heads(nums, header, cost)
            return
        grids, counts, growth = cost

        rows = [
            row.under(nums.weight_row(f, name="head_weights", prefix=(h,)), y)
            for h, y in zip(range(ex.n_heads), HEAD_YS, strict=True)
        ]
        labels = self.head_labels(row)
        # both rows' true sum beside them, where their rounded weights do not add up to it
        total = sum_beside(nums, [ShownRow(f, "head_weights", (h,)) for h in range(ex.n_heads)],
                           VGroup(*rows), (HEAD_YS[-1] + NOTE_YS[0]) / 2)  # fmt: skip
        tops = VGroup(
            *(
                SurroundingRectangle(
                    values[int(ex.head_weights[h, f].argmax())], color=TEXT, buff=0.09
                )
                for h, values in enumerate(rows)
            )
        )
        top_words = [ex.tokens[int(ex.head_weights[h, f].argmax())] for h in range(ex.n_heads)]
        notes = VGroup(
            caption(
                f"one word, one sentence: head 1 has “{ex.focus}” look most at “{top_words[0]}”,"
                f" head 2 at “{top_words[1]}”"
            ),
            caption("the model uses both: neither row of weights is the reason"),
        )
        for note, y in zip(notes, NOTE_YS, strict=True):
            fit_width(note, SAFE_WIDTH).move_to([0, y, 0])
        with self.beat("not_explanations") as beat:
            self.play(FadeOut(VGroup(grids, counts, growth)), run_time=beat.share(0.15))
            self.play(
                FadeIn(row), Create(row.outline(f, QUERY)), FadeIn(labels), run_time=beat.share(0.2)
            )
            self.play(
                LaggedStart(*(FadeIn(r, shift=0.1 * DOWN) for r in rows), lag_ratio=0.4),
                FadeIn(total),
                run_time=beat.share(0.3),
            )
            self.play(Create(tops), FadeIn(notes, shift=0.1 * UP), run_time=beat.share(0.25))

        last = VGroup(
            text("one head is not one concept", size=LABEL, color=TEXT),
            caption("these two heads were designed so; learned heads mix many patterns"),
        )
        for line, y in zip(last, LAST_YS, strict=True):
            fit_width(line, SAFE_WIDTH).move_to([0, y, 0])
        with self.beat("not_concepts") as beat:
            self.play(FadeIn(last, shift=0.1 * UP), run_time=beat.share(0.4))

    def play_cost(self, nums: Numbers, header: Mobject) -> VGroup:
        """The first warning, for any model: score grids for n, 2n and 4n tokens."""
        grids, counts = self.cost_grids(nums)
        growth = caption("every token scores every token: twice the tokens, four times the scores")
        fit_width(growth, SAFE_WIDTH).move_to([0, GRIDS_TOP + 0.35, 0])

        with self.beat("quadratic") as beat:
            self.play(FadeIn(header), FadeIn(growth), run_time=beat.share(0.2))
            for grid, count in zip(grids, counts, strict=True):
                self.play(
                    GrowFromEdge(grid, DOWN),
                    FadeIn(count, shift=0.1 * UP),
                    run_time=beat.share(0.22),
                )
        return VGroup(grids, counts, growth)

    def cost_grids(self, nums: Numbers) -> tuple[VGroup, VGroup]:
        """Score grids for n, 2n and 4n tokens at one cell size, with their counts below."""
        n = self.example.n_tokens
        sizes = [n * k for k in FACTORS]
        gap = 0.9
        cell = min(
            0.3,
            (GRIDS_TOP - GRIDS_BOTTOM) / sizes[-1],
            (SAFE_WIDTH - gap * (len(sizes) - 1)) / sum(sizes),
        )
        grids = VGroup(*(score_grid(m, cell) for m in sizes)).arrange(
            RIGHT, buff=gap, aligned_edge=DOWN
        )
        grids.move_to([0, 0, 0]).align_to([0, GRIDS_BOTTOM, 0], DOWN)
        counts = VGroup()
        for k, grid in zip(FACTORS, grids, strict=True):
            length = "n_tokens" if k == 1 else f"tokens_times({k})"
            tokens = VGroup(
                nums.text(length, label=f"{k}n tokens", decimals=0, size=LABEL),
                text("tokens", size=LABEL, color=MUTED),
            ).arrange(RIGHT, buff=0.12)
            scores = VGroup(
                nums.text(
                    f"attention_cells({n * k})", label=f"scores, {k}n", decimals=0, size=LABEL,
                    color=WEIGHT,
                ),
                text("scores", size=LABEL, color=MUTED),
            ).arrange(RIGHT, buff=0.12)  # fmt: skip
            tokens.move_to([grid.get_center()[0], LABEL_YS[0], 0])
            scores.move_to([grid.get_center()[0], LABEL_YS[1], 0])
            counts.add(VGroup(tokens, scores))
        return grids, counts

    def head_labels(self, row: TokenRow) -> VGroup:
        """ "head 1" and "head 2" left of the rows, or nothing when the rows fill the width."""
        right_edge = row.get_left()[0] - 0.25
        labels = VGroup(
            *(
                text(f"head {h + 1}", size=LABEL, color=MUTED).move_to([0, y, 0])
                for h, y in enumerate(HEAD_YS)
            )
        )
        if right_edge - max(m.width for m in labels) < -FRAME_WIDTH / 2 + MARGIN:
            return VGroup()
        for label in labels:
            label.align_to([right_edge, 0, 0], RIGHT)
        return labels

    # -- a trained model: two of its heads disagree; its heads by habit -----------------------

    def play_trained_heads(self, nums: Numbers, header: Mobject, cost: VGroup) -> None:
        """The second and third warnings with a trained model's own heads."""
        ex = self.example
        heads = story_heads(ex)
        shown = [heads.link] if heads.other is None else [heads.link, heads.other]
        lines = TokenLines(
            ex.tokens, ex.record.tokens.word_of, pitch=TRAINED_PITCH, added=ex.record.tokens.added
        )
        rows = [
            lines.under(nums.weight_row(ex.focus_index, name="attention", prefix=(p.layer, p.head)),
                        offset)
            for p, offset in zip(shown, TRAINED_ROWS, strict=False)
        ]  # fmt: skip
        tops = VGroup(*(self.word_box(rows[k], p) for k, p in enumerate(shown)))
        labels, notes = self.trained_labels(lines, rows, shown)
        notes.add(sum_beside(nums, [ShownRow(ex.focus_index, "attention", (p.layer, p.head))
                                    for p in shown], VGroup(*rows),
                             notes[-1].get_y() - 0.45))  # fmt: skip
        with self.beat("not_explanations") as beat:
            self.play(FadeOut(cost), run_time=beat.share(0.15))
            self.play(FadeIn(lines), Create(lines.outline(ex.focus_index, QUERY)),
                      FadeIn(labels), run_time=beat.share(0.2))  # fmt: skip
            self.play(LaggedStart(*(FadeIn(r, shift=0.1 * DOWN) for r in rows), lag_ratio=0.4),
                      run_time=beat.share(0.3))  # fmt: skip
            self.play(Create(tops), FadeIn(notes, shift=0.1 * UP), run_time=beat.share(0.25))
        mosaic, legend, last = habit_mosaic(nums, heads)
        with self.beat("not_concepts") as beat:
            self.play(*(FadeOut(m) for m in self.mobjects if m is not header),
                      run_time=beat.share(0.15))  # fmt: skip
            self.play(FadeIn(mosaic), run_time=beat.share(0.25))
            self.play(LaggedStart(*(FadeIn(line) for line in legend), lag_ratio=0.15),
                      run_time=beat.share(0.3))  # fmt: skip
            self.play(FadeIn(last, shift=0.1 * UP), run_time=beat.share(0.2))

    def word_box(self, numbers: VGroup, p: HeadPattern) -> SurroundingRectangle:
        """A box round the weights of the word head ``p``'s focus row gives most to."""
        pieces = self.example.record.tokens.tokens_of(p.link[0])
        return SurroundingRectangle(VGroup(*(numbers[j] for j in pieces)), color=TEXT, buff=0.06)

    def trained_labels(
        self, lines: TokenLines, rows: list[VGroup], shown: list[HeadPattern]
    ) -> tuple[VGroup, VGroup]:
        """Each number row's head left of it where there is room, and the notes below."""
        labels = VGroup()
        for k, y in enumerate(lines.line_ys()):
            first = lines.line_tokens(k).start
            right = min(float(r[first].get_left()[0]) for r in rows) - 0.25
            for p, offset in zip(shown, TRAINED_ROWS, strict=False):
                label = text(head_name(p.layer, p.head), size=LABEL, color=MUTED)
                if right - label.width >= -FRAME_WIDTH / 2 + MARGIN:
                    labels.add(label.move_to([0, y + offset, 0]).align_to([right, 0, 0], RIGHT))
        # where a row has no room for its heads' names, the notes say which row is which
        rows_named = len(labels) == len(shown) * len(lines.rows)
        said = link_notes(self.example, story_heads(self.example))
        if not rows_named and len(shown) == 2:
            said = [f"upper numbers: {said[0]}", f"lower numbers: {said[1]}"]
        notes = VGroup(
            *(caption(line) for line in said),
            caption("the model uses every head: no row of weights is the reason"),
        )
        top = lines.line_ys()[-1] + TRAINED_ROWS[-1] - 0.6
        for k, note in enumerate(notes):
            fit_width(note, SAFE_WIDTH).move_to([0, top - 0.45 * k, 0])
        return labels, notes
