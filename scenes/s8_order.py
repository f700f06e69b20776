"""Chapter "order": attention alone ignores word order; positional encodings change that."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    Mobject,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    VGroup,
    there_and_back,
)

from attention.story.designed_narration import named_tokens
from scenes.kit import (
    FRAME_WIDTH,
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
from scenes.kit.motion import cue_shares
from scenes.kit.positions import Band, bag_of_words, position_waves, weight_bars
from scenes.narration import BeatSlot, NarratedScene

__all__ = ["WordOrder"]

ROW_A_Y = 2.6  # the sentence as written (the usual token row)
WEIGHTS_A_Y = 1.85
ROW_B_Y = 0.6  # the sentence with two words swapped
WEIGHTS_B_Y = -0.15
NOTE_Y = -1.05
SUM_Y = (WEIGHTS_A_Y + ROW_B_Y) / 2  # the rows' true sum, when it has no room beside them
FORMULA_Y = -3.45
LOWER = Band(-1.45, -3.15)  # the lower third: the bag of words, the waves, then the bars
LIFT = 1.3  # how much a word grows for a moment as the narrator names it


def lift(mobject: Mobject) -> Any:
    """A word (or number) grows for a moment and settles: "this one"."""
    return mobject.animate(rate_func=there_and_back).scale(LIFT)


class WordOrder(NarratedScene):
    """Two words swap places: the focus row's weights move with them, unchanged, until
    positions are added.

    Beats: ``swap`` (the sentence word after word; the swapped words lift and are outlined
    as the narrator names them; on the swapped sentence the chips copy down into it, the
    two crossing), ``same_numbers`` (the focus row's weights under the sentence travel with
    their words into the swapped row: the same numbers; the top one boxed in both as it is
    said; their true sum beside them where the rounded weights do not add up to it; on "bag
    of words" both sentences drop into one bag in the lower third), ``positions`` (the
    bag's words become one column of position signal per place; the sine and cosine waves
    are drawn through them; each place's mix lifts in turn), ``pattern`` (the signals rise
    into both rows, the weights turn into the positioned ones; the written row's weights
    stand as bars below, the swapped word's weight boxed as said; on "after the swap" each
    bar goes with its word to its new height).
    """

    def construct(self) -> None:
        ex, f, nums, header, row_a = self.open_chapter()
        n = ex.n_tokens
        a, b = swap_positions(ex, tuple(self.param("swap")))
        order = swap_order(n, a, b)  # new token i is old token order[i]
        row_b = TokenRow([ex.tokens[i] for i in order], y=ROW_B_Y)
        f_b = order.index(f)
        names = (
            "weights",
            f"permuted_weights({', '.join(map(str, order))})",
            f"positioned_weights({', '.join(map(str, range(n)))})",
            f"positioned_weights({', '.join(map(str, order))})",
        )
        weights, sums = focus_rows(nums, (row_a, row_b), (f, f_b), names)
        c = SimpleNamespace(
            ex=ex, n=n, a=a, b=b, order=order, header=header, row_a=row_a, row_b=row_b,
            plain=weights[:2], placed=weights[2:], sums=sums,
            rings=VGroup(row_a.outline(f, QUERY), row_b.outline(f_b, QUERY)),
            labels=row_labels(row_a, row_b),
            waves=position_waves(nums, row_a, LOWER),
            bars=weight_bars(nums, (row_a, row_b), ((f, names[2]), (f_b, names[3])), LOWER),
            formula=fit_width(
                caption("position signal: sin(pos / 10000^(2i/d)), cos(pos / 10000^(2i/d))"),
                SAFE_WIDTH,
            ).move_to([0, FORMULA_Y, 0]),
        )  # fmt: skip
        with self.beat("swap") as beat:
            self.play_swap(beat, c)
        with self.beat("same_numbers") as beat:
            self.play_same_numbers(beat, c)
        with self.beat("positions") as beat:
            self.play_positions(beat, c)
        with self.beat("pattern") as beat:
            self.play_pattern(beat, c)

    def play_swap(self, beat: BeatSlot, c: SimpleNamespace) -> None:
        """The sentence, then the swapped words named, then the swapped sentence built."""
        a, b, order, row_a, row_b = c.a, c.b, c.order, c.row_a, c.row_b
        first = " ".join(c.ex.tokens[i] for i in order[:2])
        named, said = cue_shares(beat.plan.text, ("swap", first), start=0.3)
        pairs = ((row_a, a, b), (row_b, order.index(a), order.index(b)))
        outlined = [VGroup(r.outline(i, TEXT), r.outline(j, TEXT)) for r, i, j in pairs]
        self.play(FadeIn(c.header), FadeIn(c.labels[:1]), run_time=beat.share(0.08))
        # "does attention know word order?": the sentence, word after word, and its focus
        self.play(
            LaggedStart(*(FadeIn(m, shift=0.4 * UP) for m in row_a.chips), lag_ratio=0.35),
            run_time=beat.share(max(named - 0.2, 0.15)),
        )
        self.play(Create(c.rings[0]), run_time=beat.share(0.1))
        # "Swap cat and mat": the two words lift and are outlined
        self.play(
            Create(outlined[0]),
            *(lift(row_a.chip(i)) for i in (a, b)),
            run_time=beat.share(max(said - named, 0.1)),
        )
        # the swapped sentence: each chip copies down, the two words crossing
        self.play(
            *(ReplacementTransform(row_a.chip(order[i]).copy(), row_b.chip(i)) for i in range(c.n)),
            *(ReplacementTransform(x.copy(), y) for x, y in
              zip((*outlined[0], c.rings[0]), (*outlined[1], c.rings[1]), strict=True)),
            FadeIn(c.labels[1:]),
            run_time=beat.share(max(0.97 - said, 0.15)),
        )  # fmt: skip

    def play_same_numbers(self, beat: BeatSlot, c: SimpleNamespace) -> None:
        """The weights travel with their words; the top one boxed; both rows into one bag."""
        n, order, (plain_a, plain_b) = c.n, c.order, c.plain
        moved, top, sees = cue_shares(
            beat.plan.text, ("same numbers", f"{c.ex.focus} still gives", "attention alone")
        )
        # "the weights": the written sentence's focus row, under its words
        self.play(
            LaggedStart(*(FadeIn(w, shift=0.5 * DOWN) for w in plain_a), lag_ratio=0.1),
            run_time=beat.share(max(moved, 0.15)),
        )
        # "the same numbers, moved with their words": each weight travels with its word
        self.play(
            *(ReplacementTransform(plain_a[order[i]].copy(), plain_b[i]) for i in range(n)),
            run_time=beat.share(max(top - moved, 0.15)),
        )
        t = named_tokens(c.ex)[0]
        c.same = VGroup(
            SurroundingRectangle(plain_a[t], color=TEXT, buff=0.09),
            SurroundingRectangle(plain_b[order.index(t)], color=TEXT, buff=0.09),
        )
        # "sat still gives cat 0.35": the word lifts in both rows, its number boxed
        self.play(
            Create(c.same),
            FadeIn(c.sums[0]),
            lift(c.row_a.chip(t)),
            lift(c.row_b.chip(order.index(t))),
            run_time=beat.share(max(sees - top, 0.15)),
        )
        # "a bag of words": both sentences drop into one bag, their order lost
        c.note = note_line(
            "the same numbers, moved with their words: attention sees a bag of words"
        )
        c.bag = bag_of_words(c.row_a, LOWER)
        self.play(
            FadeIn(c.note, shift=0.1 * UP),
            *(ReplacementTransform(c.row_a.chip(i).copy(), c.bag.words[i]) for i in range(n)),
            *(ReplacementTransform(c.row_b.chip(i).copy(), c.bag.twins[order[i]])
              for i in range(n)),
            Create(c.bag.sack),
            run_time=beat.share(max(0.95 - sees, 0.15)),
        )  # fmt: skip
        self.remove(*c.bag.twins)  # each twin lies exactly on its word: one chip a word

    def play_positions(self, beat: BeatSlot, c: SimpleNamespace) -> None:
        """The bag becomes the position signal; its waves drawn; each place's mix lifts."""
        waves = c.waves
        sine, mix = cue_shares(beat.plan.text, ("sine", "different mix"), start=0.3)
        # "each position adds its own signal": the bag's words become one column per place
        self.play(
            FadeOut(c.same), FadeOut(c.note), FadeOut(c.bag.sack),
            *(ReplacementTransform(c.bag.words[i], waves.columns[i]) for i in range(c.n)),
            run_time=beat.share(max(sine - 0.05, 0.2)),
        )  # fmt: skip
        # "sine and cosine waves": drawn through the places
        self.play(
            Create(waves.curves), FadeIn(c.formula), run_time=beat.share(max(mix - sine, 0.15))
        )
        # "a different mix at every place": each column lifts in turn
        self.play(
            LaggedStart(*(lift(m) for m in waves.columns), lag_ratio=0.5),
            run_time=beat.share(max(0.97 - mix, 0.15)),
        )

    def play_pattern(self, beat: BeatSlot, c: SimpleNamespace) -> None:
        """The signals rise into the rows, the weights change; the bars show the difference."""
        order, a, bars = c.order, c.a, c.bars
        gives, written, after = cue_shares(
            beat.plan.text, (f"{c.ex.focus} gives", "as written", "and")
        )
        # "now order matters": each place's signal rises into both rows; the weights change
        rising = VGroup(c.waves.columns.copy(), c.waves.columns.copy())
        self.play(
            *(column.animate.scale(0.4).move_to(row.chip(i)).set_opacity(0)
              for row, columns in zip((c.row_a, c.row_b), rising, strict=True)
              for i, column in enumerate(columns)),
            run_time=beat.share(max(gives * 0.55, 0.1)),
        )  # fmt: skip
        self.remove(*rising[0], *rising[1])
        plain_sum, placed_sum = c.sums
        sums = (Transform(plain_sum, placed_sum),) if len(plain_sum) and len(placed_sum) else (
            FadeOut(plain_sum), FadeIn(placed_sum))  # fmt: skip
        self.play(
            *(
                Transform(x, y)
                for k in (0, 1)
                for x, y in zip(c.plain[k], c.placed[k], strict=True)
            ),
            *sums,
            run_time=beat.share(max(gives * 0.45, 0.1)),
        )
        differ = VGroup(
            SurroundingRectangle(c.placed[0][a], color=TEXT, buff=0.09),
            SurroundingRectangle(c.placed[1][order.index(a)], color=TEXT, buff=0.09),
        )
        # "sat gives cat 0.99": the written row's weights stand as bars below
        self.play(
            bars[0].grow(),
            FadeOut(c.waves),
            FadeOut(c.formula),
            run_time=beat.share(max(written - gives, 0.1)),
        )
        # "as written": that word lifts, its weight boxed
        self.play(
            Create(differ[0]), lift(c.row_a.chip(a)), run_time=beat.share(max(after - written, 0.1))
        )
        # "and 0.00 after the swap": each bar goes with its word, to its new weight
        self.play(
            Create(differ[1]),
            *(Transform(bars[0].bars[order[j]], bars[1].bars[j]) for j in range(c.n)),
            FadeIn(note_line(f"with positions, the order changes what “{c.ex.focus}” gives")),
            run_time=beat.share(max(0.97 - after, 0.1)),
        )


def focus_rows(
    nums: Numbers, rows: tuple[TokenRow, TokenRow], focus: tuple[int, int], names: Sequence[str]
) -> tuple[list[VGroup], list[VGroup]]:
    """The focus row of each of ``names`` (recorded: written, swapped, written with positions,
    swapped with positions) under its sentence's words, and each pair's true sum beside them,
    where their rounded weights do not add up to it (else empty)."""
    ys = (WEIGHTS_A_Y, WEIGHTS_B_Y)
    weights = [rows[k % 2].under(nums.weight_row(focus[k % 2], name=m), ys[k % 2])
               for k, m in enumerate(names)]  # fmt: skip
    sums = [
        sum_beside(nums, [ShownRow(focus[0], names[k]), ShownRow(focus[1], names[k + 1])],
                   VGroup(weights[k], weights[k + 1]), SUM_Y)
        for k in (0, 2)
    ]  # fmt: skip
    return weights, sums


def row_labels(row_a: TokenRow, row_b: TokenRow) -> VGroup:
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


def note_line(words: str) -> VGroup:
    """A one-line caption between the rows and the lower third."""
    return VGroup(fit_width(caption(words), SAFE_WIDTH).move_to([0, NOTE_Y, 0]))
