"""Chapter "word_sense": one word, two sentences, one embedding; attention makes two meanings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from manim import (
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeTransform,
    Line,
    Rectangle,
    SurroundingRectangle,
    Transform,
    VGroup,
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
    sentence. Beats: ``same_word`` (both embeddings, equal), ``context`` (the outputs after
    attention, different), ``moved`` (which named dimension each sentence pulled it toward).
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
            same = caption(f"“{focus}” is looked up alone: the same embedding in both")
            fit_width(same, SAFE_WIDTH).move_to([0, NOTE_YS[0], 0])
            self.play(FadeIn(header), FadeIn(VGroup(*rows)), run_time=beat.share(0.25))
            self.play(
                FadeIn(labels),
                FadeIn(axes),
                *(FadeIn(bars, shift=0.1 * RIGHT) for bars in before),
                run_time=beat.share(0.35),
            )
            self.play(FadeIn(same, shift=0.1 * UP), run_time=beat.share(0.2))

        with self.beat("context") as beat:
            differ = caption(
                f"after attention, “{focus}” carries its sentence: two different vectors"
            )
            fit_width(differ, SAFE_WIDTH).move_to([0, NOTE_YS[0], 0])
            self.play(
                *(Transform(b, a) for b, a in zip(before, after, strict=True)),
                FadeTransform(same, differ),
                run_time=beat.share(0.5),
            )

        with self.beat("moved") as beat:
            gap = outputs[0] - outputs[1]  # (d_model,)
            pulls = [int(np.argmax(gap)), int(np.argmin(gap))]
            marks = VGroup(
                *(
                    SurroundingRectangle(labels[k], color=TEXT, buff=0.08)
                    for k in dict.fromkeys(pulls)
                )
            )
            toward = caption(
                f"after attention, sentence 1 puts it higher on “{names[pulls[0]]}”, "
                f"sentence 2 on “{names[pulls[1]]}”"
            )
            fit_width(toward, SAFE_WIDTH).move_to([0, NOTE_YS[1], 0])
            self.play(Create(marks), FadeIn(toward, shift=0.1 * UP), run_time=beat.share(0.45))

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
