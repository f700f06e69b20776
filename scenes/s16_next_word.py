"""Chapter "next word": a decoder reads the prompt and predicts the next token, then writes on.

The prompt's tokens as the model reads them (a leading space shown as ``␣``); the last
token's row of weights in the row head (:func:`attention.story.decoder_chapters.decoder_story`),
as bars under the tokens, each ``attention[l, h, n-1, j]``; the model's output at the last
position, its five highest scores (``next_logit[k]``) turned by softmax into probabilities,
the five likeliest as bars (``next[k]``); then
greedy generation: the top token moves into the prompt, the model reads the longer text and
the head's last row has one weight more (``step_attention(s)[l, h, j]``), with the new five
likeliest (``step_next(s)[k]``), from :mod:`attention.worked.generation`.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Circumscribe,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    MoveToTarget,
    Rectangle,
    ReplacementTransform,
    Restore,
    Square,
    Succession,
    Transform,
    VGroup,
    linear,
)

from scenes.kit import (
    KEY,
    LABEL,
    MUTED,
    QUERY,
    SMALL_NUMBER,
    TEXT,
    WEIGHT,
    Numbers,
    TokenRow,
    WeightBars,
    caption,
    dim,
    head_name,
    text,
)
from scenes.kit.decoder import GenerationStep, decoder_story, piece_label, shown_steps
from scenes.kit.motion import cued_spans
from scenes.narration import BeatSlot, NarratedScene

__all__ = ["NextWord"]

ROW_BASE = -2.85  # the last row's bars stand here, in the lower third
ROW_FULL = 1.3  # a weight of 1
HEAD_Y = -3.3  # the head's name, under the bars
PANEL_TOP = 1.75  # the five likeliest tokens, one line each below this
PANEL_STEP = 0.5
PANEL_LEFT = -3.2  # the tokens' right edge; the bars start here
PANEL_FULL = 6.0  # a probability of 1


class NextWord(NarratedScene):
    """The prompt, the last token's weights, the five likeliest next tokens, generation.

    Beats: ``tokens`` (the prompt's chips come in one by one; the space marker is named),
    ``row`` (the last token outlined, the row head named; its outline reads over each token
    as that token's weight rises under it; the token it looks at hardest outlined and joined
    to its weight), ``softmax`` (the five highest scores of the output, each turning into its
    probability as its bar grows, likeliest first), ``generate`` (the top token moves into
    the prompt; the row of the longer text grows by one; twice).
    """

    def construct(self) -> None:
        ex, _, nums, header, _ = self.open_chapter()
        self.story = decoder_story(ex)
        self.steps = shown_steps(ex)
        layer, head, key = self.story.row
        self.nums = nums
        row = self.token_row(self.steps[0].record.tokens.tokens)
        with self.beat("tokens") as beat:
            self.play_tokens(beat, header, row)
        bars = self.row_bars(row, 0)
        name = text(head_name(layer, head), size=LABEL, color=TEXT).move_to([0, HEAD_Y, 0])
        n = ex.n_tokens
        rings = VGroup(row.outline(n - 1, QUERY), row.outline(key, KEY))
        with self.beat("row") as beat:
            self.play_row(beat, row, bars, name, rings)
        panel = likeliest_panel(self.nums, self.steps, 0)
        with self.beat("softmax") as beat:
            self.play_softmax(beat, row, panel)
        with self.beat("generate") as beat:
            self.play_generate(beat, row, bars, panel, rings)

    def token_row(self, pieces: tuple[str, ...]) -> TokenRow:
        return TokenRow([piece_label(p) for p in pieces])

    def play_tokens(self, beat: BeatSlot, header: VGroup, row: TokenRow) -> None:
        """Reading left to right on "reads"; the layers and heads light on "layers"; the
        chips drop in on "tokens"; the spaced chips pulse on "space"."""
        note = caption("␣ marks a space: it belongs to the token after it")
        note.move_to([0, 1.8, 0])
        reader = caption("reads left to right, then predicts the next token")
        reader.move_to([0, 1.7, 0])
        arrow = Arrow([-4.0, 1.2, 0], [-3.0, 1.2, 0], color=QUERY, buff=0)
        nums = self.nums
        grid = layer_grid(self.example.n_layers, self.example.n_heads)
        size = VGroup(
            nums.text("n_layers", label="layers", decimals=0, size=LABEL),
            text("layers ×", size=LABEL, color=MUTED),
            nums.text("n_heads", label="heads per layer", decimals=0, size=LABEL),
            text("heads", size=LABEL, color=MUTED),
        ).arrange(RIGHT, buff=0.12)
        size.next_to(grid, DOWN, buff=0.2)
        spaced = [c for c, t in zip(row.chips, row.tokens, strict=True) if t.startswith("␣")]
        spans = cued_spans(beat.plan.text, ["reads", "predicts", "layers", "tokens", "space"])
        self.play(FadeIn(header, shift=0.2 * DOWN), run_time=beat.share(spans[0]))
        self.play(FadeIn(reader), GrowArrow(arrow), run_time=beat.share(spans[1]))
        self.play(arrow.animate.shift(7.0 * RIGHT), run_time=beat.share(spans[2]))
        heads = LaggedStart(*(FadeIn(s, scale=0.5) for s in grid), lag_ratio=0.02)
        self.play(FadeOut(arrow), FadeOut(reader), heads, FadeIn(size),
                  run_time=beat.share(spans[3]))  # fmt: skip
        self.play(FadeOut(grid), FadeOut(size),
                  LaggedStart(*(FadeIn(c, shift=0.3 * DOWN) for c in row.chips), lag_ratio=0.3),
                  run_time=beat.share(spans[4]))  # fmt: skip
        self.play(
            FadeIn(note),
            LaggedStart(
                *(Indicate(c.word, color=QUERY, scale_factor=1.4) for c in spaced or row.chips),
                lag_ratio=0.5,
            ),
            run_time=beat.share(spans[5]),
        )
        self.space_note = note

    def play_row(self, beat: BeatSlot, row: TokenRow, bars: WeightBars, name: VGroup,
                 rings: VGroup) -> None:  # fmt: skip
        """The last token outlined as the others dim on "last token"; its head named on
        "layer"; on "looks" its outline reads over each token in turn as that token's weight
        rises; on "first" it settles on the token it looks at hardest and the other weights
        dim; on "with" an arrow joins that token to its weight."""
        n = len(row.chips)
        key = self.story.row[2]
        spans = cued_spans(beat.plan.text, ["last token", "layer", "looks", "first", "with"])
        others = VGroup(*row.chips[: n - 1])
        others.save_state()
        others.generate_target()
        dim(others.target, 0.35)
        self.play(FadeOut(self.space_note), run_time=beat.share(spans[0]))
        self.play(Create(rings[0]), MoveToTarget(others, rate_func=linear),
                  Indicate(row.chips[n - 1].word, color=QUERY, scale_factor=1.4),
                  run_time=beat.share(spans[1]))  # fmt: skip
        self.play(FadeIn(name, shift=0.4 * UP), FadeIn(bars.baseline),
                  Restore(others, rate_func=linear), run_time=beat.share(spans[2]))  # fmt: skip
        # "looks at": token by token, its weight rising under it
        cursor = rings[0].copy()
        self.bars = VGroup(bars.baseline, bars.bars, bars.values)
        self.play(Succession(*(AnimationGroup(
            Transform(cursor, row.outline(j, QUERY)), GrowFromEdge(bars.bars[j], DOWN),
            FadeIn(bars.values[j], shift=0.3 * UP)) for j in range(n))),
            run_time=beat.share(spans[3]))  # fmt: skip
        rest = VGroup(*(VGroup(bars.bars[j], bars.values[j]) for j in range(n) if j != key))
        rest.generate_target()
        dim(rest.target, 0.4)
        self.play(ReplacementTransform(cursor, rings[1]), MoveToTarget(rest),
                  Circumscribe(bars.bars[key], color=KEY),
                  run_time=beat.share(spans[4]))  # fmt: skip
        self.arrow = Arrow(rings[1].get_bottom(), bars.values[key].get_top(), color=KEY,
                           buff=0.1, stroke_width=3)  # fmt: skip
        self.play(GrowArrow(self.arrow, rate_func=linear),
                  Indicate(bars.values[key], color=KEY, scale_factor=1.6),
                  run_time=beat.share(spans[5]))  # fmt: skip

    def play_softmax(self, beat: BeatSlot, row: TokenRow, panel: VGroup) -> None:
        """The head's row dims as "the last layer" is said; after it the scores' title comes
        out of the last token; the candidates come in with their scores on "every token"; on
        "softmax" each score turns into its probability as its bar grows to it, one by one;
        the likeliest stands out as the rest dim, then the second lights again."""
        spans = cued_spans(beat.plan.text, ["layer", "every token", "softmax", "likeliest",
                                            "then"])  # fmt: skip
        title, logits = score_column(self.nums, panel)
        source = row.chips[-1].get_center()
        bars = self.bars
        bars.generate_target()
        dim(bars.target, 0.45)
        self.play(FadeOut(self.arrow), MoveToTarget(bars), run_time=beat.share(spans[0]))
        mover = row.chips[-1].copy()
        self.play(FadeIn(title, target_position=source, scale=0.2),
                  FadeOut(mover, shift=(title.get_y() - source[1]) * UP, scale=0.6),
                  rate_func=linear, run_time=beat.share(spans[1]))  # fmt: skip
        self.play(LaggedStart(*(AnimationGroup(FadeIn(m, shift=1.5 * RIGHT), FadeIn(s, shift=LEFT))
                                for m, s in zip(panel[1], logits, strict=True)), lag_ratio=0.4),
                  run_time=beat.share(spans[2]))  # fmt: skip
        self.play(ReplacementTransform(title, panel[0]),
                  LaggedStart(*(AnimationGroup(GrowFromEdge(b, LEFT), ReplacementTransform(s, v))
                                for b, s, v in zip(panel[2], logits, panel[3], strict=True)),
                              lag_ratio=0.6),
                  run_time=beat.share(spans[3]))  # fmt: skip
        lines = VGroup(*(VGroup(panel[1][k], panel[2][k], panel[3][k])
                         for k in range(1, len(panel[1]))))  # fmt: skip
        shown = lines.copy()
        lines.generate_target()
        dim(lines.target, 0.35)
        self.play(MoveToTarget(lines), Indicate(VGroup(panel[1][0], panel[3][0]), color=QUERY),
                  Circumscribe(panel[2][0], color=QUERY),
                  run_time=beat.share(spans[4]))  # fmt: skip
        self.play(Transform(lines[0], shown[0]), Circumscribe(panel[2][1], color=TEXT),
                  run_time=beat.share(spans[5]))  # fmt: skip

    def row_bars(self, row: TokenRow, step: int) -> WeightBars:
        """The row head's last row at generation step ``step``, one bar under each token."""
        layer, head, _ = self.story.row
        n = len(row.chips)
        # the prompt's own record, then each step's: the same numbers at step 0
        cells = [
            f"attention[{layer}, {head}, {n - 1}, {j}]" if step == 0
            else f"step_attention({step})[{layer}, {head}, {j}]"
            for j in range(n)
        ]  # fmt: skip
        weights = [self.nums.value(c) for c in cells]
        labels = [self.nums.text(c, label=f"last row, step {step}", size=SMALL_NUMBER, color=WEIGHT)
                  for c in cells]  # fmt: skip
        width = min(0.45, 0.6 * row.slot_width())
        bars = WeightBars(weights, labels, row.xs(), ROW_BASE, full_height=ROW_FULL,
                          bar_width=width)  # fmt: skip
        row.under(list(bars.values), y=ROW_BASE)  # shrink the digits to their slots if crowded
        for bar, value in zip(bars.bars, bars.values, strict=True):
            value.next_to(bar, UP, buff=0.06)
        return bars

    def play_generate(self, beat: BeatSlot, row: TokenRow, bars: WeightBars, panel: VGroup,
                      rings: VGroup) -> None:  # fmt: skip
        """The top token boxed; it joins the prompt on "appended"; the longer text's last
        row grows in on "grows" with its five likeliest; on "then", the next step at once."""
        spans = cued_spans(beat.plan.text, ["appended", "grows", "then"], end=0.97)
        box = panel[1][0].copy().set_color(QUERY)
        top = _box(panel, 0)
        self.play(Create(top), FadeIn(box), run_time=beat.share(spans[0]))
        rings.add(top)  # goes with the first step's rings
        for s in range(1, len(self.steps)):
            new_row = self.token_row(self.steps[s].record.tokens.tokens)
            new_bars = self.row_bars(new_row, s)
            new_panel = likeliest_panel(self.nums, self.steps, s)
            ring = new_row.outline(len(new_row.chips) - 1, QUERY)
            kept = VGroup(*new_row.chips[:-1])
            moving = [ReplacementTransform(row, kept), ReplacementTransform(box, new_row.chips[-1]),
                      FadeOut(bars), FadeOut(panel), FadeOut(rings)]  # fmt: skip
            growing = [
                bars_grow(new_bars),
                FadeIn(new_bars.values),
                Create(ring),
                FadeIn(new_panel[:2]),
                FadeIn(new_panel[3]),
                LaggedStart(*(GrowFromEdge(b, LEFT) for b in new_panel[2]), lag_ratio=0.2),
            ]
            first, second = (spans[1], spans[2]) if s == 1 else (spans[3] * 0.4, spans[3] * 0.6)
            self.play(*moving, run_time=beat.share(first))
            self.remove(kept, new_row.chips[-1])
            self.add(new_row)
            self.play(*growing, run_time=beat.share(second))
            row, bars, panel, rings = new_row, new_bars, new_panel, VGroup(ring)
            box = panel[1][0].copy().set_color(QUERY)


def layer_grid(layers: int, heads: int) -> VGroup:
    """One small square per head, ``layers`` rows of ``heads``: the model's size at a glance."""
    side = min(0.14, 2.6 / layers)
    grid = VGroup(*(Square(side, stroke_width=0, fill_color=WEIGHT, fill_opacity=0.8)
                    for _ in range(layers * heads)))  # fmt: skip
    grid.arrange_in_grid(rows=heads, cols=layers, buff=side * 0.35)
    return grid.move_to([0, -2.0, 0])


def likeliest_panel(nums: Numbers, steps: tuple[GenerationStep, ...], step: int) -> VGroup:
    """Title, the five likeliest tokens, their bars and probabilities at ``step``."""
    src = "next" if step == 0 else f"step_next({step})"
    top = steps[step].top
    title = caption("softmax of the last position's output: the likeliest next tokens")
    title.move_to([0, PANEL_TOP, 0])
    names, bars, values = VGroup(), VGroup(), VGroup()
    for k, t in enumerate(top):
        y = PANEL_TOP - (k + 1) * PANEL_STEP
        name = text(piece_label(t.text), size=LABEL, color=QUERY if k == 0 else TEXT)
        names.add(name.move_to([PANEL_LEFT - 0.15, y, 0], aligned_edge=RIGHT))
        bar = Rectangle(width=max(t.probability * PANEL_FULL, 0.02), height=0.34,
                        fill_color=WEIGHT, fill_opacity=0.85, stroke_width=0)  # fmt: skip
        bars.add(bar.move_to([PANEL_LEFT, y, 0], aligned_edge=LEFT))
        value = nums.text(f"{src}[{k}]", label=f"p({t.text.strip()})", color=TEXT)
        values.add(value.next_to(bar, RIGHT, buff=0.15))
    return VGroup(title, names, bars, values)


def score_column(nums: Numbers, panel: VGroup) -> tuple[VGroup, VGroup]:
    """A title for the scores and the five likeliest tokens' scores before softmax, the
    output logits ``next_logit[k]``, where their bars will start."""
    title = caption("scores of the last position's output, the five highest")
    title.move_to(panel[0])
    logits = VGroup()
    for k, name in enumerate(panel[1]):
        score = nums.text(f"next_logit[{k}]", label="score before softmax", color=MUTED)
        logits.add(score.move_to([PANEL_LEFT + 0.1, name.get_y(), 0], aligned_edge=LEFT))
    return title, logits


def _box(panel: VGroup, k: int) -> Rectangle:
    """An outline round the ``k``-th likeliest token's line of the panel."""
    line = VGroup(panel[1][k], panel[2][k], panel[3][k])
    return Rectangle(width=line.width + 0.2, height=line.height + 0.12, stroke_color=QUERY,
                     stroke_width=2).move_to(line)  # fmt: skip


def bars_grow(bars: WeightBars) -> LaggedStart:
    """The bars grow from their baseline, left to right."""
    return LaggedStart(FadeIn(bars.baseline), *(GrowFromEdge(b, DOWN) for b in bars.bars),
                       lag_ratio=0.05)  # fmt: skip
