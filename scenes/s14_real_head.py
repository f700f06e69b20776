"""Chapter "real head": one learned head of a trained model, the four steps of chapters 2-5.

The head is the story head of :func:`attention.story.head_story.story_heads` (the one the narration
names): among the heads with no habit, the one that links the focus word to another word most
strongly (else the one where it gives another word the most). Its query and keys have 32
entries with no names, so they are drawn as colour strips with a few entries as numbers; the
scores, weights and blend are the model's own, every number recorded as
``queries[l, h, i, c]``, ``logits[l, h, i, j]``, ``attention[l, h, i, j]``,
``contexts[l, h, i, c]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Group,
    LaggedStart,
    Mobject,
    SurroundingRectangle,
    VGroup,
)

from scenes.kit import (
    CONTENT_BOTTOM,
    FRAME_WIDTH,
    HEADER_Y,
    KEY,
    LABEL,
    MARGIN,
    MUTED,
    OUTPUT,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    VALUE,
    WEIGHT,
    ColorStrip,
    Numbers,
    ShownRow,
    StripRow,
    TokenLines,
    WeightBars,
    WorkedExample,
    caption,
    fit_width,
    fitting_decimals,
    head_name,
    story_heads,
    sum_line,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["RealHead", "RowGeometry", "head_label", "shown_entries"]

BAND = {1: 1.45, 2: 1.0, 3: 0.3}  # height of the strips under each row, by rows
BAND_TOP = 0.45  # below a row's centre
NUMBERS_BELOW = 0.27  # the numbers row, below the strips
ROW_GAP = 0.3  # between a row's numbers and the next row's chips
SHOWN = 3  # entries of q and k shown as numbers
WORK_STRIP = 0.2  # the side of a cell of the q, k and output strips in the work area


@dataclass(frozen=True)
class RowGeometry:
    """Where things sit under each row of tokens, and the work area below the last row.

    Examples
    --------
    >>> g = RowGeometry.for_rows(2)
    >>> round(g.band, 2), round(g.pitch, 2), round(g.numbers_y(0.0), 2)
    (1.0, 2.42, -1.72)
    """

    band: float
    pitch: float

    @classmethod
    def for_rows(cls, rows: int) -> RowGeometry:
        band = BAND[min(rows, max(BAND))]
        return cls(band, BAND_TOP + band + NUMBERS_BELOW + 0.12 + ROW_GAP + 0.28)

    def band_top(self, y: float) -> float:
        return y - BAND_TOP

    def numbers_y(self, y: float) -> float:
        return y - BAND_TOP - self.band - NUMBERS_BELOW


def work_top(lines: TokenLines, geometry: RowGeometry) -> float:
    """Where the work area starts: under the last row's numbers."""
    return geometry.numbers_y(lines.line_ys()[-1]) - 0.12 - ROW_GAP


def head_label(layer: int, head: int) -> Mobject:
    """ "layer 3 · head 2" (from 1), top right, level with the chapter header."""
    label = text(head_name(layer, head), size=LABEL, color=TEXT)
    return label.move_to([0, HEADER_Y, 0]).align_to([FRAME_WIDTH / 2 - MARGIN, 0, 0], RIGHT)


def shown_entries(q: np.ndarray, k: np.ndarray, count: int = SHOWN, apart: int = 5) -> list[int]:
    """The entries of q and k shown as numbers: those whose products add most to q·k, at
    least ``apart`` entries from each other (so their numbers never touch), in order.

    Examples
    --------
    >>> shown_entries(np.array([1.0, 2.0, 0.0, 0.0, 3.0]), np.ones(5), count=2, apart=2)
    [1, 4]
    """
    chosen: list[int] = []
    for c in np.argsort(-(q * k), kind="stable"):
        if all(abs(int(c) - other) >= apart for other in chosen):
            chosen.append(int(c))
        if len(chosen) == count:
            break
    return sorted(chosen)


def in_work_area(group: Mobject, top: float, bottom: float = CONTENT_BOTTOM) -> Mobject:
    """``group`` centred in the work area, shrunk (never grown) to fit it."""
    fit_width(group, SAFE_WIDTH)
    if group.height > top - bottom:
        group.scale((top - bottom) / group.height)
    return group.move_to([0, (top + bottom) / 2, 0])


