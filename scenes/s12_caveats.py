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
    GrowFromPoint,
    LaggedStart,
    Mobject,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    Uncreate,
    VGroup,
    Write,
    linear,
)

from scenes.kit import (
    COUNTED,
    FRAME_WIDTH,
    HABIT_SHADES,
    HABITS,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
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
from scenes.kit.cost import FACTORS, GRIDS_TOP, cost_grids, drawn_large, fill_rows
from scenes.kit.motion import cued_spans
from scenes.narration import NarratedScene

__all__ = ["Caveats"]

HEAD_YS = (1.7, 0.75)  # the two heads' focus rows
NOTE_YS = (-0.35, -0.9)
LAST_YS = (-2.2, -2.75)
TRAINED_ROWS = (-0.5, -0.9)  # a trained model's two heads' weights, below each row of tokens
TRAINED_PITCH = {1: 1.9, 2: 1.7, 3: 1.6}


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


def head_labels(row: TokenRow) -> VGroup:
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


def concept_lines() -> VGroup:
    """The third warning's two lines; the second in two parts, said one after the other."""
    designed = caption("these two heads were designed so;")
    learned = caption("learned heads mix many patterns, and a clean story is rare")
    last = VGroup(
        text("one head is not one concept", size=LABEL, color=TEXT),
        VGroup(designed, learned).arrange(RIGHT, buff=0.15),
    )
    for line, y in zip(last, LAST_YS, strict=True):
        fit_width(line, SAFE_WIDTH).move_to([0, y, 0])
    return last


class Caveats(NarratedScene):
    """Three warnings, each shown with the model's own numbers, each motion on its words.

    Beats: ``quadratic`` (the first grid drawn large on "cost", each token's row of scores
    filling across on "every token scores every token"; it settles in its place as its
    count is said, and each next grid grows out of a copy of the one before, its rows
    filling as its count is said), ``not_explanations`` (the focus row in both heads, each
    head's weights rising out of their tokens as the head is named, its top weight boxed on
    its word: they disagree about the same word; the rows' true sum beside them where their
    rounded weights do not add up to it), ``not_concepts`` (on "we designed these two
    heads" both rows framed; on "learned heads mix many patterns" the frames go; on "a
    clean story is rare" the top-weight boxes go and the one-word story dims).

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
        labels = head_labels(row)
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
            spans = cued_spans(beat.plan.text, ["In one sentence", "head one", top_words[0],
                                                "head two", top_words[1], "Neither"])  # fmt: skip
            # "weights are not explanations": the cost grids give way
            self.play(FadeOut(VGroup(grids, counts, growth)), rate_func=linear,
                      run_time=beat.share(spans[0]))  # fmt: skip
            # "in one sentence": the sentence, its focus outlined
            self.play(FadeIn(row, shift=0.1 * DOWN), Create(row.outline(f, QUERY)),
                      run_time=beat.share(spans[1]))  # fmt: skip
            for h in range(ex.n_heads):
                # "head one has <focus> look ...": that head's weights, one by one, then its top
                name = [labels[h]] if len(labels) else []
                extra = [FadeIn(total)] if h == ex.n_heads - 1 else []
                self.play(*(FadeIn(m) for m in name),
                          LaggedStart(*(GrowFromPoint(v, row.chip(j).get_center())
                                        for j, v in enumerate(rows[h])), lag_ratio=0.25),
                          *extra,
                          run_time=beat.share(spans[2 + 2 * h]))  # fmt: skip
                self.play(Create(tops[h]), *([FadeIn(notes[0], shift=0.1 * UP)] if h else []),
                          run_time=beat.share(spans[3 + 2 * h]))  # fmt: skip
            # "neither is the reason"
            self.play(FadeIn(notes[1], shift=0.1 * UP), run_time=beat.share(spans[-1]))

        last = concept_lines()
        designed, learned = last[1]
        frames = VGroup(
            *(SurroundingRectangle(VGroup(r, *([labels[h]] if len(labels) else [])),
                                   color=MUTED, buff=0.12, stroke_width=2)
              for h, r in enumerate(rows))
        )  # fmt: skip
        with self.beat("not_concepts") as beat:
            spans = cued_spans(beat.plan.text, ["We designed", "learned heads", "a clean story"])
            # "one head is not one concept"
            self.play(Write(last[0]), rate_func=linear, run_time=beat.share(spans[0]))
            # "we designed these two heads": each head, framed
            self.play(
                Create(frames), FadeIn(designed, shift=0.1 * UP), run_time=beat.share(spans[1])
            )
            # "learned heads mix many patterns"
            self.play(
                FadeIn(learned, shift=0.1 * UP), FadeOut(frames), run_time=beat.share(spans[2])
            )
            # "a clean story is rare": the one-word stories lose their boxes
            self.play(Uncreate(tops), notes[0].animate.set_opacity(0.45),
                      run_time=beat.share(spans[3]))  # fmt: skip

    def play_cost(self, nums: Numbers, header: Mobject) -> VGroup:
        """The first warning, for any model: score grids for n, 2n and 4n tokens."""
        ex = self.example
        grids, counts = cost_grids(nums, self.example.n_tokens)
        growth = caption("every token scores every token: twice the tokens, four times the scores")
        fit_width(growth, SAFE_WIDTH).move_to([0, GRIDS_TOP + 0.35, 0])

        with self.beat("quadratic") as beat:
            # "every token scores every token": the first grid's rows fill one by one;
            # each count as it is said; the next grid grows out of the one before
            said = [str(s) for s in (ex.n_tokens * k for k in FACTORS)]
            spans = cued_spans(beat.plan.text, ["every token", *said])
            big = drawn_large(grids[0], ex.n_tokens)
            # "first, cost": the first grid drawn large, a row and a column per token
            self.play(FadeIn(header), FadeIn(growth), Create(big[0]), Create(big[1]),
                      rate_func=linear, run_time=beat.share(spans[0]))  # fmt: skip
            # "every token scores every token": each token's row fills across
            self.play(fill_rows(big), run_time=beat.share(spans[1]))
            for k, (grid, count) in enumerate(zip(grids, counts, strict=True)):
                said_count = LaggedStart(*(FadeIn(c, shift=0.1 * UP) for c in count), lag_ratio=0.6)
                span = spans[k + 2]
                if k == 0:
                    # "n tokens make n² scores": the grid, in its place, counted
                    self.play(ReplacementTransform(big, grid), said_count,
                              run_time=beat.share(span))  # fmt: skip
                    continue
                # the grid before, copied, grows into this one: twice the tokens a side
                seed = VGroup(grids[k - 1][0], grids[k - 1][1]).copy()
                self.play(
                    ReplacementTransform(seed, VGroup(grid[0], grid[1])),
                    run_time=beat.share(span * 0.3),
                )
                # each token's row of scores fills as the count is said
                self.play(fill_rows(grid), said_count, run_time=beat.share(span * 0.7))
        return VGroup(grids, counts, growth)

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
