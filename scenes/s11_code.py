"""Chapter "code": the project's own attention function, each line with its values beside it."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable

import numpy as np
from manim import (
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    VGroup,
)

from scenes.kit import (
    CHIP_FILL,
    FRAME_WIDTH,
    LABEL,
    MARGIN,
    MUTED,
    NUMBER,
    NUMBER_FONT,
    OUTPUT,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    KitText,
    Matrix,
    Numbers,
    ShownRow,
    TokenRow,
    caption,
    fit_width,
    fitting_decimals,
    scaled_dot_product_attention,
    sum_line,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["Code", "function_source"]

CODE_TOP = 3.05
CODE_BOTTOM = -1.7
PANEL_LABEL_Y = -2.1
PANEL_ROW_Y = -2.7
PANEL_VALUES_Y = -3.4
PANEL_VECTOR_Y = -3.0
LEFT_X = -FRAME_WIDTH / 2 + MARGIN
# the lines each beat lights up, found by how they start
LINES = {
    "inputs": "q, k, v =",
    "scores": "scores =",
    "weights": "weights =",
    "result": "return ",
}


def function_source(function: Callable[..., object]) -> list[str]:
    """The source lines of ``function`` as read from its module now, docstring left out.

    Examples
    --------
    >>> def f(x):
    ...     '''Double.'''
    ...     return 2 * x
    >>> function_source(f)
    ['def f(x):', '    return 2 * x']
    """
    source = textwrap.dedent(inspect.getsource(function))
    lines = source.rstrip("\n").split("\n")
    body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        del lines[first.lineno - 1 : first.end_lineno]
    return lines


class Code(NarratedScene):
    """``scaled_dot_product_attention`` from ``attention/core.py``, run on the focus row.

    Beats: ``source`` (the function, read with ``inspect.getsource`` at render time),
    ``inputs`` (the query of the focus), ``scores`` (its scaled scores under the tokens),
    ``weights`` (its weights, and their true sum where the rounded ones miss it),
    ``result`` (calling the function on the worked example gives the focus output the blend
    chapter showed; the scene checks the two are equal).
    """

    def construct(self) -> None:
        ex, f, nums, header, _ = self.open_chapter()
        lines = function_source(scaled_dot_product_attention)
        code, glyphs = self.code_block(lines)
        where = {beat: self.line_index(lines, start) for beat, start in LINES.items()}
        mini = TokenRow(ex.tokens, y=PANEL_ROW_Y)
        out, weights = scaled_dot_product_attention(ex.q, ex.k, ex.v)  # (n, d_head), (n, n)
        if not (np.allclose(out, ex.outputs) and np.allclose(weights, ex.weights)):
            raise RuntimeError("attention.core disagrees with the worked example")

        with self.beat("source") as beat:
            note = self.panel_label(
                "attention/core.py, read as the video renders (docstring left out)"
            )
            self.play(FadeIn(header), run_time=beat.share(0.15))
            self.play(
                LaggedStart(*(FadeIn(g, shift=0.05 * RIGHT) for g in glyphs), lag_ratio=0.12),
                FadeIn(note),
                run_time=beat.share(0.7),
            )

        with self.beat("inputs") as beat:
            mark = self.highlight(glyphs[where["inputs"]], code, len(lines))
            query = Matrix([nums.vector("q", f, color=QUERY)], QUERY, label=f"q  {ex.focus}")
            query.move_to([0, PANEL_VECTOR_Y, 0])
            label = self.panel_label(f"the query of “{ex.focus}”, one row of q")
            self.play(FadeIn(mark), FadeOut(note), run_time=beat.share(0.2))
            self.play(FadeIn(label), FadeIn(query, shift=0.1 * UP), run_time=beat.share(0.4))

        with self.beat("scores") as beat:
            scores = self.scaled_row(nums, mini, f)
            label2 = self.panel_label(f"scores of “{ex.focus}” with every key, ÷ √d")
            mark2 = self.highlight(glyphs[where["scores"]], code, len(lines))
            self.play(
                ReplacementTransform(mark, mark2),
                FadeOut(query),
                FadeTransform(label, label2),
                run_time=beat.share(0.25),
            )
            self.play(FadeIn(mini), FadeIn(scores, shift=0.1 * UP), run_time=beat.share(0.4))

        with self.beat("weights") as beat:
            shown = mini.under(nums.weight_row(f), PANEL_VALUES_Y)
            label3 = self.panel_label(f"weights of “{ex.focus}”: softmax of those scores")
            # the row's true sum at the label's far end, where the rounded weights miss it
            total = sum_line(nums, [ShownRow(f)])
            if len(total):
                label3.add(total.move_to([0, PANEL_LABEL_Y, 0])
                           .align_to([FRAME_WIDTH / 2 - MARGIN, 0, 0], RIGHT))  # fmt: skip
            mark3 = self.highlight(glyphs[where["weights"]], code, len(lines))
            self.play(
                ReplacementTransform(mark2, mark3),
                FadeTransform(label2, label3),
                run_time=beat.share(0.2),
            )
            self.play(
                *(FadeTransform(a, b) for a, b in zip(scores, shown, strict=True)),
                run_time=beat.share(0.4),
            )

        with self.beat("result") as beat:
            mark4 = self.highlight(glyphs[where["result"]], code, len(lines))
            call, line = self.call_and_result(nums, f)
            self.play(
                ReplacementTransform(mark3, mark4),
                FadeOut(VGroup(label3, mini, shown)),
                run_time=beat.share(0.2),
            )
            self.play(FadeIn(call, shift=0.05 * RIGHT), run_time=beat.share(0.25))
            self.play(FadeIn(line, shift=0.1 * UP), run_time=beat.share(0.3))

    def scaled_row(self, nums: Numbers, mini: TokenRow, f: int) -> VGroup:
        """The focus's scaled scores under the small token row."""
        n = self.example.n_tokens
        places = fitting_decimals(
            nums, [f"scaled_scores[{f}, {j}]" for j in range(n)], mini.slot_width() * 0.9
        )
        return mini.under(
            [nums.text(f"scaled_scores[{f}, {j}]", decimals=places) for j in range(n)],
            PANEL_VALUES_Y,
        )

    def call_and_result(self, nums: Numbers, f: int) -> tuple[KitText, VGroup]:
        """The call on the worked example, and the focus output it returns."""
        call = KitText(
            "out, weights = scaled_dot_product_attention(q, k, v)",
            font=NUMBER_FONT,
            font_size=NUMBER,
            color=TEXT,
        )
        fit_width(call, SAFE_WIDTH).move_to([0, PANEL_LABEL_Y, 0]).align_to([LEFT_X, 0, 0], LEFT)
        result = Matrix([nums.vector("outputs", f, color=OUTPUT)], OUTPUT)
        name = text(f"out[{self.example.focus}] =", size=LABEL, color=OUTPUT)
        same = caption("the same output the blend chapter showed")
        line = VGroup(name, result, same).arrange(RIGHT, buff=0.3)
        fit_width(line, SAFE_WIDTH).move_to([0, PANEL_VECTOR_Y - 0.2, 0])
        return call, line

    def code_block(self, lines: list[str]) -> tuple[KitText, list[VGroup]]:
        """The code as one monospaced Text (so indentation holds) and each line's glyphs.

        Comments are muted. A Text has one glyph per non-space character, so each line's
        glyphs are counted past its spaces.
        """
        code = KitText(
            "\n".join(lines), font=NUMBER_FONT, font_size=NUMBER, color=TEXT, line_spacing=0.8
        )
        glyphs: list[VGroup] = []
        i = 0
        for line in lines:
            hash_at = line.find("#")
            body = line if hash_at < 0 else line[:hash_at]
            n_body = sum(1 for c in body if not c.isspace())
            n_all = sum(1 for c in line if not c.isspace())
            VGroup(*code.submobjects[i + n_body : i + n_all]).set_color(MUTED)
            glyphs.append(VGroup(*code.submobjects[i : i + n_all]))
            i += n_all
        fit_width(code, SAFE_WIDTH)
        if code.height > CODE_TOP - CODE_BOTTOM:
            code.scale_to_fit_height(CODE_TOP - CODE_BOTTOM)
        code.move_to([0, CODE_TOP, 0], aligned_edge=UP).align_to([LEFT_X, 0, 0], LEFT)
        return code, glyphs

    @staticmethod
    def line_index(lines: list[str], start: str) -> int:
        """The first line that starts (after its indent) with ``start``."""
        for i, line in enumerate(lines):
            if line.strip().startswith(start):
                return i
        raise LookupError(f"no line starting {start!r} in scaled_dot_product_attention's source")

    @staticmethod
    def highlight(line: VGroup, code: KitText, n_lines: int) -> Rectangle:
        """A band behind one line of the code, across the code's width."""
        band = Rectangle(
            width=code.width + 0.3,
            height=code.height / n_lines,
            fill_color=CHIP_FILL,
            fill_opacity=1.0,
            stroke_color=MUTED,
            stroke_width=1.5,
        )
        band.move_to([code.get_center()[0], line.get_center()[1], 0])
        band.set_z_index(-1)
        return band

    @staticmethod
    def panel_label(words: str) -> VGroup:
        """The panel's one-line caption, under the code at the left margin."""
        label = fit_width(caption(words), SAFE_WIDTH)
        return VGroup(label.move_to([0, PANEL_LABEL_Y, 0]).align_to([LEFT_X, 0, 0], LEFT))
