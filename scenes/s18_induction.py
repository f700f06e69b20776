"""Chapter "induction": a random sequence written twice, and the heads that copy it.

The sequence (:func:`attention.story.decoder_numbers.repeated_ids`: word tokens drawn with a
fixed seed, the same for every prompt) as chips; the induction head
(:func:`attention.story.decoder_chapters.decoder_story`) as a heat map whose stripe, each
second-copy token looking at the token after its first occurrence, is outlined cell by
cell, with its score ``induction_score[l, h]``; the previous-token head of an earlier layer
with its diagonal and ``previous_score[l, h]``; the query heads that share the induction
head's key/value head, side by side with their scores.
"""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UP,
    AnimationGroup,
    Circumscribe,
    Create,
    FadeIn,
    FadeOut,
    Group,
    Indicate,
    LaggedStart,
    Rectangle,
    Succession,
    Transform,
    TransformFromCopy,
    VGroup,
)

from scenes.kit import (
    KEY,
    LABEL,
    QUERY,
    TEXT,
    WEIGHT,
    HeatImage,
    Numbers,
    TokenRow,
    caption,
    head_name,
    text,
)
from scenes.kit.decoder import REPEAT_LENGTH, decoder_story, repeated_pieces, repeated_weights
from scenes.kit.motion import cued_spans
from scenes.narration import NarratedScene

__all__ = ["Induction"]

HEAT_SIDE = 3.4
HEAT_TOP = 1.5
LEFT_X, RIGHT_X = -3.3, 3.3


