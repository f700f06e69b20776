"""Chapter 3: the focus query is dotted with every key, then scaled by sqrt(d_head).

Each motion plays what the narration names as it names it (``cued_spans``): q goes under
every key in turn and each key lights as q meets it ("compared with every key"); the factors
of the worked dot product come out of q's and the key's entries ("multiply matching
entries"), the terms gather into the total ("and add"), and a frame steps along the terms
while each is named. Head 0's entries are named dimensions, so each term names one; the
largest (the dimension that carries the top score, ``top_dimension``) is boxed and goes into
the score when the narrator says it ("mostly through agent"). Then √d goes to each score in
turn and the score becomes its scaled value ("divided by the square root").
"""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    LaggedStart,
    Mobject,
    MoveToTarget,
    ReplacementTransform,
    Succession,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
    smooth,
    squish_rate_func,
    there_and_back,
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
from scenes.kit.motion import converge, cued_spans
from scenes.narration import NarratedScene

__all__ = ["Scores"]

KEYS_TOP = 1.95
SCORES_Y = 0.35
WORK_Y = -1.45  # the worked dot product
NOTE_Y = -2.75
TERM_NAME = 18  # the dimension name under each term of the dot product
MEET_GAP = 0.15  # between a key and q under it


class Scores(NarratedScene):
    """q of the focus against every key: one dot product term by term, all scores, scaling."""

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        top = int(ex.weights[f].argmax())
        ring = row.outline(f, QUERY)
        keys = self.keys(nums, row)
        query, q_name, spots = self.query_column(nums, row, keys)
        key_label, score_label, q_label = self.margin_labels(row, keys, spots[0].get_y())

        with self.beat("compare") as beat:
            arrive, meet = cued_spans(beat.plan.text, ("compared",), start=0.1)
            self.play(FadeIn(header), FadeIn(row), Create(ring), run_time=beat.share(0.1))
            self.play(
                TransformFromCopy(row.chip(f), VGroup(query, q_name)),
                FadeIn(key_label),
                LaggedStart(*(FadeIn(k, shift=0.2 * DOWN) for k in keys), lag_ratio=0.1),
                run_time=beat.share(arrive),
            )
            # "compared with every key": q visits each key in turn and each lights as q meets it
            # its name goes to the margin first, out of q's way (q's first move is the longest)
            quick = squish_rate_func(smooth, 0.0, 1.2 / (len(keys) + 1))
            name_goes = (
                ReplacementTransform(q_name, q_label, rate_func=quick)
                if q_label
                else FadeOut(q_name, rate_func=quick)
            )
            self.play(meets(query, keys, spots), name_goes, run_time=beat.share(meet))

        work = dot_product(nums, f, top)
        box = SurroundingRectangle(keys[top], color=KEY, buff=0.08)
        with self.beat("term_by_term") as beat:
            text_ = beat.plan.text
            terms, adds, names = cued_spans(text_, ("and add", "each term"), start=0.1)
            self.play(
                Create(box),
                query.animate.move_to(spots[top]),  # the pair worked through
                FadeIn(work.lead),
                run_time=beat.share(0.1),
            )
            # "Multiply matching entries": each factor comes from its entry in q and in k
            self.play(
                multiplied(work, query.entries, keys[top].entries), run_time=beat.share(terms)
            )
            # "and add": the terms gather into the total
            self.play(
                converge(work.pairs, work.total[1]),
                FadeIn(work.total[0]),
                run_time=beat.share(adds),
            )
            # "Each term is one named dimension": a frame goes term by term, naming each
            self.play(work.named(), run_time=beat.share(names))

        self.every_score(nums, row, keys, work, box, (query, q_label, score_label))

    def every_score(
        self,
        nums: Numbers,
        row: TokenRow,
        keys: VGroup,
        work: VGroup,
        box: Mobject,
        shown: tuple[VGroup, VGroup, VGroup],
    ) -> None:
        """The last two beats: every key's score, the carrier named, then each one scaled."""
        ex, f = self.example, self.example.focus_index
        top = int(ex.weights[f].argmax())
        query, q_label, score_label = shown
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
            text_ = beat.plan.text
            appear, highest, carried = cued_spans(text_, ("with", "mostly"), start=0.08)
            self.play(FadeOut(query), FadeOut(q_label), run_time=beat.share(0.08))
            # "sat scores": every score comes under its key, the worked one from its total
            self.play(
                FadeIn(score_label),
                LaggedStart(
                    *(
                        TransformFromCopy(work.total[1], s)
                        if j == top
                        else FadeIn(s, shift=0.1 * UP)
                        for j, s in enumerate(scores)
                    ),
                    lag_ratio=0.3,
                ),
                run_time=beat.share(appear),
            )
            # "highest with cat": the worked key's box grows round its token, key and score
            column = VGroup(row.chip(top), keys[top], scores[top])
            self.play(
                Transform(box, SurroundingRectangle(column, color=TEXT, buff=0.05)),
                Indicate(scores[top], color=TEXT, scale_factor=1.2),
                run_time=beat.share(highest),
            )
            # "mostly through agent": the largest term, named, goes into the score
            self.play(work.carry(scores[top]), run_time=beat.share(carried))

        with self.beat("scale") as beat:
            scaled = row.under(
                [
                    nums.text(f"scaled_scores[{f}, {j}]", label=f"q·k/√d {token}", decimals=places)
                    for j, token in enumerate(ex.tokens)
                ],
                SCORES_Y,
            )
            divide, why = self.divide_note(nums)
            clear, divided, sharp = cued_spans(beat.plan.text, ("divided", "softmax"))
            self.play(FadeOut(work), FadeOut(box), run_time=beat.share(0.4 * clear))
            self.play(FadeIn(divide, shift=0.1 * UP), run_time=beat.share(0.6 * clear))
            # "divided by the square root": √d goes to each score, which becomes its scaled value
            self.play(
                divided_in_turn(divide[2], scores, scaled),
                *(
                    [FadeTransform(score_label, self.scaled_label(score_label))]
                    if score_label
                    else []
                ),
                run_time=beat.share(divided),
            )
            # "so softmax is not too sharp"
            self.play(Write(why), run_time=beat.share(sharp))

    def keys(self, nums: Numbers, row: TokenRow) -> VGroup:
        """Every token's key under its chip."""
        stacks = columns_under(nums, row, (("k", KEY),), room_share=0.88, top=KEYS_TOP)
        return VGroup(*(stack[0] for stack in stacks))

    def query_column(
        self, nums: Numbers, row: TokenRow, keys: VGroup
    ) -> tuple[VectorColumn, Mobject, list[Mobject]]:
        """The focus's q column (over the worked dot product) and its name, and q as it
        meets each key, under it: a key's height at most, within the slot."""
        query = VectorColumn(nums.vector("q", self.example.focus_index, blank_zeros=True), QUERY)
        name = text(f"q  {self.example.focus}", size=LABEL, color=QUERY)
        name.next_to(query, UP, buff=0.14)
        VGroup(query, name).move_to([0, WORK_Y, 0])
        small = query.copy().scale(
            min(1.0, keys[0].height / query.height, 0.95 * row.slot_width() / query.width)
        )
        y = keys.get_bottom()[1] - MEET_GAP - small.height / 2
        return query, name, [small.copy().move_to([x, y, 0.0]) for x in row.xs()]

    def margin_labels(
        self, row: TokenRow, keys: VGroup, q_y: float
    ) -> tuple[VGroup, VGroup, VGroup]:
        """ "k" beside the keys, "q" beside where q meets them and "q·k" beside the scores,
        or nothing when there is no room.

        The labels end left of the widest a column's content can be (keys and numbers are
        fitted to 0.9 of a slot), so a long sentence's first number never runs into them.
        """
        right_edge = row.x_of(0) - 0.45 * row.slot_width() - 0.15
        key_label = text("k", size=LABEL, color=KEY)
        q_label = text("q", size=LABEL, color=QUERY)
        score_label = text("q·k", size=LABEL, color=MUTED)
        widest = max(score_label.width, self.scaled_label(VGroup(score_label))[0].width)
        if right_edge - widest < -FRAME_WIDTH / 2 + MARGIN:
            return VGroup(), VGroup(), VGroup()
        key_label.move_to([0, keys.get_center()[1], 0]).align_to([right_edge, 0, 0], RIGHT)
        q_label.move_to([0, q_y, 0]).align_to([right_edge, 0, 0], RIGHT)
        score_label.move_to([0, SCORES_Y, 0]).align_to([right_edge, 0, 0], RIGHT)
        return VGroup(key_label), VGroup(score_label), VGroup(q_label)

    def scaled_label(self, score_label: VGroup) -> VGroup:
        """ "÷√d" where "q·k" was (right edges aligned); nothing if there was no label."""
        if not score_label.submobjects:
            return VGroup()
        scaled = text("÷√d", size=LABEL, color=MUTED).move_to(score_label)
        return VGroup(scaled.align_to(score_label, RIGHT))

    def divide_note(self, nums: Numbers) -> tuple[VGroup, Mobject]:
        """ "every score ÷ √d = 2.00" (its value last) and why, under the scores."""
        sqrt_d = VGroup(
            text("every score ÷ √d", size=BODY, color=TEXT),
            text("=", size=BODY, color=MUTED),
            nums.text("sqrt_d_head", label="√d_head", size=BODY),
        ).arrange(RIGHT, buff=0.18)
        why = caption(
            "long vectors make big dot products: this keeps softmax from getting too sharp"
        )
        note = VGroup(sqrt_d, why).arrange(DOWN, buff=0.3)
        fit_width(note, SAFE_WIDTH).move_to([0, (WORK_Y + NOTE_Y) / 2, 0])
        return sqrt_d, why


