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
    Animation,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromPoint,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
    linear,
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
    WEIGHT,
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
from scenes.kit.motion import cued_spans
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
    "q": "q:",
    "k": "k:",
    "v": "v:",
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


def code_block(lines: list[str]) -> tuple[KitText, list[VGroup]]:
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


def line_index(lines: list[str], start: str) -> int:
    """The first line that starts (after its indent) with ``start``."""
    for i, line in enumerate(lines):
        if line.strip().startswith(start):
            return i
    raise LookupError(f"no line starting {start!r} in scaled_dot_product_attention's source")


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


def panel_label(words: str) -> VGroup:
    """The panel's one-line caption, under the code at the left margin."""
    label = fit_width(caption(words), SAFE_WIDTH)
    return VGroup(label.move_to([0, PANEL_LABEL_Y, 0]).align_to([LEFT_X, 0, 0], LEFT))


class Code(NarratedScene):
    """``scaled_dot_product_attention`` from ``attention/core.py``, run on the focus row.

    Each motion starts on the words that name it. Beats: ``source`` (the function, read
    with ``inspect.getsource`` at render time, line after line), ``inputs`` (a band steps
    down the q, k and v parameters as "queries, keys and values" are said; on "this is the
    query" it moves to the line that reads them and the focus's query grows out of it),
    ``scores`` (the band on the scores line; copies of the query go to every token and
    become its score q·k; on "divided" each becomes its scaled score), ``weights`` (the
    band on softmax's line; the scores rise into it one by one and come out as the weights;
    the top weight boxed as it is said, the row's true sum where the rounded ones miss it),
    ``result`` (the weights go into the return line; "run it" types the call; the focus
    output comes out of it, the one the blend chapter showed; the scene checks they are
    equal).
    """

    def construct(self) -> None:
        ex, f, nums, header, _ = self.open_chapter()
        lines = function_source(scaled_dot_product_attention)
        code, glyphs = code_block(lines)
        where = {beat: line_index(lines, start) for beat, start in LINES.items()}
        mini = TokenRow(ex.tokens, y=PANEL_ROW_Y)
        out, weights = scaled_dot_product_attention(ex.q, ex.k, ex.v)  # (n, d_head), (n, n)
        if not (np.allclose(out, ex.outputs) and np.allclose(weights, ex.weights)):
            raise RuntimeError("attention.core disagrees with the worked example")

        with self.beat("source") as beat:
            note = panel_label("attention/core.py, read as the video renders (docstring left out)")
            self.play(FadeIn(header), run_time=beat.share(0.1))
            # "here is the whole function": line after line, until the sentence ends
            self.play(
                LaggedStart(*(FadeIn(g, shift=0.1 * RIGHT) for g in glyphs), lag_ratio=0.3),
                FadeIn(note),
                rate_func=linear,
                run_time=beat.share(0.85),
            )

        with self.beat("inputs") as beat:
            # "it takes the queries, keys and values": the band steps down q, k and v as
            # each is named; "this is the query of <focus>": it grows out of the q line
            spans = cued_spans(beat.plan.text, ["queries", "keys", "values", "This is"])
            marks = [highlight(glyphs[where[name]], code, len(lines))
                     for name in ("q", "k", "v", "inputs")]  # fmt: skip
            query = Matrix([nums.vector("q", f, color=QUERY)], QUERY, label=f"q  {ex.focus}")
            query.move_to([0, PANEL_VECTOR_Y, 0])
            label = panel_label(f"the query of “{ex.focus}”, one row of q")
            self.play(FadeOut(note), run_time=beat.share(spans[0]))
            self.play(FadeIn(marks[0]), run_time=beat.share(spans[1]))
            for k in (1, 2):
                self.play(ReplacementTransform(marks[k - 1], marks[k]),
                          run_time=beat.share(spans[k + 1]))  # fmt: skip
            self.play(
                ReplacementTransform(marks[2], marks[3]),
                FadeIn(label),
                GrowFromPoint(query, glyphs[where["inputs"]][0].get_center()),
                run_time=beat.share(spans[4]),
            )
        self.band, self.n_lines, self.mini_row = marks[3], len(lines), mini
        self.play_scores(nums, mini, label, query, code, glyphs[where["scores"]])
        shown = self.play_weights(nums, mini, code, glyphs[where["weights"]])
        self.play_result(nums, code, glyphs[where["result"]], shown)

    def play_scores(
        self, nums: Numbers, mini: TokenRow, label: VGroup, query: Matrix,
        code: KitText, line: VGroup,
    ) -> None:  # fmt: skip
        """``scores``: the query meets every key, and each score is divided by √d."""
        ex, f = self.example, self.example.focus_index
        raw = self.score_row(nums, mini, f, "scores")
        scaled = self.score_row(nums, mini, f, "scaled_scores")
        label2 = panel_label(f"scores of “{ex.focus}” with every key: q·k")
        label3 = panel_label(f"scores of “{ex.focus}” with every key, ÷ √d")
        with self.beat("scores") as beat:
            spans = cued_spans(beat.plan.text, ["matrix product", "every score", "divided"])
            # the query steps aside, up to the right, so the token row can come in under it
            aside = [FRAME_WIDTH / 2 - MARGIN - query.width / 2, PANEL_LABEL_Y + 0.2, 0]
            self.play(query.animate.move_to(aside), run_time=beat.share(spans[0]))
            # "one matrix product": the band on the scores line, the token row its keys
            self.play(self.move_band(code, line), FadeTransform(label, label2), FadeIn(mini),
                      run_time=beat.share(spans[1]))  # fmt: skip
            # "gives every score": the query meets each key in turn, a score each
            self.play(
                LaggedStart(*(ReplacementTransform(query.copy(), v) for v in raw), lag_ratio=0.35),
                FadeOut(query),
                run_time=beat.share(spans[2]),
            )
            # "divided by the square root of d": each score becomes its scaled value
            self.play(
                LaggedStart(*(FadeTransform(a, b) for a, b in zip(raw, scaled, strict=True)),
                            lag_ratio=0.3),
                FadeTransform(label2, label3),
                run_time=beat.share(spans[3]),
            )  # fmt: skip
        self.scaled, self.label = scaled, label3

    def play_weights(self, nums: Numbers, mini: TokenRow, code: KitText, line: VGroup) -> VGroup:
        """``weights``: softmax turns the scores into weights; the top one is boxed."""
        ex, f = self.example, self.example.focus_index
        shown = mini.under(nums.weight_row(f), PANEL_VALUES_Y)
        label = panel_label(f"weights of “{ex.focus}”: softmax of those scores")
        # the row's true sum at the label's far end, where the rounded weights miss it
        total = sum_line(nums, [ShownRow(f)])
        if len(total):
            total.move_to([0, PANEL_LABEL_Y, 0]).align_to([FRAME_WIDTH / 2 - MARGIN, 0, 0], RIGHT)
        top = int(ex.weights[f].argmax())
        box = VGroup(SurroundingRectangle(shown[top], color=TEXT, buff=0.08),
                     mini.outline(top, WEIGHT))  # fmt: skip
        with self.beat("weights") as beat:
            spans = cued_spans(beat.plan.text, ["each row", f"gives {ex.tokens[top]}"])
            # "softmax": the band on the weights line
            self.play(self.move_band(code, line), FadeTransform(self.label, label),
                      run_time=beat.share(spans[0]))  # fmt: skip
            # "turns each row into weights": the scores go up into softmax's line, one by
            # one, and come out as the weights
            into = line.get_center()
            self.play(
                LaggedStart(*(v.animate.scale(0.5).move_to(into).set_opacity(0)
                              for v in self.scaled), lag_ratio=0.3),
                run_time=beat.share(spans[1] * 0.5),
            )  # fmt: skip
            self.remove(*self.scaled)
            self.play(
                LaggedStart(*(GrowFromPoint(w, into) for w in shown), lag_ratio=0.3),
                run_time=beat.share(spans[1] * 0.5),
            )
            # "<focus> gives <top> <weight>": that weight boxed, the row's true sum
            self.play(Create(box), *([FadeIn(total)] if len(total) else []),
                      run_time=beat.share(spans[2]))  # fmt: skip
        self.label = VGroup(label, total, box)
        return shown

    def play_result(self, nums: Numbers, code: KitText, line: VGroup, shown: VGroup) -> None:
        """``result``: the weights go into the return line; the call gives the output."""
        call, (name, result, same) = self.call_and_result(nums, self.example.focus_index)
        with self.beat("result") as beat:
            spans = cued_spans(beat.plan.text, ["weights times", "run it", "out comes", "the same"])
            self.play(FadeOut(self.label), run_time=beat.share(spans[0]))
            # "the weights times the values": the band on the return line, the weights into it
            self.play(
                self.move_band(code, line),
                shown.animate.scale(0.4).move_to(line).set_opacity(0),
                FadeOut(self.mini_row),
                run_time=beat.share(spans[1]),
            )
            # "run it": the call is typed
            self.play(Write(call), rate_func=linear, run_time=beat.share(spans[2]))
            # "out comes the same vector": out of the call, the output
            self.play(FadeIn(name), GrowFromPoint(result, call.get_center()),
                      run_time=beat.share(spans[3]))  # fmt: skip
            self.play(FadeIn(same, shift=0.1 * UP), run_time=beat.share(spans[4]))

    def move_band(self, code: KitText, line: VGroup) -> Animation:
        """The band behind the code moves to ``line``."""
        band = highlight(line, code, self.n_lines)
        move, self.band = ReplacementTransform(self.band, band), band
        return move

    def score_row(self, nums: Numbers, mini: TokenRow, f: int, name: str) -> VGroup:
        """The focus's row of ``name`` (scores or scaled_scores) under the small token row."""
        n = self.example.n_tokens
        places = fitting_decimals(
            nums, [f"{name}[{f}, {j}]" for j in range(n)], mini.slot_width() * 0.9
        )
        return mini.under(
            [nums.text(f"{name}[{f}, {j}]", decimals=places) for j in range(n)],
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
