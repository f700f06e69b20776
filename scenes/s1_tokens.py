"""Chapter 1: the sentence splits into tokens, each looked up as a context-free vector.

The embedding's entries have names (agent, place, ...): they label the rows of the first
column, and the row of tokens leaves room for them on the left.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    ArcBetweenPoints,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Mobject,
    MoveToTarget,
    ReplacementTransform,
    Restore,
    RoundedRectangle,
    VGroup,
    Write,
    linear,
)

from scenes.kit import (
    BODY,
    MUTED,
    SAFE_WIDTH,
    TEXT,
    Numbers,
    TokenRow,
    WorkedExample,
    caption,
    columns_under,
    context_tokens,
    dim,
    dimension_names,
    fit_width,
    text,
)
from scenes.kit.motion import cue_shares
from scenes.narration import NarratedScene

__all__ = ["Tokens"]

COLUMN_TOP = 1.95  # embeddings hang just under the token row
ARC_Y = -0.75  # where the "no link yet" arcs dip to
CAPTION_Y = -1.8
PROSE_MIN_SCALE = 0.7  # the sentence as prose: below this it wraps onto two lines
NAME_GAP = 0.2  # between the dimension names and the first column
NAME_SIZE = 18  # the dimension names: smaller than a label, still >= 11 px at 480p


def grow_columns(columns: VGroup) -> LaggedStart:
    """The columns unroll down from their chips, left to right, one after another."""
    for column in columns:
        column.save_state()
        column.stretch(0.02, 1, about_edge=UP).set_opacity(0)  # hidden until its turn
    return LaggedStart(*(Restore(column) for column in columns), lag_ratio=1.5 / len(columns))


def row_band(columns: VGroup, names: VGroup) -> RoundedRectangle:
    """An outline round the first entry of every column and its name: one named dimension."""
    entries = columns[0].entries
    spacing = entries[0].get_y() - entries[1].get_y() if len(entries) > 1 else 0.3
    left, right = names.get_left()[0] - 0.1, columns.get_right()[0] + 0.05
    band = RoundedRectangle(corner_radius=0.06, width=right - left, height=0.95 * spacing)
    band.set_stroke(MUTED, 1.5).set_fill(opacity=0)
    return band.move_to([(left + right) / 2, names[0].get_y(), 0])


class Tokens(NarratedScene):
    """The sentence becomes a row of tokens; each token's embedding appears under it."""

    def construct(self) -> None:
        ex, _, nums, header, _ = self.open_chapter()
        names = self.dimension_labels(ex)
        row = self.row_beside(ex.tokens, names)

        with self.beat("split") as beat:
            sentence = self.sentence_words(ex.tokens)
            # the sentence is written as it is read; on "split" it breaks into chips
            (split,) = cue_shares(beat.plan.text, ("split",), start=0.2)
            split = min(max(split, 0.3), 0.6)
            self.play(FadeIn(header, shift=0.15 * UP), Write(sentence), run_time=beat.share(split))
            self.play(
                LaggedStart(
                    *(
                        # the box first, so the word lands on top of it
                        AnimationGroup(
                            FadeIn(chip.box, scale=0.9), ReplacementTransform(word, chip.word)
                        )
                        for word, chip in zip(sentence, row.chips, strict=True)
                    ),
                    lag_ratio=0.12,
                ),
                run_time=beat.share(0.97 - split),
            )
            # hand over from the animation's copies to the row itself
            self.clear()
            self.add(header, row)

        with self.beat("embed") as beat:
            columns = self.embedding_columns(nums, row)
            self.place_labels(names, columns[0])
            said = beat.plan.text
            embedding, named = cue_shares(said, ("its embedding", "each number"), start=0.2)
            # "Each token becomes 8 numbers": a column unrolls down from each chip in turn
            self.play(grow_columns(columns), run_time=beat.share(max(embedding, 0.25)))
            # "its embedding": the columns, each token's embedding, swell one after another
            self.play(
                LaggedStart(
                    *(Indicate(col, color=TEXT, scale_factor=1.05) for col in columns),
                    lag_ratio=1.5 / len(columns),
                ),
                run_time=beat.share(max(named - embedding, 0.1)),
            )
            # "each number has a name": a band runs down the entries, naming each row
            band = row_band(columns, names)
            span = max(0.97 - max(named, embedding + 0.1), 0.2)
            self.play(
                Create(band),
                FadeIn(names[0], shift=0.15 * RIGHT),
                run_time=beat.share(span / len(names)),
            )
            # the band slides down steadily; each name comes in as the band reaches it
            self.play(
                band.animate(rate_func=linear).set_y(names[-1].get_y()),
                LaggedStart(*(FadeIn(n, shift=0.15 * RIGHT) for n in names[1:]), lag_ratio=1),
                run_time=beat.share(span * (1 - 1 / len(names))),
            )

        self.play_context_free(row, columns, band)

    def play_context_free(self, row: TokenRow, columns: VGroup, band: Mobject) -> None:
        """The ``context_free`` beat: each word looked up alone, knowing nothing of the rest."""
        ex = self.example
        with self.beat("context_free") as beat:
            f = ex.focus_index
            ring = row.outline(f, TEXT)
            others = VGroup(*(col for i, col in enumerate(columns) if i != f))
            context = context_tokens(ex)
            arcs = self.missing_links(columns, f, context)
            unknown = " or ".join(f"“{ex.tokens[j]}”" for j in context)
            note = fit_width(
                caption(f"looked up alone: “{ex.focus}” knows nothing of {unknown}", BODY),
                SAFE_WIDTH,
            ).move_to([0, CAPTION_Y, 0])
            others.generate_target()
            dim(others.target, 0.35)
            said = beat.plan.text
            focus, *named = cue_shares(said, (ex.focus, *(ex.tokens[j] for j in context)))
            focus = max(focus, 0.15)
            # "Each is looked up alone": the focus ringed, the others fall back
            self.play(Create(ring), MoveToTarget(others), FadeOut(band), run_time=beat.share(focus))
            # "sat knows nothing yet of ...": the note is written
            named = [max(s, focus + 0.1 * (k + 1)) for k, s in enumerate(named)]
            self.play(Write(note), run_time=beat.share((named or [0.97])[0] - focus))
            # each word as it is named: the link to it is drawn, there but not yet made
            ends = [*named[1:], 0.97]
            for k, j in enumerate(context):
                self.play(
                    Create(arcs[k]),
                    Indicate(row.chip(j), color=TEXT, scale_factor=1.15),
                    run_time=beat.share(max(ends[k] - named[k], 0.1)),
                )

    def dimension_labels(self, ex: WorkedExample) -> VGroup:
        """The embedding's dimension names, one muted label per entry of x (top to bottom)."""
        return VGroup(*(text(name, size=NAME_SIZE, color=MUTED) for name in dimension_names(ex)))

    def row_beside(self, tokens: tuple[str, ...], names: VGroup) -> TokenRow:
        """The token row, narrowed and moved right (only as needed) so the names fit left."""
        room = max(name.width for name in names) + NAME_GAP + 0.45  # + half a column
        row = TokenRow(tokens, max_width=SAFE_WIDTH - room)
        overflow = -SAFE_WIDTH / 2 - (row.get_left()[0] - room)
        if overflow > 0:
            row.shift(overflow * RIGHT)
        return row

    def place_labels(self, names: VGroup, column: VGroup) -> None:
        """Each name level with its entry, right-aligned just left of the first column.

        The names shrink together, if they must, to the entries' spacing (less a gap).
        """
        entries = column.entries  # type: ignore[attr-defined]
        spacing = min(a.get_y() - b.get_y() for a, b in zip(entries, entries[1:], strict=False))
        tallest = max(name.height for name in names)
        if tallest > spacing - 0.07:
            names.scale((spacing - 0.07) / tallest)
        for name, entry in zip(names, entries, strict=True):
            name.move_to([0, entry.get_y(), 0])
            name.next_to(column, LEFT, buff=NAME_GAP, coor_mask=[1, 0, 0])

    def sentence_words(self, tokens: tuple[str, ...]) -> VGroup:
        """The sentence as one Text per token, laid out like prose in the middle."""
        words = VGroup(*(text(token, size=36) for token in tokens))
        words.arrange(buff=0.22, aligned_edge=DOWN)
        if words.width > SAFE_WIDTH / PROSE_MIN_SCALE:  # a long sentence reads on two lines
            half = (len(tokens) + 1) // 2
            lines = VGroup(
                VGroup(*words[:half]).arrange(buff=0.22, aligned_edge=DOWN),
                VGroup(*words[half:]).arrange(buff=0.22, aligned_edge=DOWN),
            ).arrange(DOWN, buff=0.3)
            words = VGroup(*lines[0], *lines[1])
        return fit_width(words, SAFE_WIDTH).move_to([0, 0.6, 0])

    def embedding_columns(self, nums: Numbers, row: TokenRow) -> VGroup:
        """Each token's embedding x[i] as a neutral column under its chip."""
        stacks = columns_under(nums, row, (("x", TEXT),), room_share=0.9, top=COLUMN_TOP)
        columns = VGroup(*(stack[0] for stack in stacks))
        for column in columns:
            column.brackets.set_color(MUTED)
        return columns

    def missing_links(self, columns: VGroup, focus: int, targets: list[int]) -> VGroup:
        """Dashed muted arcs under the columns: connections that do not exist yet."""
        arcs = VGroup()
        for j in targets:
            start = columns[focus].get_bottom() + 0.15 * DOWN
            end = columns[j].get_bottom() + 0.15 * DOWN
            depth = ARC_Y - start[1]
            arc = ArcBetweenPoints(start, end, angle=0.9 if j > focus else -0.9)
            arc.stretch_to_fit_height(max(abs(depth), 0.3)).move_to(
                arc.get_center(), aligned_edge=UP
            )
            arc.align_to(start, UP)
            dashes = max(6, round(arc.get_arc_length() / 0.12))  # one dash per 0.12 units
            arcs.add(DashedVMobject(arc.set_stroke(MUTED, 2), num_dashes=dashes))
        return arcs
