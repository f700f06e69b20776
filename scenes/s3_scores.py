"""Chapter 3: the focus query is dotted with every key, then scaled by sqrt(d_head).

Head 0's entries are named dimensions, so each term of the worked dot product is named under
it, and the largest (the dimension that carries the top score, ``top_dimension``) is boxed.
"""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    LaggedStart,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
)

from scenes.kit import (
    BODY,
    FRAME_WIDTH,
    HEAD_FEATURES,
    KEY,
    LABEL,
    MARGIN,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    Numbers,
    TokenRow,
    VectorColumn,
    caption,
    columns_under,
    fit_width,
    fitting_decimals,
    text,
    top_dimension,
)
from scenes.narration import NarratedScene

__all__ = ["Scores"]

KEYS_TOP = 1.95
SCORES_Y = 0.35
WORK_Y = -1.45  # the worked dot product
NOTE_Y = -2.75
TERM_NAME = 18  # the dimension name under each term of the dot product


class Scores(NarratedScene):
    """q of the focus against every key: one dot product term by term, all scores, scaling."""

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        top = int(ex.weights[f].argmax())
        ring = row.outline(f, QUERY)
        keys = self.keys(nums, row)
        key_label, score_label = self.margin_labels(row, keys)

        with self.beat("compare") as beat:
            q = nums.vector("q", f, blank_zeros=True)
            query = VectorColumn(q, QUERY, label=f"q  {ex.focus}")
            query.move_to([0, WORK_Y, 0])
            self.play(FadeIn(header), FadeIn(row), Create(ring), run_time=beat.share(0.2))
            self.play(TransformFromCopy(row.chip(f), query), run_time=beat.share(0.2))
            self.play(
                FadeIn(key_label),
                LaggedStart(*(FadeIn(k, shift=0.2 * DOWN) for k in keys), lag_ratio=0.1),
                run_time=beat.share(0.45),
            )

        with self.beat("term_by_term") as beat:
            work = self.dot_product(nums, f, top)
            box = SurroundingRectangle(keys[top], color=KEY, buff=0.08)
            self.play(Create(box), FadeOut(query), run_time=beat.share(0.15))
            self.play(
                LaggedStart(*(FadeIn(p) for p in work.terms), lag_ratio=0.25),
                run_time=beat.share(0.45),
            )
            self.play(FadeIn(work.total, shift=0.1 * RIGHT), run_time=beat.share(0.12))
            self.play(
                FadeIn(work.names),
                *(Create(m) for m in work.carrier),
                run_time=beat.share(0.15),
            )

        with self.beat("all_scores") as beat:
            sources = [f"{name}[{f}, {j}]" for name in ("scores", "scaled_scores")
                       for j in range(ex.n_tokens)]  # fmt: skip
            places = fitting_decimals(nums, sources, row.slot_width() - 0.1)
            # under the chips, shrunk together (never below legible) when a row is crowded
            scores = row.under(
                [
                    nums.text(f"scores[{f}, {j}]", label=f"q·k {token}", decimals=places)
                    for j, token in enumerate(ex.tokens)
                ],
                SCORES_Y,
            )
            self.play(
                FadeIn(score_label),
                TransformFromCopy(work.total[1], scores[top]),
                LaggedStart(*(FadeIn(s) for j, s in enumerate(scores) if j != top), lag_ratio=0.1),
                run_time=beat.share(0.5),
            )
            self.play(
                Indicate(scores[top], color=TEXT, scale_factor=1.3), run_time=beat.share(0.35)
            )

        with self.beat("scale") as beat:
            scaled = row.under(
                [
                    nums.text(f"scaled_scores[{f}, {j}]", label=f"q·k/√d {token}", decimals=places)
                    for j, token in enumerate(ex.tokens)
                ],
                SCORES_Y,
            )
            divide = self.divide_note(nums)
            self.play(FadeOut(work), FadeOut(box), run_time=beat.share(0.1))
            self.play(FadeIn(divide, shift=0.1 * UP), run_time=beat.share(0.2))
            self.play(
                # each score cross-fades into its scaled value (morphing digits shatters them)
                *(FadeTransform(a, b) for a, b in zip(scores, scaled, strict=True)),
                *(
                    [FadeTransform(score_label, self.scaled_label(score_label))]
                    if score_label
                    else []
                ),
                run_time=beat.share(0.3),
            )

    def keys(self, nums: Numbers, row: TokenRow) -> VGroup:
        """Every token's key under its chip."""
        stacks = columns_under(nums, row, (("k", KEY),), room_share=0.88, top=KEYS_TOP)
        return VGroup(*(stack[0] for stack in stacks))

    def margin_labels(self, row: TokenRow, keys: VGroup) -> tuple[VGroup, VGroup]:
        """ "k" beside the keys and "q·k" beside the scores, or nothing when there is no room.

        The labels end left of the widest a column's content can be (keys and numbers are
        fitted to 0.9 of a slot), so a long sentence's first number never runs into them.
        """
        right_edge = row.x_of(0) - 0.45 * row.slot_width() - 0.15
        key_label = text("k", size=LABEL, color=KEY)
        score_label = text("q·k", size=LABEL, color=MUTED)
        widest = max(score_label.width, self.scaled_label(VGroup(score_label))[0].width)
        if right_edge - widest < -FRAME_WIDTH / 2 + MARGIN:
            return VGroup(), VGroup()
        key_label.move_to([0, keys.get_center()[1], 0]).align_to([right_edge, 0, 0], RIGHT)
        score_label.move_to([0, SCORES_Y, 0]).align_to([right_edge, 0, 0], RIGHT)
        return VGroup(key_label), VGroup(score_label)

    def scaled_label(self, score_label: VGroup) -> VGroup:
        """ "÷√d" where "q·k" was (right edges aligned); nothing if there was no label."""
        if not score_label.submobjects:
            return VGroup()
        scaled = text("÷√d", size=LABEL, color=MUTED).move_to(score_label)
        return VGroup(scaled.align_to(score_label, RIGHT))

    def dot_product(self, nums: Numbers, f: int, j: int) -> VGroup:
        """q_f · k_j = q0×k0 + q1×k1 + ... = score, factors in their role colours."""
        ex = self.example
        terms = VGroup()
        for c in range(ex.d_head):
            pair = VGroup(
                nums.text(f"q[{f}, {c}]", color=QUERY),
                text("×", size=LABEL, color=MUTED),
                nums.text(f"k[{j}, {c}]", color=KEY),
            ).arrange(RIGHT, buff=0.08)
            terms.add(pair)
            if c < ex.d_head - 1:
                terms.add(text("+", size=LABEL, color=MUTED))
        lead = VGroup(
            text("q", size=BODY, color=QUERY),
            text("·", size=BODY, color=MUTED),
            text(f"k {ex.tokens[j]}", size=BODY, color=KEY),
            text("=", size=BODY, color=MUTED),
        ).arrange(RIGHT, buff=0.12)
        total = VGroup(
            text("=", size=BODY, color=MUTED), nums.text(f"scores[{f}, {j}]", size=BODY)
        ).arrange(RIGHT, buff=0.15)
        line = VGroup(lead, *terms, total).arrange(RIGHT, buff=0.2)
        fit_width(line, SAFE_WIDTH).move_to([0, WORK_Y, 0])
        names, carrier = self.term_names(terms[::2], f, j)
        work = VGroup(lead, terms, total, names, carrier)
        work.terms = [lead, *terms]  # type: ignore[attr-defined]
        work.total = total  # type: ignore[attr-defined]
        work.names = names  # type: ignore[attr-defined]
        work.carrier = carrier  # type: ignore[attr-defined]
        return work

    def term_names(self, pairs: VGroup, f: int, j: int) -> tuple[VGroup, VGroup]:
        """Each term's dimension name under it; the largest term boxed, its name lit.

        Returns the names and the carrier (a box round the largest term and its name;
        empty when every term is zero and no dimension carries the score).
        """
        carried = top_dimension(self.example, j)
        names = VGroup()
        carrier = VGroup()
        for pair, name in zip(pairs, HEAD_FEATURES[0], strict=True):
            lit = name == carried
            label = text(name, size=TERM_NAME, color=TEXT if lit else MUTED)
            label.next_to(pair, DOWN, buff=0.14)
            names.add(label)
            if lit:
                carrier.add(SurroundingRectangle(VGroup(pair, label), color=TEXT, buff=0.08))
        return names, carrier

    def divide_note(self, nums: Numbers) -> VGroup:
        """ "÷ √d_head = 1.73" and why, under the scores."""
        sqrt_d = VGroup(
            text("every score ÷ √d", size=BODY, color=TEXT),
            text("=", size=BODY, color=MUTED),
            nums.text("sqrt_d_head", label="√d_head", size=BODY),
        ).arrange(RIGHT, buff=0.18)
        why = caption(
            "long vectors make big dot products: this keeps softmax from getting too sharp"
        )
        note = VGroup(sqrt_d, why).arrange(DOWN, buff=0.3)
        return fit_width(note, SAFE_WIDTH).move_to([0, (WORK_Y + NOTE_Y) / 2, 0])
