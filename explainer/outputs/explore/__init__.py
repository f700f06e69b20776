"""The interactive explorer: one offline HTML page of the worked example, built from the
same verified numbers as the video.

::

    WorkedExample ──explorer_ledger──> NumbersLedger (scene "explorer", verified)
                  ──explorer_html────> explorer.html (data and code inline, no network)

A decoder's page has one view, *Next word* (:mod:`explainer.outputs.explore.next_word`).
A render writes the page beside its video (``explainer.outputs.assemble.OUTPUTS``) and its numbers
into ``numbers.json``; ``explainer explore`` writes the page and ``explorer-numbers.json``
without rendering (:func:`make_explorer`). The presenter opens the page at the view of the
chapter on screen (:func:`view_for`).
"""

from __future__ import annotations

from explainer.outputs.explore.heads import (
    HeadCard,
    example_cards,
    head_cards,
    head_labels,
    head_sources,
)
from explainer.outputs.explore.make import (
    EXPLORER_NUMBERS,
    EXPLORER_PAGE,
    ExplorerReport,
    checked_explorer_ledger,
    make_explorer,
)
from explainer.outputs.explore.numbers import EXPLORER_SCENE, explorer_ledger
from explainer.outputs.explore.page import explorer_html, page_data, static_paths
from explainer.outputs.explore.views import CHAPTER_VIEWS, DECODER_VIEWS, VIEWS, view_for

__all__ = [
    "CHAPTER_VIEWS",
    "DECODER_VIEWS",
    "EXPLORER_NUMBERS",
    "EXPLORER_PAGE",
    "EXPLORER_SCENE",
    "VIEWS",
    "ExplorerReport",
    "HeadCard",
    "checked_explorer_ledger",
    "explorer_html",
    "explorer_ledger",
    "example_cards",
    "head_cards",
    "head_labels",
    "head_sources",
    "make_explorer",
    "page_data",
    "static_paths",
    "view_for",
]
