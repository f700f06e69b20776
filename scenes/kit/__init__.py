"""The scenes' kit: palette, type, ledger-recording numbers and the reusable visuals.

Scenes import what they draw with from here (and Manim), nothing else of the project.

Examples
--------
>>> from scenes.kit import QUERY, TokenRow, VectorColumn, Numbers   # doctest: +SKIP
"""

from __future__ import annotations

from scenes.kit.bars import WeightBars
from scenes.kit.blend import StackedBlendBar
from scenes.kit.chips import TokenChip, TokenRow
from scenes.kit.header import ChapterHeader
from scenes.kit.heatmap import HeatGrid, weight_color
from scenes.kit.matrix import Bracket, Matrix
from scenes.kit.numbers import (
    Numbers,
    arrange_grid,
    cell_source,
    number_text,
    resolve_source,
    source_array,
)
from scenes.kit.palette import (
    BACKGROUND,
    CHIP_FILL,
    CHIP_STROKE,
    GRID,
    KEY,
    MUTED,
    OUTPUT,
    QUERY,
    ROLE_COLORS,
    TEXT,
    VALUE,
    WEIGHT,
)
from scenes.kit.story import (
    DEFAULT_TEMPERATURES,
    HEAD_FEATURES,
    WorkedExample,
    context_tokens,
    default_swap,
    dimension_names,
    example_for,
    meaning_shift,
    named_tokens,
    scaled_dot_product_attention,
    swap_order,
    swap_positions,
    temperature_decimals,
    top_dimension,
    worked_example,
)
from scenes.kit.style import (
    BODY,
    CONTENT_BOTTOM,
    CONTENT_TOP,
    FONT,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    HEADER_Y,
    LABEL,
    MARGIN,
    NUMBER,
    NUMBER_FONT,
    SAFE_WIDTH,
    SMALL_NUMBER,
    TITLE,
    TOKEN_ROW_Y,
    caption,
    dim,
    fit_width,
    subscripted,
    text,
)
from scenes.kit.typeset import KitMarkupText, KitText
from scenes.kit.vectors import BRACKET_ROOM, VectorColumn, columns_under, scale_to_room

__all__ = [
    "BACKGROUND",
    "QUERY",
    "KEY",
    "VALUE",
    "WEIGHT",
    "OUTPUT",
    "TEXT",
    "MUTED",
    "GRID",
    "CHIP_FILL",
    "CHIP_STROKE",
    "ROLE_COLORS",
    "FONT",
    "NUMBER_FONT",
    "TITLE",
    "BODY",
    "LABEL",
    "NUMBER",
    "SMALL_NUMBER",
    "FRAME_WIDTH",
    "FRAME_HEIGHT",
    "MARGIN",
    "SAFE_WIDTH",
    "HEADER_Y",
    "TOKEN_ROW_Y",
    "CONTENT_TOP",
    "CONTENT_BOTTOM",
    "text",
    "caption",
    "dim",
    "subscripted",
    "fit_width",
    "KitText",
    "KitMarkupText",
    "Numbers",
    "number_text",
    "resolve_source",
    "source_array",
    "cell_source",
    "arrange_grid",
    "ChapterHeader",
    "TokenChip",
    "TokenRow",
    "Bracket",
    "Matrix",
    "VectorColumn",
    "BRACKET_ROOM",
    "columns_under",
    "scale_to_room",
    "WeightBars",
    "HeatGrid",
    "weight_color",
    "StackedBlendBar",
    "DEFAULT_TEMPERATURES",
    "HEAD_FEATURES",
    "meaning_shift",
    "top_dimension",
    "WorkedExample",
    "dimension_names",
    "example_for",
    "worked_example",
    "context_tokens",
    "default_swap",
    "swap_positions",
    "named_tokens",
    "scaled_dot_product_attention",
    "swap_order",
    "temperature_decimals",
]