class RealHead(NarratedScene):
    """One learned head step by step: tokens, query and keys, scores, softmax, blend.

    Beats: ``tokens`` (the model's tokens, pieces grouped under their words, [CLS] and [SEP]
    marked as the model's own), ``query_key`` (the story head's label; every key as a strip
    under its token; q of the focus and k of its top token as strips with a few entries as
    numbers), ``scores`` (q·k/√32 under every token, √32 shown), ``softmax`` (the weights,
    their true sum 1.00 (and "each weight rounded" where the shown ones add up to something
    else), as numbers and bars, the top token marked), ``blend`` (every value
    strip faded by its weight, poured into the output strip).
    """

    def construct(self) -> None:
        ex, f, nums, header, _ = self.open_chapter()
        link = story_heads(ex).link
        self.layer, self.h = link.layer, link.head
        # the focus row of the story head, its top token, and the q·k entries shown as
        # numbers: the query-key step marks them, the blend shows the same entries
        self.row = ex.attention[self.layer, self.h, f]
        self.best = int(self.row.argmax())
        self.entries = shown_entries(
            ex.queries[self.layer, self.h, f], ex.keys[self.layer, self.h, self.best]
        )
        lines = TokenLines(
            ex.tokens, ex.record.tokens.word_of, pitch=_pitches(), added=ex.record.tokens.added
        )
        geo = RowGeometry.for_rows(len(lines.rows))
        top = work_top(lines, geo)
        self.play_tokens(ex, nums, header, lines, top)
        keys = self.play_query_key(ex, nums, lines, geo, top)
        logits, label = self.play_scores(nums, lines, geo, top)
        self.play_softmax(nums, lines, geo, top, keys, logits, label)
        self.play_blend(nums, lines, geo, top)

    # -- beats ---------------------------------------------------------------------------

    def play_tokens(
        self, ex: WorkedExample, nums: Numbers, header: Mobject, lines: TokenLines, top: float
    ) -> None:
        groups = lines.word_groups(ex.record.tokens.words)
        note = VGroup(
            VGroup(nums.text("n_tokens", label="tokens", decimals=0, size=LABEL),
                   text("tokens, as the model reads them", size=LABEL, color=TEXT))
            .arrange(RIGHT, buff=0.15),
            caption("[CLS] and [SEP]: the model's own tokens   ·   ##: the next piece of a word"),
        ).arrange(DOWN, buff=0.2)  # fmt: skip
        in_work_area(note, top)
        with self.beat("tokens") as beat:
            self.play(FadeIn(header), run_time=beat.share(0.1))
            self.play(LaggedStart(*(FadeIn(r) for r in lines.rows), lag_ratio=0.3),
                      run_time=beat.share(0.25))  # fmt: skip
            self.play(FadeIn(groups, shift=0.1 * DOWN), FadeIn(note), run_time=beat.share(0.3))
        self.tokens_note = VGroup(groups, note)

    def play_query_key(
        self, ex: WorkedExample, nums: Numbers, lines: TokenLines, geo: RowGeometry, top: float
    ) -> Group:
        layer, h, f = self.layer, self.h, ex.focus_index
        keys = strip_rows(ex.keys[layer, h], lines, geo, KEY)
        best, entries = self.best, self.entries
        work = self.query_and_key(nums, f, best, entries)
        in_work_area(work, top)
        work[1].add(entry_boxes(work, entries))
        ring = lines.outline(f, QUERY)
        line, place = lines.position(best)
        marked = SurroundingRectangle(keys[line].frames[place], color=KEY, buff=0.05)
        with self.beat("query_key") as beat:
            self.play(FadeOut(self.tokens_note), FadeIn(head_label(layer, h)), Create(ring),
                      run_time=beat.share(0.2))  # fmt: skip
            self.play(LaggedStart(*(FadeIn(k, shift=0.15 * DOWN) for k in keys), lag_ratio=0.3),
                      run_time=beat.share(0.25))  # fmt: skip
            self.play(FadeIn(work[0], shift=0.1 * UP), run_time=beat.share(0.2))
            self.play(Create(marked), FadeIn(work[1:], shift=0.1 * UP), run_time=beat.share(0.25))
        self.work, self.marked = work, marked
        return keys

    def play_scores(
        self, nums: Numbers, lines: TokenLines, geo: RowGeometry, top: float
    ) -> tuple[VGroup, VGroup]:
        ex, f = self.example, self.example.focus_index
        sources = [f"logits[{self.layer}, {self.h}, {f}, {j}]" for j in range(ex.n_tokens)]
        places = fitting_decimals(nums, sources, lines.slot_width() - 0.1)
        logits = lines.under(
            [nums.text(s, label=f"q·k/√d {t}", decimals=places) for s, t in zip(sources, ex.tokens,
                                                                                strict=True)],
            geo.numbers_y(0.0),
        )  # fmt: skip
        label = margin_labels(lines, geo, "q·k/√d", MUTED)
        formula = in_work_area(scale_formula(nums), top)
        with self.beat("scores") as beat:
            self.play(FadeOut(self.work), FadeOut(self.marked), run_time=beat.share(0.15))
            self.play(FadeIn(formula, shift=0.1 * UP), run_time=beat.share(0.2))
            self.play(LaggedStart(*(FadeIn(s, shift=0.1 * DOWN) for s in logits), lag_ratio=0.05),
                      FadeIn(label), run_time=beat.share(0.45))  # fmt: skip
        self.formula = formula
        return logits, label

    def play_softmax(
        self, nums: Numbers, lines: TokenLines, geo: RowGeometry, top: float,
        keys: Group, logits: VGroup, label: VGroup,
    ) -> None:  # fmt: skip
        f, layer, h = self.example.focus_index, self.layer, self.h
        weights = lines.under(nums.weight_row(f, name="attention", prefix=(layer, h)),
                              geo.numbers_y(0.0))  # fmt: skip
        bars = weight_bars(self.row, lines, geo)
        line, place = lines.position(self.best)
        mark = SurroundingRectangle(
            VGroup(bars[line].bar(place), weights[self.best]), color=TEXT, buff=0.06
        )
        total = sum_line(nums, [ShownRow(f, "attention", (layer, h))],
                         lead="the weights add up to", always=True)  # fmt: skip
        in_work_area(total, top)
        new_label = margin_labels(lines, geo, "weight", WEIGHT)
        with self.beat("softmax") as beat:
            self.play(FadeOut(keys), FadeOut(self.formula), run_time=beat.share(0.15))
            self.play(
                *(FadeTransform(a, b) for a, b in zip(logits, weights, strict=True)),
                *(FadeTransform(a, b) for a, b in zip(label, new_label, strict=True)),
                run_time=beat.share(0.3),
            )
            self.play(*(b.grow() for b in bars), *(FadeIn(b.baseline) for b in bars),
                      run_time=beat.share(0.25))  # fmt: skip
            self.play(Create(mark), FadeIn(total), run_time=beat.share(0.15))
        self.softmax_parts = VGroup(*bars, mark, total)

    def play_blend(self, nums: Numbers, lines: TokenLines, geo: RowGeometry, top: float) -> None:
        ex, f, row = self.example, self.example.focus_index, self.row
        values = strip_rows(ex.values[self.layer, self.h], lines, geo, VALUE,
                                 opacities=np.maximum(row / row.max(), 0.12))  # fmt: skip
        output = in_work_area(self.output(nums, f, self.entries), top)
        with self.beat("blend") as beat:
            self.play(FadeOut(self.softmax_parts), run_time=beat.share(0.15))
            self.play(LaggedStart(*(FadeIn(v, shift=0.15 * DOWN) for v in values),
                                  lag_ratio=0.3), run_time=beat.share(0.25))  # fmt: skip
            self.play(*(FadeOut(v.copy(), target_position=output[0], scale=0.4) for v in values),
                      FadeIn(output, shift=0.1 * DOWN), run_time=beat.share(0.4))  # fmt: skip

    # -- pieces --------------------------------------------------------------------------

    def query_and_key(self, nums: Numbers, f: int, best: int, entries: list[int]) -> Group:
        """q of the focus over k of its top token, a few entries of each as numbers; the
        boxes round those entries are :meth:`entry_boxes`, made once this is in place."""
        ex, layer, h = self.example, self.layer, self.h
        q = self.work_strip(nums, "queries", f, QUERY, entries, f"q  {ex.focus}", UP)
        k = self.work_strip(nums, "keys", best, KEY, entries, f"k  {ex.tokens[best]}", DOWN,
                            vmax=float(np.abs(ex.keys[layer, h]).max()))  # fmt: skip
        note = VGroup(
            VGroup(nums.text("d_head", label="entries per head", decimals=0, size=LABEL),
                   text("learned numbers each:", size=LABEL, color=MUTED)).arrange(RIGHT,
                                                                                   buff=0.15),
            text("no entry has a name", size=LABEL, color=MUTED),
        ).arrange(DOWN, buff=0.15, aligned_edge=LEFT)  # fmt: skip
        strips = Group(q, k).arrange(DOWN, buff=0.15, aligned_edge=RIGHT)
        return Group(strips[0], strips[1], note.next_to(strips, RIGHT, buff=0.45))

    def work_strip(
        self, nums: Numbers, name: str, token: int, color: str, entries: list[int], label: str,
        side: np.ndarray, vmax: float | None = None,
    ) -> Group:  # fmt: skip
        """A 32-entry strip of ``name``'s row for ``token``, labelled, numbers beside it."""
        vector = getattr(self.example, name)[self.layer, self.h, token]
        strip = ColorStrip(
            vector,
            color,
            vmax or float(np.abs(vector).max()),
            length=WORK_STRIP * len(vector),
            thickness=WORK_STRIP,
            vertical=False,
        )
        numbers = VGroup(*(
            nums.text(f"{name}[{self.layer}, {self.h}, {token}, {c}]", color=color, size=LABEL)
            .move_to(strip.cell(c)).shift(side * (WORK_STRIP / 2 + 0.22)) for c in entries
        ))  # fmt: skip
        name_text = text(label, size=LABEL, color=color).next_to(strip, LEFT, buff=0.3)
        return Group(strip, numbers, name_text)

    def output(self, nums: Numbers, f: int, entries: list[int]) -> Group:
        """The head's output for the focus as a strip, a few entries as numbers."""
        ex = self.example
        strip = self.work_strip(nums, "contexts", f, OUTPUT, entries, f"output  {ex.focus}", UP)
        note = caption("every token's value, times its weight, added up: the head's output")
        return Group(strip, note.next_to(strip, DOWN, buff=0.3))


