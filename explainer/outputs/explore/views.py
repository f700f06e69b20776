"""The explorer's views, and which view each chapter of the video opens.

The presenter's ``E`` key opens ``explorer.html#<view>`` at the view of the chapter on
screen (:func:`view_for`); a chapter without a row opens the tokens view.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHAPTER_VIEWS", "DECODER_VIEWS", "DEFAULT_VIEW", "VIEWS", "View", "view_for"]


@dataclass(frozen=True)
class View:
    """One tab of the explorer: its id (the URL's ``#id``) and the tab's title."""

    id: str
    title: str


# every view, in tab order (seeds 000, 003 and 004 offer each of these)
VIEWS: tuple[View, ...] = (
    View("tokens", "Tokens"),
    View("pairs", "All pairs"),
    View("blend", "The blend"),
    View("qkv", "Q, K, V"),
    View("heads", "Heads"),
    View("mask", "Causal mask"),
    View("temperature", "Temperature"),
    View("experiment", "Experiment"),
    View("quiz", "Quiz"),
)
DEFAULT_VIEW = "tokens"
# a decoder's page: one view, its generation step by step (explainer.outputs.explore.next_word);
# a chapter's view it does not have opens this one
DECODER_VIEWS: tuple[View, ...] = (View("next", "Next word"),)

# chapter class (scenes.catalogue.CHAPTERS) -> the view that lets a viewer poke at it
CHAPTER_VIEWS: dict[str, str] = {
    "Tokens": "tokens",
    "QueryKeyValue": "qkv",
    "Scores": "qkv",
    "Softmax": "tokens",
    "ValueBlend": "blend",
    "MultiHead": "heads",
    "Equation": "experiment",
    "WordOrder": "pairs",
    "CausalMask": "mask",
    "Temperature": "temperature",
    "Code": "experiment",
    "Caveats": "quiz",
    "WordSense": "tokens",
    "RealHead": "heads",  # the trained model's chapters (scripts/trained-model.toml)
    "TrainedHeads": "heads",
}


def view_for(class_name: str) -> str:
    """The explorer view of a chapter (its class name), the tokens view if it has none.

    Examples
    --------
    >>> view_for("Temperature"), view_for("NoSuchChapter")
    ('temperature', 'tokens')
    """
    return CHAPTER_VIEWS.get(class_name, DEFAULT_VIEW)