class Induction(NarratedScene):
    """The repeated sequence; the induction stripe; the previous-token head; the key group.

    Beats: ``sequence`` (the first copy's chips come in one by one; on "then" each travels
    on to its place in the second copy; the second copy outlined as "again"),
    ``stripe`` (the induction head's map; on "the token after" each stripe cell outlined in
    turn; its score), ``previous`` (an earlier previous-token head beside it, its diagonal
    outlined, its score; or, in the first layer, the note that none can feed it),
    ``shared`` (the maps give way to the heads sharing its key and value head, each scored).
    """

    def construct(self) -> None:
        ex, _, nums, header, _ = self.open_chapter()
        self.story = decoder_story(ex)
        _, self.weights = repeated_weights(ex)
        row = TokenRow(repeated_pieces(ex))
        m = len(row.chips)
        second = VGroup(*(row.outline(j, KEY) for j in range(REPEAT_LENGTH, m)))
        with self.beat("sequence") as beat:
            # "a random sequence of words": the first copy, word by word; "and then the same
            # words again": each word of it travels on to its place in the second copy
            spans = cued_spans(beat.plan.text, ["random", "then", "again"])
            first, again = row.chips[:REPEAT_LENGTH], row.chips[REPEAT_LENGTH:]
            self.play(FadeIn(header, shift=0.2 * DOWN), run_time=beat.share(spans[0]))
            self.play(LaggedStart(*(FadeIn(c, shift=0.4 * DOWN) for c in first),
                                  lag_ratio=0.5), run_time=beat.share(spans[1]))  # fmt: skip
            # each copy dips under the row on its way, so it never covers a chip
            self.play(LaggedStart(*(TransformFromCopy(a, b, path_arc=-0.9)
                                    for a, b in zip(first, again, strict=True)),
                                  lag_ratio=0.4), run_time=beat.share(spans[2]))  # fmt: skip
            self.play(Create(second), run_time=beat.share(spans[3]))
        il, ih = self.story.induction
        left = self.head_panel(nums, il, ih, "induction_score", "induction score", LEFT_X)
        stripe = VGroup(*(_cell(left[0], i, i - REPEAT_LENGTH + 1, QUERY)
                          for i in range(REPEAT_LENGTH, m)))  # fmt: skip
        rows = [left[0].row_box(i, QUERY) for i in range(REPEAT_LENGTH, m)]
        axes = caption("each square: one head's weights on these tokens; rows: queries, "
                       "columns: keys").move_to([0, -3.35, 0])  # fmt: skip
        pairs = [(row.chips[i], row.chips[i - REPEAT_LENGTH + 1]) for i in range(REPEAT_LENGTH, m)]
        with self.beat("stripe") as beat:
            spans = cued_spans(beat.plan.text, ["each", "token after", "copy next", "score"])
            self.play(FadeOut(second), FadeIn(left[0], scale=0.6), FadeIn(left[1]), FadeIn(axes),
                      run_time=beat.share(spans[0]))  # fmt: skip
            # "each word of the second copy": its rows in turn
            cursor = rows[0].copy()
            self.play(Succession(Create(cursor), *(Transform(cursor, r) for r in rows[1:])),
                      run_time=beat.share(spans[1]))  # fmt: skip
            # "looks at the token after its first appearance": the stripe, cell by cell
            marks = LaggedStart(*(FadeIn(c, scale=4.0) for c in stripe), lag_ratio=0.6)
            self.play(FadeOut(cursor), marks, run_time=beat.share(spans[2]))
            # "the word to copy next": each second-copy word and the word it looks at
            self.play(LaggedStart(*(AnimationGroup(Indicate(a.word, color=QUERY),
                                                   Indicate(b.word, color=KEY))
                                    for a, b in pairs), lag_ratio=0.5),
                      run_time=beat.share(spans[3]))  # fmt: skip
            self.play(FadeIn(left[2], shift=0.2 * UP), Circumscribe(left[2], color=WEIGHT),
                      run_time=beat.share(spans[4]))  # fmt: skip
        with self.beat("previous") as beat:
            self.play_previous(beat, nums, m)
        self.play_shared(nums, Group(left, stripe))

    def head_panel(self, nums: Numbers, layer: int, head: int, measure: str, name: str,
                   x: float, side: float = HEAT_SIDE) -> Group:  # fmt: skip
        """A head's map on the sequence, its name above, its score below."""
        heat = HeatImage(self.weights[layer, head], side=side)
        heat.move_to([x, HEAT_TOP - side / 2, 0])
        title = text(head_name(layer, head), size=LABEL, color=TEXT)
        title.next_to(heat, UP, buff=0.12)
        score = VGroup(
            caption(name + ":"),
            nums.text(f"{measure}[{layer}, {head}]", label=name, size=LABEL, color=WEIGHT),
        )
        score.arrange(RIGHT, buff=0.12).next_to(heat, DOWN, buff=0.18)
        return Group(heat, title, score)

    def play_previous(self, beat, nums: Numbers, m: int) -> None:  # noqa: ANN001
        prev = self.story.previous
        spans = cued_spans(beat.plan.text, ["earlier", "each token", "just before", "average"])
        if prev is None:
            note = caption("in the first layer: no earlier head").move_to([RIGHT_X, 0, 0])
            self.play(FadeIn(note), run_time=beat.share(sum(spans)))
            self.right = Group(note)
            return
        right = self.head_panel(nums, prev[0], prev[1], "previous_score", "previous-token score",
                                RIGHT_X)  # fmt: skip
        diagonal = VGroup(*(_cell(right[0], i, i - 1, KEY) for i in range(1, m)))
        cells = [right[0].row_box(i, KEY) for i in range(1, m)]
        self.play(FadeIn(right[0], scale=0.6), run_time=beat.share(spans[0]))
        self.play(Succession(FadeIn(right[1], shift=0.3 * DOWN), Circumscribe(right[1], color=KEY)),
                  run_time=beat.share(spans[1]))  # fmt: skip
        # "each token gives the token just before it": down the diagonal, row by row
        cursor = cells[0].copy()
        self.play(Succession(Create(cursor), *(Transform(cursor, c) for c in cells[1:])),
                  run_time=beat.share(spans[2]))  # fmt: skip
        marks = LaggedStart(*(FadeIn(c, scale=4.0) for c in diagonal), lag_ratio=0.5)
        self.play(FadeOut(cursor), marks, FadeIn(right[2], shift=0.2 * UP),
                  run_time=beat.share(spans[3]))  # fmt: skip
        self.play(Circumscribe(right[2], color=WEIGHT), run_time=beat.share(spans[4]))
        self.right = Group(right, diagonal)

    def play_shared(self, nums: Numbers, left: Group) -> None:
        il, _ = self.story.induction
        group = self.story.group
        xs = [-4.3 + 4.3 * k for k in range(len(group))] if len(group) <= 3 else \
            [-5.0 + 10.0 * k / (len(group) - 1) for k in range(len(group))]  # fmt: skip
        side = min(2.8, 11.0 / len(group) - 0.6)
        panels = [self.head_panel(nums, il, h, "induction_score", "induction score", x, side)
                  for h, x in zip(group, xs, strict=True)]  # fmt: skip
        note = caption("these query heads share one key and value head")
        note.next_to(panels[0][2], DOWN, buff=0.3).set_x(0)
        m = len(self.weights[0, 0])
        stripes = VGroup(*(_cell(p[0], i, i - REPEAT_LENGTH + 1, QUERY)
                           for p in panels for i in range(REPEAT_LENGTH, m)))  # fmt: skip
        with self.beat("shared") as beat:
            spans = cued_spans(beat.plan.text, ["share", "scores"])
            self.play(FadeOut(left), FadeOut(self.right), run_time=beat.share(spans[0] * 0.3))
            self.play(LaggedStart(*(FadeIn(Group(p[0], p[1]), scale=0.6) for p in panels),
                                  lag_ratio=0.5), run_time=beat.share(spans[0] * 0.7))  # fmt: skip
            self.play(FadeIn(note, shift=0.2 * UP),
                      LaggedStart(*(Indicate(p[1]) for p in panels), lag_ratio=0.5),
                      run_time=beat.share(spans[1]))  # fmt: skip
            self.play(LaggedStart(*(FadeIn(p[2], shift=0.2 * UP) for p in panels), lag_ratio=0.5),
                      run_time=beat.share(spans[2] * 0.4))  # fmt: skip
            self.play(LaggedStart(*(FadeIn(c, scale=4.0) for c in stripes), lag_ratio=0.3),
                      run_time=beat.share(spans[2] * 0.6))  # fmt: skip


def _cell(heat: HeatImage, i: int, j: int, color: str) -> Rectangle:
    s = heat.cell_size
    return Rectangle(width=s, height=s, stroke_color=color, stroke_width=2).move_to(heat.cell(i, j))
