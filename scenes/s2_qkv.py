"""Chapter 2: W_Q, W_K and W_V turn one embedding into a query, a key and a value."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    GrowFromCenter,
    LaggedStart,
    Square,
    SurroundingRectangle,
    TransformFromCopy,
    UpdateFromAlphaFunc,
    VGroup,
    Write,
)

from scenes.kit import (
    GRID,
    KEY,
    LABEL,
    MUTED,
    QUERY,
    SAFE_WIDTH,
    TEXT,
    VALUE,
    Matrix,
    Numbers,
    TokenRow,
    VectorColumn,
    columns_under,
    fit_width,
    subscripted,
    text,
)
from scenes.kit.motion import cue_shares
from scenes.narration import BeatSlot, NarratedScene

__all__ = ["QueryKeyValue"]

ROLES = (("q", "Q", "query", QUERY), ("k", "K", "key", KEY), ("v", "V", "value", VALUE))
FAN_X = (-4.6, -1.2, 1.6)  # embedding, matrix names, result vectors
FAN_YS = (1.05, -0.55, -2.15)
STACK_TOP = 1.95


CELL = 0.12  # a matrix entry's cell in the fan: no number, its brightness is its size


def cell_grid(nums: Numbers, name: str, color: str) -> VGroup:
    """Head 0's block of ``w_{name}`` as cells, one per entry (rows are inputs), each as
    bright as the entry is large; a zero is an empty cell. Shows the pattern, not numbers."""
    block = np.abs(nums.array(f"w_{name}")[:, : nums.example.d_head])
    top = float(block.max()) or 1.0
    grid = VGroup()
    for i, j in np.ndindex(block.shape):
        cell = Square(CELL).set_stroke(GRID, 1).set_fill(color, float(block[i, j]) / top)
        grid.add(cell.move_to([j * CELL, -i * CELL, 0]))
    grid.levels = [float(v) / top for v in block.flat]  # type: ignore[attr-defined]
    return grid


def flicker(grid: VGroup, seed: int, turns: int = 3) -> UpdateFromAlphaFunc:
    """The cells' brightness wanders and comes back: matrices changing as a model learns.

    Decorative (no numbers): each cell swings about its own level ``turns`` times."""
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, len(grid))

    def swing(mob: VGroup, alpha: float) -> None:
        for cell, level, phase in zip(mob, mob.levels, phases, strict=True):
            wave = np.sin(2 * np.pi * turns * alpha + phase) - np.sin(phase)
            cell.set_fill(opacity=float(np.clip(level + 0.45 * wave, 0, 1)))

    return UpdateFromAlphaFunc(grid, swing)


class QueryKeyValue(NarratedScene):
    """One embedding fans out into q, k, v; the query's product in numbers; then every token."""

    def construct(self) -> None:
        ex, f, nums, header, row = self.open_chapter()
        ring = row.outline(f, TEXT)

        with self.beat("roles") as beat:
            fan = self.fan(nums, f)
            grids = VGroup(*(cell_grid(nums, name, color) for name, _, _, color in ROLES))
            said = beat.plan.text
            *made, small, hand, real = cue_shares(
                said, ("query", "key", "value", "small model", "by hand", "real model")
            )
            made[0] = max(made[0], 0.12)
            # "Three matrices make": the focus embedding, and the three matrices it enters
            self.play(FadeIn(header), FadeIn(row), Create(ring), run_time=beat.share(made[0] / 3))
            self.play(
                TransformFromCopy(row.chip(f), fan.source),
                LaggedStart(
                    *(AnimationGroup(GrowArrow(b[0]), FadeIn(b[1])) for b in fan.branches),
                    lag_ratio=0.3,
                ),
                run_time=beat.share(made[0] * 2 / 3),
            )
            # "a query, a key, and a value": each comes out of its matrix as it is named
            ends = [*made[1:], small]
            for branch, start, end in zip(fan.branches, made, ends, strict=True):
                self.play(self.grow_result(branch), run_time=beat.share(max(end - start, 0.05)))
            entries = self.play_entries(beat, fan, grids, (small, hand, real))

        with self.beat("product") as beat:
            product = self.product(nums, f)
            self.play(FadeOut(fan), FadeOut(entries), run_time=beat.share(0.12))
            self.play(FadeIn(product.terms, shift=0.2 * UP), run_time=beat.share(0.25))
            for j, entry in enumerate(product.result.rows[0]):
                column = SurroundingRectangle(product.matrix.column(j), color=QUERY, buff=0.06)
                self.play(Create(column), run_time=beat.share(0.07))
                self.play(FadeIn(entry, scale=1.3), FadeOut(column), run_time=beat.share(0.08))
            self.play(FadeIn(product.result.brackets), run_time=beat.share(0.05))

        with self.beat("all_tokens") as beat:
            stacks, labels = self.stacks(nums, row)
            self.play(FadeOut(product), FadeOut(ring), run_time=beat.share(0.15))
            self.play(
                FadeIn(labels),
                LaggedStart(*(FadeIn(s, shift=0.2 * DOWN) for s in stacks), lag_ratio=0.12),
                run_time=beat.share(0.65),
            )

    def fan(self, nums: Numbers, f: int) -> VGroup:
        """The focus embedding with three branches: W_Q -> q, W_K -> k, W_V -> v."""
        x = nums.vector("x", f, blank_zeros=True)
        source = VectorColumn(x, TEXT, label=f"x  {self.example.focus}")
        source.brackets.set_color(MUTED)
        source.move_to([FAN_X[0], FAN_YS[1], 0])
        branches = VGroup()
        for (name, sub, role, color), y in zip(ROLES, FAN_YS, strict=True):
            matrix_name = subscripted("W", sub, color=color).move_to([FAN_X[1], y, 0])
            vector = VectorColumn(nums.vector(name, f, blank_zeros=True), color)
            vector.move_to([FAN_X[2], y, 0], aligned_edge=LEFT)
            word = text(role, size=LABEL, color=color).next_to(vector, RIGHT, buff=0.3)
            into = Arrow(
                source.get_right(),
                matrix_name.get_left(),
                buff=0.2,
                color=MUTED,
                stroke_width=2,
                max_tip_length_to_length_ratio=0.08,
            )
            out = Arrow(
                matrix_name.get_right(),
                vector.get_left(),
                buff=0.2,
                color=color,
                stroke_width=2,
                max_tip_length_to_length_ratio=0.12,
            )
            branches.add(VGroup(into, matrix_name, out, vector, word))
        group = VGroup(source, branches)
        group.source, group.branches = source, branches  # type: ignore[attr-defined]
        return group

    @staticmethod
    def grow_result(branch: VGroup) -> LaggedStart:
        """A branch's arrow out of its matrix, its vector and its role's name."""
        _, _, out, vector, word = branch
        return LaggedStart(
            GrowArrow(out), FadeIn(vector, shift=0.3 * RIGHT), FadeIn(word), lag_ratio=0.3
        )

    def play_entries(self, beat: BeatSlot, fan: VGroup, grids: VGroup, cues: tuple) -> VGroup:
        """ "This small model was designed by hand": each matrix opens into its entries (a
        cell per entry, brighter the larger it is, no numbers) and the note says so; "A real
        model learns its matrices": the cells flicker as in training, under that note."""
        small, hand, real = cues
        names = VGroup(*(b[1] for b in fan.branches))
        for grid, name in zip(grids, names, strict=True):
            grid.move_to(name)
        lifted = [
            name.copy().next_to(grid, UP, buff=0.06)
            for name, grid in zip(names, grids, strict=True)
        ]
        by_hand = text("designed by hand", size=LABEL, color=MUTED)
        by_hand.next_to(grids, DOWN, buff=0.2)
        learns = text("a real model learns them", size=LABEL, color=MUTED).move_to(by_hand)
        self.play(
            LaggedStart(
                *(
                    AnimationGroup(name.animate.move_to(up), GrowFromCenter(grid))
                    for name, up, grid in zip(names, lifted, grids, strict=True)
                ),
                lag_ratio=0.3,
            ),
            run_time=beat.share(max(hand - small, 0.1)),
        )
        self.play(Write(by_hand), run_time=beat.share(max(real - hand, 0.1)))
        self.play(
            FadeTransform(by_hand, learns),
            *(flicker(grid, seed=k) for k, grid in enumerate(grids)),
            run_time=beat.share(max(0.97 - real, 0.1)),
        )
        return VGroup(grids, learns)

    def product(self, nums: Numbers, f: int) -> VGroup:
        """x (a row) times head 0's W_Q (d_model x d_head) equals q (a row), in numbers."""
        d = self.example.d_head
        x_row = Matrix(
            [nums.vector("x", f, blank_zeros=True)],
            MUTED,
            label=f"x  {self.example.focus}",
            label_color=TEXT,
        )
        w_q = Matrix(nums.matrix("w_q", cols=range(d), blank_zeros=True), QUERY)
        w_label = subscripted("W", "Q", color=QUERY).next_to(w_q, UP, buff=0.14)
        q = nums.vector("q", f, color=QUERY, blank_zeros=True)
        result = Matrix([q], QUERY, label="q", label_color=QUERY)
        times, equals = text("×", color=MUTED), text("=", color=MUTED)
        terms = VGroup(x_row, times, VGroup(w_q, w_label), equals, result)
        terms.arrange(RIGHT, buff=0.35)
        for part in (x_row, times, equals, result):
            part.match_y(w_q)
        fit_width(terms, SAFE_WIDTH).move_to([0, -0.55, 0])
        # the result's numbers and brackets appear one by one, after the terms
        group = VGroup(VGroup(x_row, times, w_q, w_label, equals, result.label), result.rows)
        group.add(result.brackets)
        group.terms, group.matrix, group.result = group[0], w_q, result  # type: ignore[attr-defined]
        return group

    def stacks(self, nums: Numbers, row: TokenRow) -> tuple[VGroup, VGroup]:
        """Under every chip: its q, k and v columns; role letters in the left margin."""
        fields = tuple((name, color) for name, _, _, color in ROLES)
        stacks = columns_under(nums, row, fields, room_share=0.88, top=STACK_TOP)
        label_x = max(-6.75, stacks.get_left()[0] - 0.45)  # close, but inside the frame
        labels = VGroup(
            *(
                text(name, size=LABEL, color=color).move_to(
                    [label_x, stacks[0][k].get_center()[1], 0]
                )
                for k, (name, _, _, color) in enumerate(ROLES)
            )
        )
        return stacks, labels