class WorkedDot(VGroup):  # type: ignore[misc]
    """The worked dot product: ``lead`` "q · k cat =", the ``terms`` (factor pairs and
    pluses), the ``total`` "= 2.50", each term's dimension name, and which term carries
    the score (``lit``: the largest, ``None`` when every term is zero)."""

    def __init__(
        self, lead: VGroup, terms: VGroup, total: VGroup, names: VGroup, lit: int | None
    ) -> None:
        super().__init__(lead, terms, total, names)
        self.lead, self.terms, self.total, self.names, self.lit = lead, terms, total, names, lit
        self.pairs = VGroup(*terms[::2])
        self.pluses = VGroup(*terms[1::2])

    def carry(self, score: Mobject) -> Animation:
        """The carrier boxed and its name lit, then a copy of it goes into ``score`` ("mostly
        through agent"); the total goes there instead when no term carries the score."""
        if self.lit is None:
            return travel(self.total[1], score)
        name = self.names[self.lit]
        box = SurroundingRectangle(VGroup(self.pairs[self.lit], name), color=TEXT, buff=0.08)
        self.add(box)  # fades with the rest of the dot product
        lit = AnimationGroup(Create(box), name.animate.set_color(TEXT), run_time=1.5)
        return AnimationGroup(lit, travel(self.pairs[self.lit], score), lag_ratio=0.5)

    def named(self) -> Animation:
        """Each term's name written under it in turn, while a frame steps from term to term
        ("each term is one named dimension"); the frame goes when the last is named."""
        frames = [
            SurroundingRectangle(VGroup(pair, name), color=MUTED, buff=0.08)
            for pair, name in zip(self.pairs, self.names, strict=True)
        ]
        walker = frames[0].copy()
        steps = [Create(walker), *(Transform(walker, f) for f in frames[1:])]
        # one name per step (Write lags its letters, so the names are timed by a group)
        writes = AnimationGroup(*(Write(name, run_time=1.0) for name in self.names), lag_ratio=1.0)
        return AnimationGroup(Succession(*steps, FadeOut(walker, run_time=0.5)), writes)


