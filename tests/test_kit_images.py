"""The kit's images: drawn where they are, cell by cell, blended over what is behind them."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Camera, config, tempconfig

from scenes.kit.images import HeadMosaic, StripRow, heat_pixels, sharp_image
from scenes.kit.palette import BACKGROUND, KEY
from scenes.kit.token_lines import TokenLines, line_breaks

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _frame(*images: object) -> np.ndarray:
    camera = Camera()
    camera.capture_mobjects(list(images))
    return np.asarray(camera.pixel_array)


def _pixel(x: float, y: float) -> tuple[int, int]:
    """The pixel (row, column) of scene point (x, y)."""
    per_unit = config.pixel_width / config.frame_width
    return int(config.pixel_height / 2 - y * per_unit), int(config.pixel_width / 2 + x * per_unit)


def test_an_image_fills_its_own_box_cell_by_cell_and_nothing_else() -> None:
    with tempconfig({"quality": "low_quality"}):
        pixels = np.array([[RED, BLUE]], dtype=np.uint8)  # one row, two cells
        frame = _frame(sharp_image(pixels, 4.0, 2.0))  # 4 x 2 units round the origin
        background = _frame()[_pixel(0, 0)][:3].tolist()
        assert frame[_pixel(-1.0, 0.5)][:3].tolist() == list(RED)
        assert frame[_pixel(1.9, -0.9)][:3].tolist() == list(BLUE)
        # nearest neighbour: no blend of the two cells a pixel away from their border
        row, col = _pixel(-0.05, 0)
        assert frame[row, col][:3].tolist() == list(RED)
        for x, y in ((2.2, 0), (0, 1.2), (-2.2, 0), (0, -1.2)):
            assert frame[_pixel(x, y)][:3].tolist() == background


def test_a_half_transparent_image_is_blended_over_the_background() -> None:
    with tempconfig({"quality": "low_quality"}):
        pixels = np.zeros((1, 1, 4), dtype=np.uint8)
        pixels[0, 0] = (255, 255, 255, 128)
        frame = _frame(sharp_image(pixels, 2.0, 2.0))
        background = np.array(_frame()[_pixel(0, 0)][:3], dtype=float)
        expected = background + (255 - background) * 128 / 255
        assert np.abs(frame[_pixel(0, 0)][:3] - expected).max() <= 1


def test_heat_pixels_run_from_the_empty_cell_grey_to_weight_violet() -> None:
    px = heat_pixels(np.array([[0.0, 0.25, 0.5]]), vmax=0.5)
    brightness = px[0].astype(int).sum(axis=1)
    assert brightness[0] < brightness[1] < brightness[2]
    assert px[0, 0].tolist() != [int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)]  # a tint


def test_a_strip_row_draws_each_strip_under_its_token() -> None:
    with tempconfig({"quality": "low_quality"}):
        vectors = np.array([np.ones(32), -np.ones(32)])
        row = StripRow(vectors, [-2.0, 2.0], top=1.0, length=2.0, color=KEY, vmax=1.0)
        frame = _frame(row.image)
        bright, dark = frame[_pixel(-2.0, 0.0)][:3], frame[_pixel(2.0, 0.0)][:3]
        assert bright.tolist() == [int(KEY[i : i + 2], 16) for i in (1, 3, 5)]
        assert int(dark.sum()) < int(bright.sum())
        assert frame[_pixel(0.0, 0.0)][:3].tolist() == _frame()[_pixel(0, 0)][:3].tolist()


def test_the_mosaic_finds_each_head_s_tile() -> None:
    weights = np.zeros((2, 3, 4, 4))
    weights[1, 2] = 1.0  # one bright head
    mosaic = HeadMosaic.of_weights(weights, width=8.0)
    with tempconfig({"quality": "low_quality"}):
        frame = _frame(mosaic.image)
        bright = frame[_pixel(*mosaic.tile_center(1, 2)[:2])][:3].astype(int).sum()
        dim = frame[_pixel(*mosaic.tile_center(0, 0)[:2])][:3].astype(int).sum()
    assert bright > dim
    assert mosaic.tile_center(0, 1)[0] > mosaic.tile_center(0, 0)[0]
    assert mosaic.tile_center(1, 0)[1] < mosaic.tile_center(0, 0)[1]


@pytest.mark.parametrize("lines", [2, 3])
def test_rows_of_tokens_never_split_a_word(lines: int) -> None:
    word_of = (None, 0, 0, 0, 1, 2, 2, 3, 4, 4, 4, 4, 5, None)
    for start in line_breaks(word_of, lines)[1:]:
        assert word_of[start] is None or word_of[start] != word_of[start - 1]


def test_token_rows_keep_every_piece_whole() -> None:
    tokens = "[CLS] extra ##ord ##ina ##rily talk ##ative parrot ##s repeated un ##bel ##ie ##va "
    tokens = tuple((tokens + "##bly complicated [SEP]").split())
    word_of = (None, 0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 4, 4, 4, 4, 5, None)
    lines = TokenLines(tokens, word_of, pitch=2.0)
    assert len(lines.rows) > 1
    assert tuple(w for row in lines.rows for w in row.words_shown) == tokens
    assert lines.slot_width() >= 0.72
