"""The video's colours for the page, read from ``scenes/kit/palette.py``'s source.

The page must give query, key, value, weight and output the colours the video gives
them. Importing the scenes' kit would import Manim (a second) for a few strings, so the
palette module's constant assignments are read with :mod:`ast` instead, as
:func:`explainer.core.quality.manim_qualities` reads Manim's table.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from scenes.scripts import PROJECT_ROOT

__all__ = ["PALETTE_FILE", "css_variables", "video_palette"]

PALETTE_FILE = PROJECT_ROOT / "scenes" / "kit" / "palette.py"


@functools.cache
def video_palette(path: Path = PALETTE_FILE) -> dict[str, str]:
    """Every ``NAME = "#rrggbb"`` constant of the palette module.

    Examples
    --------
    >>> palette = video_palette()
    >>> palette["QUERY"], palette["KEY"]
    ('#F4C542', '#3CC2B4')
    """
    colours: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            value = node.value.value
            if isinstance(value, str) and value.startswith("#"):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        colours[target.id] = value
    return colours


def css_variables() -> str:
    """The palette as CSS custom properties: ``--query: #F4C542;`` ...

    Examples
    --------
    >>> "--weight: #A98BFF;" in css_variables()
    True
    """
    return " ".join(
        f"--{name.lower().replace('_', '-')}: {colour};"
        for name, colour in sorted(video_palette().items())
    )
