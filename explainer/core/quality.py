"""Render quality: the four a render may ask for, with their frame rates from Manim's table."""

from __future__ import annotations

import ast
import functools
import importlib.util
from enum import StrEnum
from pathlib import Path
from typing import Any

from explainer.core.python_source import parse_python

__all__ = ["Quality", "manim_qualities"]


@functools.cache
def manim_qualities() -> dict[str, dict[str, Any]]:
    """Manim's own ``QUALITIES`` table (``manim.constants``), read from its source.

    Importing Manim costs about a second, which processes that never draw a frame (the
    command line's main process, ``explainer check``) would otherwise pay for one table;
    the table is a literal, so it is read with :func:`ast.literal_eval` instead.

    Examples
    --------
    >>> manim_qualities()["low_quality"]["frame_rate"]
    15
    """
    spec = importlib.util.find_spec("manim")
    if spec is None or spec.origin is None:
        raise RuntimeError("Manim is not installed; run make setup")
    source = (Path(spec.origin).parent / "constants.py").read_text(encoding="utf-8")
    for node in parse_python(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "QUALITIES" for t in targets):
                table: dict[str, dict[str, Any]] = ast.literal_eval(node.value)
                return table
    raise RuntimeError("manim.constants has no QUALITIES table; is Manim installed?")


class Quality(StrEnum):
    """Render quality: ``low`` 480p15, ``medium`` 720p30, ``high`` 1080p60, ``4k`` 2160p60.

    Examples
    --------
    >>> Quality.high.fps, Quality.low.manim_name
    (60, 'low_quality')
    """

    low = "low"
    medium = "medium"
    high = "high"
    fourk = "4k"

    @property
    def manim_name(self) -> str:
        """The name of this quality in Manim's ``config.quality``."""
        return "fourk_quality" if self is Quality.fourk else f"{self.value}_quality"

    @property
    def fps(self) -> int:
        """Frames per second at this quality (Manim's ``frame_rate``)."""
        return int(manim_qualities()[self.manim_name]["frame_rate"])
