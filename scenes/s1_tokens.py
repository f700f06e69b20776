"""Chapter 1: the sentence splits into tokens, each looked up as a context-free vector."""

from __future__ import annotations

from manim import (
    DOWN,
    UP,
    AnimationGroup,
    ArcBetweenPoints,
    Create,
    DashedVMobject,
    FadeIn,
    LaggedStart,
    MoveToTarget,
    ReplacementTransform,
    VGroup,
    Write,
)

from scenes.kit import (
    BODY,
    MUTED,
    SAFE_WIDTH,
    TEXT,
    Numbers,
    TokenRow,
    caption,
    columns_under,
    context_tokens,
    dim,
    fit_width,
    text,
)
from scenes.narration import NarratedScene

__all__ = ["Tokens"]

COLUMN_TOP = 1.95  # embeddings hang just under the token row
ARC_Y = -0.75  # where the "no link yet" arcs dip to
CAPTION_Y = -1.8


class Tokens(NarratedScene):
    """The sentence becomes a row of tokens; each token's embedding appears under it."""

    beat_ids = ("split", "embed", "context_free")

    def construct(self) -> None:
        ex, _, nums, header, row = self.open_chapter()

        with self.beat("split") as beat:
            sentence = self.sentence_words(ex.tokens)
            self.play(FadeIn(header, shift=0.15 * UP), Write(sentence), run_time=beat.share(0.4))
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
                run_time=beat.share(0.45),
            )
            # hand over from the animation's copies to the row itself
            self.clear()
            self.add(header, row)

        with self.beat("embed") as beat:
            columns = self.embedding_columns(nums, row)
            self.play(
                LaggedStart(*(FadeIn(col, shift=0.25 * DOWN) for col in columns), lag_ratio=0.1),
                run_time=beat.share(0.7),
            )

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
            self.play(Create(ring), MoveToTarget(others), run_time=beat.share(0.3))
            self.play(Create(arcs), FadeIn(note, shift=0.1 * UP), run_time=beat.share(0.4))

    def sentence_words(self, tokens: tuple[str, ...]) -> VGroup:
        """The sentence as one Text per token, laid out like prose in the middle."""
        words = VGroup(*(text(token, size=36) for token in tokens))
        words.arrange(buff=0.22, aligned_edge=DOWN)
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
