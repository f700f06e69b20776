"""The scenes' kit: palette, type, ledger-recording numbers and the reusable visuals.

Examples
--------
>>> from scenes.kit import QUERY, TokenRow, VectorColumn, Numbers   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from scenes.kit.bars import WeightBars
from scenes.kit.header import ChapterHeader, chapter_header
from scenes.kit.matrix import Bracket, Matrix
from scenes.kit.numbers import Numbers, arrange_grid, cell_source, number_text, resolve_source
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
    role_color,
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
    fit_within,
    subscripted,
    text,
)
from scenes.kit.tokens import TokenChip, TokenRow
from scenes.kit.vectors import BRACKET_ROOM, VectorColumn, scale_to_room

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
    "role_color",
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
    "fit_within",
    "Numbers",
    "number_text",
    "resolve_source",
    "cell_source",
    "arrange_grid",
    "ChapterHeader",
    "chapter_header",
    "TokenChip",
    "TokenRow",
    "Bracket",
    "Matrix",
    "VectorColumn",
    "BRACKET_ROOM",
    "scale_to_room",
    "WeightBars",
    "HeatGrid",
    "StackedBlendBar",
]

# C2's modules load on first use, so the kit imports even while they are being written
_LAZY = {"HeatGrid": "scenes.kit.heatmap", "StackedBlendBar": "scenes.kit.blend"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'scenes.kit' has no attribute {name!r}")
