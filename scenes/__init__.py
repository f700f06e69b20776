"""Manim scenes of the attention explainer, one per chapter, looked up by class name."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from scenes.catalogue import CHAPTERS, chapter_entry

if TYPE_CHECKING:  # importing scenes stays cheap: manim loads only when a scene does
    from scenes.narration import NarratedScene

__all__ = ["CHAPTERS", "load_scene_class"]


def load_scene_class(name: str) -> type[NarratedScene]:
    """Import the scene class called ``name`` (its module, and Manim, are imported only now).

    Raises
    ------
    LookupError
        If ``name`` is not one of :data:`scenes.catalogue.CHAPTERS`.

    Examples
    --------
    >>> load_scene_class("Tokens").__name__                      # doctest: +SKIP
    'Tokens'
    """
    scene_class: type[NarratedScene] = getattr(import_module(chapter_entry(name).module), name)
    return scene_class