def strip_rows(
    vectors: np.ndarray, lines: TokenLines, geo: RowGeometry, color: str,
    opacities: np.ndarray | None = None,
) -> Group:  # fmt: skip
    """One strip per token (its row of ``vectors``), a strip image per row of tokens."""
    vmax = float(np.abs(vectors).max())
    thickness = min(0.24, 0.35 * lines.slot_width())
    rows = Group()
    for k, y in enumerate(lines.line_ys()):
        tokens = lines.line_tokens(k)
        rows.add(StripRow(
            vectors[tokens.start : tokens.stop], [lines.x_of(i) for i in tokens],
            top=geo.band_top(y), length=geo.band, color=color, vmax=vmax,
            thickness=thickness,
            opacities=None if opacities is None else opacities[tokens.start : tokens.stop],
        ))  # fmt: skip
    return rows


def weight_bars(row: np.ndarray, lines: TokenLines, geo: RowGeometry) -> list[WeightBars]:
    """The weights as bars standing where the key strips were, tallest filling the band."""
    full = geo.band / float(row.max())
    width = min(0.5, 0.6 * lines.slot_width())
    bars = []
    for k, y in enumerate(lines.line_ys()):
        tokens = lines.line_tokens(k)
        bars.append(WeightBars(row[tokens.start : tokens.stop], None,
                               [lines.x_of(i) for i in tokens], geo.band_top(y) - geo.band,
                               full_height=full, bar_width=width))  # fmt: skip
    return bars


