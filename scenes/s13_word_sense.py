"""Chapter "word_sense": one word, two sentences, one embedding; attention makes two meanings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    GrowFromEdge,
    LaggedStart,
    Line,
    Rectangle,
    Succession,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    linear,
)

from scenes.kit import (
    BODY,
    GRID,
    LABEL,
    MUTED,
    OUTPUT,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    TokenRow,
    WorkedExample,
    caption,
    dimension_names,
    example_for,
    fit_width,
    text,
)
from scenes.kit.motion import cued_spans
from scenes.narration import NarratedScene

__all__ = ["WordSense"]

PANEL_XS = (-3.6, 3.6)  # the two sentences' panels (their bars' zero lines)
PANEL_HALF = 2.3  # a bar of the largest magnitude reaches this far from its zero line
ROW_Y = 2.6
SENTENCE_WIDTH = 6.4
BARS_TOP = 1.55
BARS_BOTTOM = -2.1
NOTE_YS = (-2.75, -3.3)


class WordSense(NarratedScene):
    """The same word in two sentences: identical embeddings, different outputs.

    Each sentence is its own worked example (the ``sentences`` and ``focus`` parameters).
    Bars show the focus word's vector along the model's named meaning dimensions, with no
    numbers: the chapter compares directions, and the ledger checks only the video's own
    sentence. Beats, each motion on its words: ``same_word`` (both sentences word by word;
    on "looked up alone" the word's embedding grows bar by bar in the first panel, and on
    "the same embedding" the same bars are carried over to the second), ``context`` (on
    "read its sentence" the word's outline passes over every word of its sentence; on
    "after it" each panel's bars move to the output after attention, a faint copy of the
    embedding left behind), ``moved`` (the two dimensions that part the sentences most,
    boxed on "named meaning dimensions"; on "which way" arrows from the embedding to the
    output on those dimensions).
    """

    def construct(self) -> None:
        _, _, _, header, _ = self.open_chapter()
        focus = str(self.param("focus"))
        sentences = [str(s) for s in self.param("sentences")]
        if len(sentences) != 2:
            raise ValueError(f"sentences needs two sentences, got {len(sentences)}")
        # each sentence is a spec of its own, read by the video's model
        examples = [
            example_for(replace(self.plan.spec, sentence=s, focus=focus)) for s in sentences
        ]
        names = dimension_names(examples[0])
        embeds = [ex.x[ex.focus_index] for ex in examples]  # (d_model,) each
        outputs = [ex.mha_output[ex.focus_index] for ex in examples]
        top = float(np.max(np.abs(np.concatenate([*embeds, *outputs])))) or 1.0
        rows = [self.sentence_row(ex, x) for ex, x in zip(examples, PANEL_XS, strict=True)]
        ys = np.linspace(BARS_TOP, BARS_BOTTOM, len(names))
        labels = VGroup(
            *(
                text(name, size=LABEL, color=MUTED).move_to([0, y, 0])
                for name, y in zip(names, ys, strict=True)
            )
        )
        axes = VGroup(
            *(
                Line([x, BARS_TOP + 0.3, 0], [x, BARS_BOTTOM - 0.3, 0], color=GRID, stroke_width=2)
                for x in PANEL_XS
            )
        )
        before = [self.bars(v, x, ys, top, TEXT) for v, x in zip(embeds, PANEL_XS, strict=True)]
        after = [self.bars(v, x, ys, top, OUTPUT) for v, x in zip(outputs, PANEL_XS, strict=True)]

        with self.beat("same_word") as beat:
            spans = cued_spans(beat.plan.text, ["A bank", "Looked up", "the same", "in both"])
            same = caption(f"“{focus}” is looked up alone: the same embedding in both")
            fit_width(same, SAFE_WIDTH).move_to([0, NOTE_YS[0], 0])
            self.play(FadeIn(header), run_time=beat.share(spans[0]))
            # "a bank can hold money, or line a river": both sentences, word by word
            self.play(
                *(LaggedStart(*(FadeIn(c, shift=0.1 * DOWN) for c in r[0].chips), lag_ratio=0.5)
                  for r in rows),
                rate_func=linear,
                run_time=beat.share(spans[1]),
            )  # fmt: skip
            # "looked up alone": the word's embedding, one named dimension after another
            self.play(
                *(Create(r[1]) for r in rows),
                FadeIn(labels),
                FadeIn(axes),
                LaggedStart(*(GrowFromEdge(bar, LEFT if v >= 0 else RIGHT)
                              for bar, v in zip(before[0], embeds[0], strict=True)),
                            lag_ratio=0.3),
                run_time=beat.share(spans[2]),
            )  # fmt: skip
            # "the same embedding in both": the same bars, carried over to the other sentence
            self.play(TransformFromCopy(before[0], before[1]), run_time=beat.share(spans[3]))
            self.play(FadeIn(same, shift=0.1 * UP), run_time=beat.share(spans[4]))

        ghosts = VGroup(*(b.copy().set_fill(opacity=0.22) for b in before))
        with self.beat("context") as beat:
            spans = cued_spans(beat.plan.text, ["read its sentence", "After it", "different"])
            differ = caption(
                f"after attention, “{focus}” carries its sentence: two different vectors"
            )
            fit_width(differ, SAFE_WIDTH).move_to([0, NOTE_YS[0], 0])
            # "each word reads its sentence": the outline passes over every word and back
            self.play(*(self.read(r) for r in rows), run_time=beat.share(spans[0] + spans[1]))
            # "after it, the two banks are different vectors": each moves to its output
            self.add(ghosts)
            self.play(
                LaggedStart(*(Transform(b, a) for b, a in zip(before, after, strict=True)),
                            lag_ratio=0.5),
                run_time=beat.share(spans[2]),
            )  # fmt: skip
            self.play(FadeTransform(same, differ), run_time=beat.share(spans[3]))

        self.play_moved(names, labels, embeds, outputs, ys, top)

    def play_moved(
        self, names: Sequence[str], labels: VGroup, embeds: Sequence[np.ndarray],
        outputs: Sequence[np.ndarray], ys: np.ndarray, top: float,
    ) -> None:  # fmt: skip
        """``moved``: the dimensions that part the two words most, and which way each moved."""
        with self.beat("moved") as beat:
            spans = cued_spans(beat.plan.text, ["named meaning", "which way"])
            gap = outputs[0] - outputs[1]  # (d_model,)
            pulls = list(dict.fromkeys([int(np.argmax(gap)), int(np.argmin(gap))]))
            marks = VGroup(*(SurroundingRectangle(labels[k], color=TEXT, buff=0.08) for k in pulls))
            arrows = VGroup(
                *(
                    self.arrow(float(x[k]), float(y[k]), x0, float(ys[k]), top)
                    for x, y, x0 in zip(embeds, outputs, PANEL_XS, strict=True)
                    for k in pulls
                    if abs(float(y[k]) - float(x[k])) / top * PANEL_HALF > 0.15
                )
            )
            toward = caption(
                f"after attention, sentence 1 puts it higher on “{names[pulls[0]]}”, "
                f"sentence 2 on “{names[pulls[-1]]}”"
            )
            fit_width(toward, SAFE_WIDTH).move_to([0, NOTE_YS[1], 0])
            # "the named meaning dimensions": the two that part the sentences most, boxed
            self.play(Create(marks), run_time=beat.share(spans[0] + spans[1]))
            # "which way each one moved": from the embedding to the output, on those two
            self.play(
                LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.3),
                FadeIn(toward, shift=0.1 * UP),
                run_time=beat.share(spans[2]),
            )

    @staticmethod
    def read(row: VGroup) -> Animation:
        """A copy of the word's outline passes over each word of its sentence and back."""
        tokens, ring = row[0], row[1]
        reader = ring.copy()
        stops = [*range(len(tokens.chips)), int(np.argmin([abs(c.get_x() - ring.get_x())
                                                           for c in tokens.chips]))]  # fmt: skip
        steps = []
        for j in stops:
            chip = tokens.chips[j]
            target = ring.copy().stretch_to_fit_width(chip.width).move_to(chip)
            steps.append(Transform(reader, target, rate_func=linear))
        return Succession(*steps, FadeOut(reader, run_time=0.01))

    @staticmethod
    def arrow(start: float, end: float, x0: float, y: float, top: float) -> Arrow:
        """An arrow along a bar's row, from where the embedding ended to where the output ends."""
        at = [x0 + start / top * PANEL_HALF, y, 0]
        to = [x0 + end / top * PANEL_HALF, y, 0]
        return Arrow(at, to, buff=0, color=TEXT, stroke_width=4, tip_length=0.16,
                     max_tip_length_to_length_ratio=0.5)  # fmt: skip

    def sentence_row(self, example: WorkedExample, x: float) -> VGroup:
        """One sentence's token row over its panel, the shared word outlined."""
        row = TokenRow(example.tokens, y=ROW_Y, max_width=SENTENCE_WIDTH, size=BODY)
        row.set_x(x)
        return VGroup(row, row.outline(example.focus_index, QUERY))

    @staticmethod
    def bars(
        values: Sequence[float], x0: float, ys: Sequence[float], top: float, color: str
    ) -> VGroup:
        """Horizontal bars from the zero line at ``x0``, right for positive, left for negative."""
        height = min(0.42, 0.75 * abs(ys[0] - ys[1])) if len(ys) > 1 else 0.42
        group = VGroup()
        for v, y in zip(values, ys, strict=True):
            length = max(abs(float(v)) / top * PANEL_HALF, 0.02)
            bar = Rectangle(
                width=length, height=height, fill_color=color, fill_opacity=0.85, stroke_width=0
            )
            bar.move_to([x0, y, 0], aligned_edge=LEFT if v >= 0 else RIGHT)
            group.add(bar)
        return group