def dot_product(nums: Numbers, f: int, j: int) -> WorkedDot:
    """q_f · k_j = q0×k0 + q1×k1 + ... = score, factors in their role colours."""
    ex = nums.example
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
    pairs = VGroup(*terms[::2])
    names = VGroup(
        *(
            text(name, size=TERM_NAME, color=MUTED).next_to(pair, DOWN, buff=0.14)
            for pair, name in zip(pairs, HEAD_FEATURES[0], strict=True)
        )
    )
    carried = top_dimension(ex, j)
    lit = HEAD_FEATURES[0].index(carried) if carried in HEAD_FEATURES[0] else None
    return WorkedDot(lead, terms, total, names, lit)


def meets(query: VectorColumn, keys: VGroup, spots: list[Mobject]) -> Animation:
    """q goes under each key in turn (taking its size on the first move) and each key
    lights as q arrives under it: one dot product per key."""
    steps = [2.0] + [1.0] * (len(spots) - 1)  # the first move is the longest: it shrinks
    total = sum(steps)
    moves, lights, at = [], [], 0.0
    for key, spot, step in zip(keys, spots, steps, strict=True):
        moves.append(Transform(query, spot.copy(), run_time=step))
        at += step
        window = ((at - 0.6) / total, min(at + 0.6, total) / total)
        lights.append(
            Indicate(key, color=TEXT, scale_factor=1.1, run_time=total,
                     rate_func=squish_rate_func(there_and_back, *window))
        )  # fmt: skip
    return AnimationGroup(Succession(*moves), *lights)


def multiplied(work: WorkedDot, q_entries: list[Mobject], k_entries: list[Mobject]) -> Animation:
    """Term after term, each factor comes out of its entry in q and in k, and the signs
    between them appear: "multiply matching entries"."""
    terms = []
    for c, pair in enumerate(work.pairs):
        parts = [
            TransformFromCopy(q_entries[c], pair[0]),
            TransformFromCopy(k_entries[c], pair[2]),
            FadeIn(pair[1]),
        ]
        if c > 0:
            parts.append(FadeIn(work.pluses[c - 1]))
        terms.append(AnimationGroup(*parts))
    return LaggedStart(*terms, lag_ratio=0.55)


def travel(part: Mobject, whole: Mobject, *then: Animation) -> Animation:
    """A copy of ``part`` goes onto ``whole`` (taking its height) and fades into it, while
    ``then`` plays: what ``part`` gives ``whole``."""
    copy = part.copy()
    copy.generate_target()
    copy.target.scale_to_fit_height(whole.height).move_to(whole)
    return Succession(MoveToTarget(copy, run_time=2.0), AnimationGroup(FadeOut(copy), *then))


def divided_in_turn(sqrt_d: Mobject, scores: VGroup, scaled: VGroup) -> Animation:
    """A copy of √d goes to each score in turn, and the score becomes its scaled value."""
    # each score cross-fades into its scaled value (morphing digits shatters them)
    steps = [travel(sqrt_d, a, FadeTransform(a, b)) for a, b in zip(scores, scaled, strict=True)]
    return LaggedStart(*steps, lag_ratio=0.4)
