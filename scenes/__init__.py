"""Manim scenes of the attention explainer, one per chapter, looked up by class name."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing scenes stays cheap: manim loads only when a scene does
    from scenes.narration import NarratedScene

__all__ = ["SCENE_CLASSES", "load_scene_class"]

# class name -> module, in chapter order
SCENE_CLASSES: dict[str, str] = {
    "Tokens": "scenes.s1_tokens",
    "QueryKeyValue": "scenes.s2_qkv",
    "Scores": "scenes.s3_scores",
    "Softmax": "scenes.s4_softmax",
    "ValueBlend": "scenes.s5_blend",
    "MultiHead": "scenes.s6_heads",
    "Equation": "scenes.s7_equation",
    # the lecture's chapters (scripts/attention-lecture.toml)
    "WordOrder": "scenes.s8_order",
    "CausalMask": "scenes.s9_causal_mask",
    "Temperature": "scenes.s10_temperature",
    "Code": "scenes.s11_code",
    "Caveats": "scenes.s12_caveats",
    "WordSense": "scenes.s13_word_sense",
}


def load_scene_class(name: str) -> type[NarratedScene]:
    """Import the scene class called ``name`` (its module is imported only now).

    Raises
    ------
    LookupError
        If ``name`` is not one of :data:`SCENE_CLASSES`.

    Examples
    --------
    >>> load_scene_class("Tokens").__name__                      # doctest: +SKIP
    'Tokens'
    """
    try:
        module_name = SCENE_CLASSES[name]
    except KeyError:
        known = ", ".join(SCENE_CLASSES)
        raise LookupError(f"unknown scene class {name!r}: use one of {known}") from None
    scene_class: type[NarratedScene] = getattr(import_module(module_name), name)
    return scene_class