def entry_boxes(work: Group, entries: list[int]) -> VGroup:
    """One box round each entry shown as numbers, spanning the q and the k strip."""
    q, k = work[0][0], work[1][0]
    return VGroup(*(SurroundingRectangle(VGroup(q.cell_box(c), k.cell_box(c)), color=TEXT,
                                         buff=0.0, stroke_width=2)
                    for c in entries))  # fmt: skip


def scale_formula(nums: Numbers) -> VGroup:
    """ "q·k ÷ √32 = q·k ÷ 5.66: one number per key", √32 and its value recorded."""
    d = nums.text("d_head", label="d per head", decimals=0, size=LABEL)
    root = nums.text("sqrt_d_head", label="√d", size=LABEL)
    line = VGroup(text("each key:  q·k ÷", size=LABEL), text("√", size=LABEL), d,
                  text("=  q·k ÷", size=LABEL), root).arrange(RIGHT, buff=0.12)  # fmt: skip
    d.next_to(line[1], RIGHT, buff=0.02)
    VGroup(line[3], root).next_to(d, RIGHT, buff=0.12)
    note = caption("how well each key matches the query, scaled so softmax stays soft")
    return VGroup(line, note).arrange(DOWN, buff=0.25)


def margin_labels(lines: TokenLines, geo: RowGeometry, word: str, color: str) -> VGroup:
    """``word`` left of each row's numbers, where a row leaves room for it."""
    labels = VGroup()
    for k, y in enumerate(lines.line_ys()):
        first = lines.line_tokens(k).start
        right = lines.x_of(first) - 0.5 * lines.slot_width() - 0.15
        label = text(word, size=LABEL, color=color)
        if right - label.width >= -FRAME_WIDTH / 2 + MARGIN:
            labels.add(label.move_to([0, geo.numbers_y(y), 0]).align_to([right, 0, 0], RIGHT))
    return labels


def _pitches() -> dict[int, float]:
    return {rows: RowGeometry.for_rows(rows).pitch for rows in range(1, 4)}
