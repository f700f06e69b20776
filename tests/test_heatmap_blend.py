"""The heat-map grid and the stacked blend bar: sizes, colours, numbers and fit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import nearest_row
from manim import Text

from attention import NumbersLedger, worked_example
from attention.numbers.verify import verify
from scenes.kit.blend import StackedBlendBar
from scenes.kit.heatmap import HeatGrid, weight_color
from scenes.kit.numbers import Numbers

LONG = (
    "Extraordinarily talkative parrots repeated unbelievably complicated sentences "
    "while everyone laughed loudly today"
)
PX_PER_UNIT_480P = 480 / 8.0  # the frame is 8 units tall


def _nums(sentence: str = "The cat sat on the mat", scene: str = "test") -> Numbers:
    return Numbers(NumbersLedger(), worked_example(sentence), scene)


def _inside(inner: np.ndarray, outer: np.ndarray, tol: float = 1e-6) -> bool:
    return bool(np.all(inner[0] >= outer[0] - tol) and np.all(inner[1] <= outer[1] + tol))


def _box(mobject) -> np.ndarray:
    return np.array([mobject.get_corner([-1, -1, 0])[:2], mobject.get_corner([1, 1, 0])[:2]])


def _overlap(a, b) -> bool:
    (alo, ahi), (blo, bhi) = _box(a), _box(b)
    return bool(np.all(np.minimum(ahi, bhi) - np.maximum(alo, blo) > 1e-3))


def _luminance(color) -> float:
    r, g, b = color.to_rgb()
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# -- HeatGrid ---------------------------------------------------------------------------


def test_weight_color_is_brighter_for_larger_weights() -> None:
    lums = [_luminance(weight_color(w, 0.5)) for w in (0.0, 0.1, 0.25, 0.4, 0.5)]
    assert lums == sorted(lums)
    assert lums[0] < lums[-1]


def test_heat_cells_follow_their_weights() -> None:
    ex = worked_example()
    grid = HeatGrid(ex.weights, ex.tokens)
    n = ex.n_tokens
    assert len(grid.cells) == n * n
    # the brightest cell of the focus row is the focus token's top key
    f = ex.focus_index
    lums = [_luminance(grid.cell(f, j).fill_color) for j in range(n)]
    assert int(np.argmax(lums)) == int(np.argmax(ex.weights[f]))
    # cells sit row-major: query i's row is above query i+1's, key j left of key j+1
    assert grid.cell(0, 0).get_y() > grid.cell(1, 0).get_y()
    assert grid.cell(0, 0).get_x() < grid.cell(0, 1).get_x()


def test_heat_numbers_are_each_weight_at_its_nearest_and_verify() -> None:
    nums = _nums()
    ex = nums.example
    grid = HeatGrid(ex.weights, ex.tokens, nums=nums, max_width=7, max_height=6.5)
    n = ex.n_tokens
    assert len(grid.numbers) == n * n
    for i in range(n):
        assert [t.text for t in grid.row_numbers(i)] == nearest_row(ex.weights[i])
    assert [t.text for t in grid.row_numbers(0)] == ["0.17"] * 6  # The: six of 1/6, alike
    assert verify(nums.ledger, ex) == []


def test_heat_numbers_are_legible_at_480p() -> None:
    nums = _nums()
    ex = nums.example
    grid = HeatGrid(ex.weights, ex.tokens, nums=nums, max_width=7, max_height=6.5)
    digit = Text("0", font="DejaVu Sans Mono", font_size=grid.numbers[0].font_size)
    assert digit.height * PX_PER_UNIT_480P >= 11
    for i, j in itertools.product(range(ex.n_tokens), repeat=2):
        assert _inside(_box(grid.numbers[i * ex.n_tokens + j]), _box(grid.cell(i, j)))


def test_head_grid_records_head_sources() -> None:
    nums = _nums()
    ex = nums.example
    HeatGrid(ex.head_weights[1], ex.tokens, nums=nums, head=1, max_width=7, max_height=6.5)
    sources = {e.source for e in nums.ledger.entries}
    assert "head_weights[1, 2, 3]" in sources
    assert verify(nums.ledger, ex) == []


def test_long_sentence_grid_fits_without_numbers_or_overlap() -> None:
    nums = _nums(LONG)
    ex = nums.example
    box = (6.2, 6.5)
    grid = HeatGrid(ex.weights, ex.tokens, nums=nums, max_width=box[0], max_height=box[1])
    assert grid.width <= box[0] + 1e-6
    assert grid.height <= box[1] + 1e-6
    assert len(grid.numbers) == 0  # cells too small for legible numbers
    assert nums.ledger.entries == ()
    labels = list(grid.row_labels) + list(grid.col_labels) + list(grid.captions)
    for a, b in itertools.combinations(labels, 2):
        assert not _overlap(a, b), (a.text, b.text)
    for label in labels:
        assert not any(_overlap(label, cell) for cell in grid.cells), label.text


@pytest.mark.parametrize("n", [2, 5, 12])
def test_grid_sizes_adapt_to_token_count(n: int) -> None:
    tokens = [f"w{i}" for i in range(n)]
    grid = HeatGrid(np.full((n, n), 1 / n), tokens, max_width=5.0, max_height=5.0)
    assert grid.width <= 5.0 + 1e-6
    assert grid.height <= 5.0 + 1e-6
    assert grid.cell_size <= 0.8 + 1e-9


def test_row_outline_surrounds_the_row_and_its_label() -> None:
    ex = worked_example()
    grid = HeatGrid(ex.weights, ex.tokens)
    ring = grid.row_outline(ex.focus_index)
    row_box = _box(grid.row(ex.focus_index))
    assert _inside(row_box, _box(ring))
    assert _inside(_box(grid.row_labels[ex.focus_index]), _box(ring))


def test_grid_rejects_a_matrix_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="needs an"):
        HeatGrid(np.eye(3), ["a", "b"])


# -- StackedBlendBar --------------------------------------------------------------------


def test_segments_are_as_wide_as_their_weights_and_contiguous() -> None:
    weights = [0.1, 0.6, 0.3]
    bar = StackedBlendBar(weights, ["a", "b", "c"], width=8.0)
    widths = [s.width for s in bar.segments]
    assert widths == pytest.approx([0.8, 4.8, 2.4])
    for left, right in itertools.pairwise(bar.segments):
        assert left.get_right()[0] == pytest.approx(right.get_left()[0])
    assert bar.segments.width == pytest.approx(8.0)


def test_labels_only_where_the_word_fits() -> None:
    bar = StackedBlendBar([0.02, 0.98], ["Extraordinarily", "cat"], width=6.0)
    assert list(bar.label_of) == [1]  # the 0.12-unit segment cannot hold a long word
    label = bar.label_of[1]
    assert _inside(_box(label), _box(bar.segment(1)))


def test_bar_numbers_record_the_focus_row_and_verify() -> None:
    nums = _nums(scene="blend")
    ex = nums.example
    f = ex.focus_index
    bar = StackedBlendBar(ex.weights[f], ex.tokens, width=12.0, nums=nums, row=f)
    # each weight at its nearest: mat's 0.2435 is 0.24, and the row shows 0.99 in all
    assert [t.text for t in bar.numbers] == nearest_row(ex.weights[f])
    assert [t.text for t in bar.numbers][-1] == "0.24"
    assert [e.source for e in nums.ledger.entries] == [
        f"weights[{f}, {j}]" for j in range(ex.n_tokens)
    ]
    assert verify(nums.ledger, ex) == []
    for number, seg in zip(bar.numbers, bar.segments, strict=True):
        assert number.get_top()[1] < seg.get_bottom()[1]  # under its segment
        assert abs(number.get_x() - seg.get_x()) < 1e-6


def test_bar_shows_no_numbers_when_one_does_not_fit() -> None:
    nums = _nums(LONG)
    ex = nums.example
    row = int(ex.weights.min(axis=1).argmin())  # the row with the thinnest segment
    assert ex.weights[row].min() * 12.0 < 0.6  # narrower than a number like "0.05"
    bar = StackedBlendBar(ex.weights[row], ex.tokens, width=12.0, nums=nums, row=row)
    assert len(bar.numbers) == 0
    assert nums.ledger.entries == ()
