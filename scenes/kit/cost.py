"""The cost of attention as pictures: score grids for n, 2n and 4n tokens, each cell one
score, each row one token's scores of every token, and the count of each grid's cells.

The counts are printed from the ledger (``n_tokens``, ``tokens_times(k)``,
``attention_cells(m)``); the grids print nothing.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Animation,
    GrowFromEdge,
    LaggedStart,
    Line,
    Rectangle,
    VGroup,
    linear,
)

from scenes.kit.numbers import Numbers
from scenes.kit.palette import GRID, MUTED, WEIGHT
from scenes.kit.style import LABEL, SAFE_WIDTH, text

__all__ = ["FACTORS", "GRIDS_TOP", "cost_grids", "drawn_large", "fill_rows", "score_grid"]

GRIDS_BOTTOM = -2.05
GRIDS_TOP = 2.3
LABEL_YS = (-2.55, -3.1)  # "6 tokens", "36 scores"
FACTORS = (1, 2, 4)
BIG_CELL = 0.5  # the first grid drawn large: its cell, and its largest side
BIG_SIDE = 3.6
BIG_Y = 0.1


def score_grid(m: int, cell: float) -> VGroup:
    """An ``m x m`` grid of score cells: a violet frame ruled every ``cell``, and its ``m``
    rows as fills (``grid[2]``), one per token, so each row can fill as that token scores
    every token.

    Examples
    --------
    >>> grid = score_grid(3, 0.5)
    >>> len(grid[1]), len(grid[2]), round(float(grid.width), 6)  # 2 + 2 rules, 3 rows
    (4, 3, 1.5)
    """
    side = m * cell
    square = Rectangle(width=side, height=side, stroke_color=WEIGHT, stroke_width=1.5)
    left, bottom = -side / 2, -side / 2
    rules = VGroup(
        *(
            Line((left + i * cell, bottom, 0.0), (left + i * cell, -bottom, 0.0))
            for i in range(1, m)
        ),
        *(
            Line((left, bottom + i * cell, 0.0), (-left, bottom + i * cell, 0.0))
            for i in range(1, m)
        ),
    ).set_stroke(GRID, width=1)
    rows = VGroup(
        *(
            Rectangle(width=side, height=cell, fill_color=WEIGHT, fill_opacity=0.35,
                      stroke_width=0).move_to((0.0, -bottom - (i + 0.5) * cell, 0.0))
            for i in range(m)
        )
    )  # fmt: skip
    rows.set_z_index(-1)
    return VGroup(square, rules, rows)


def drawn_large(grid: VGroup, n: int) -> VGroup:
    """A copy of ``grid`` (``n`` tokens a side) drawn large at the middle of the frame.

    Examples
    --------
    >>> round(float(drawn_large(score_grid(6, 0.2), 6).height), 6)
    3.0
    """
    side = min(BIG_CELL * n, BIG_SIDE)
    return grid.copy().scale_to_fit_height(side).move_to((0.0, BIG_Y, 0.0))


def fill_rows(grid: VGroup) -> Animation:
    """Each row of ``grid`` fills left to right, one after another: one token's scores.

    Examples
    --------
    >>> len(fill_rows(score_grid(4, 0.3)).animations)
    4
    """
    return LaggedStart(*(GrowFromEdge(r, LEFT) for r in grid[2]), lag_ratio=0.6,
                       rate_func=linear)  # fmt: skip


def cost_grids(nums: Numbers, n: int) -> tuple[VGroup, VGroup]:
    """Score grids for n, 2n and 4n tokens at one cell size, with their counts below."""
    sizes = [n * k for k in FACTORS]
    gap = 0.9
    cell = min(
        0.3,
        (GRIDS_TOP - GRIDS_BOTTOM) / sizes[-1],
        (SAFE_WIDTH - gap * (len(sizes) - 1)) / sum(sizes),
    )
    grids = VGroup(*(score_grid(m, cell) for m in sizes)).arrange(
        RIGHT, buff=gap, aligned_edge=DOWN
    )
    grids.move_to((0.0, 0.0, 0.0)).align_to((0.0, GRIDS_BOTTOM, 0.0), DOWN)
    counts = VGroup()
    for k, grid in zip(FACTORS, grids, strict=True):
        length = "n_tokens" if k == 1 else f"tokens_times({k})"
        tokens = VGroup(
            nums.text(length, label=f"{k}n tokens", decimals=0, size=LABEL),
            text("tokens", size=LABEL, color=MUTED),
        ).arrange(RIGHT, buff=0.12)
        scores = VGroup(
            nums.text(
                f"attention_cells({n * k})", label=f"scores, {k}n", decimals=0, size=LABEL,
                color=WEIGHT,
            ),
            text("scores", size=LABEL, color=MUTED),
        ).arrange(RIGHT, buff=0.12)  # fmt: skip
        tokens.move_to((float(grid.get_center()[0]), LABEL_YS[0], 0.0))
        scores.move_to((float(grid.get_center()[0]), LABEL_YS[1], 0.0))
        counts.add(VGroup(tokens, scores))
    return grids, counts
