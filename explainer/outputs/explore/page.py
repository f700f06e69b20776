"""``explorer.html``: one self-contained page of the worked example, data and code inline.

The page is the package's ``static/explorer.html`` with its stylesheet, script, the
video's palette and the example's data put in place. The script is ``static/js/``'s
modules (:data:`SCRIPT_FILES`, in order) joined in one function, whose scope they share.
The data holds the story head's numbers at full precision (what the page recomputes
from), every head's weights to 4 decimals (the grid's colours) and the ledger's text of
every number the page shows at its default settings (``shown``, by source); the page
displays those texts, never its own formatting of them.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from attention.models.model import TokenizedSentence
from attention.models.registry import MODELS, load_model
from attention.numbers.ledger import NumbersLedger
from attention.story.patterns import measure_roles
from attention.worked.example import WorkedExample
from explainer.outputs.explore.experiment import experiment_for
from explainer.outputs.explore.heads import HeadCard, example_cards
from explainer.outputs.explore.next_word import next_word_data
from explainer.outputs.explore.numbers import EXPLORER_SCENE, TEMPERATURES, story_head, story_names
from explainer.outputs.explore.palette import PALETTE_FILE, css_variables
from explainer.outputs.explore.quiz import Part, quiz_for
from explainer.outputs.explore.views import DECODER_VIEWS, VIEWS

__all__ = [
    "DECODER_SCRIPT_FILES",
    "HEAD_DECIMALS",
    "SCRIPT_FILES",
    "STATIC_FILES",
    "explorer_html",
    "explorer_script",
    "model_line",
    "page_data",
    "static_paths",
    "token_roles",
]

STATIC_FILES = ("explorer.html", "explorer.css")
# static/js/, in the order the page runs them: data and arithmetic, the ledger's texts, the
# state, the shared pieces, one file per view (in the tabs' order), then the frame that starts it
SCRIPT_FILES = (
    "math.js",
    "ledger.js",
    "state.js",
    "pieces.js",
    "view-tokens.js",
    "view-pairs.js",
    "view-blend.js",
    "view-qkv.js",
    "view-heads.js",
    "view-mask.js",
    "view-temperature.js",
    "view-experiment.js",
    "view-quiz.js",
    "panel.js",
    "frame.js",
)
# a decoder's page: the same data, texts and pieces, its one view and its own frame
DECODER_SCRIPT_FILES = (
    "math.js", "ledger.js", "pieces.js", "view-next.js", "panel.js", "frame-decoder.js",
)  # fmt: skip
HEAD_DECIMALS = 4  # the head grid's colours: 72 heads of a trained model stay a few MB
_MARK = re.compile(r"\{\{(\w+)\}\}")
_STATIC = Path(__file__).parent / "static"


def static_paths() -> list[Path]:
    """The files the page is made of besides Python: its static files, its script's
    modules and the palette.

    Examples
    --------
    >>> [path.name for path in static_paths()][:3], static_paths()[-1].name
    (['explorer.html', 'explorer.css', 'math.js'], 'palette.py')
    """
    return [*_static_files(), *_script_files(), PALETTE_FILE]


def _static_files() -> list[Path]:
    return [_STATIC / name for name in STATIC_FILES]


def _script_files(names: Sequence[str] | None = None) -> list[Path]:
    """The script's modules: :data:`SCRIPT_FILES` (and every decoder module after them)."""
    if names is None:
        names = [*SCRIPT_FILES, *(f for f in DECODER_SCRIPT_FILES if f not in SCRIPT_FILES)]
    return [_STATIC / "js" / name for name in names]


def explorer_script(names: Sequence[str] = SCRIPT_FILES) -> str:
    """The page's one script: the modules of :data:`SCRIPT_FILES`, in order, inside one
    strict function, so that they share its scope and leave the window alone (but for
    ``window.explorer``, which the frame sets for the tests). ``names``: a decoder's page
    joins :data:`DECODER_SCRIPT_FILES`.

    Examples
    --------
    >>> script = explorer_script()
    >>> lines = script.splitlines()
    >>> lines[:2], lines[-1]
    (['(function () {', "  'use strict';"], '})();')
    """
    modules = (path.read_text(encoding="utf-8") for path in _script_files(names))
    body = "".join("\n" + textwrap.indent(module, "  ") for module in modules)
    return "(function () {\n  'use strict';\n" + body + "})();\n"


def _plain(a: np.ndarray, decimals: int | None = None) -> Any:
    values = np.asarray(a, dtype=np.float64)
    return (values if decimals is None else np.round(values, decimals)).tolist()


_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve")  # fmt: skip


def _in_words(count: int) -> str:
    return _COUNTS[count] if count < len(_COUNTS) else f"{count:,}"


def model_line(example: WorkedExample) -> list[Part]:
    """What the model is, in parts whose numbers are the ledger's (d_model, n_heads).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> model_line(worked_example())[:2]
    ['A small hand-designed model whose ', {'num': 'd_model', 'role': ''}]
    """
    layers = len(example.record.layers)
    stack: list[Part] = [f"{_in_words(layers)} layer{'s' if layers != 1 else ''} of ",
                         {"num": "n_heads", "role": ""}, " heads"]  # fmt: skip
    if layers >= len(_COUNTS):  # a count past twelve is a number: the ledger's n_layers
        stack[:1] = [{"num": "n_layers", "role": ""}, " layers of "]
    name = example.spec.model
    if load_model(name).config.kind == "designed":
        return ["A small hand-designed model whose ", {"num": "d_model", "role": ""},
                " dimensions have names: ", *stack,
                ". A real model learns its matrices."]  # fmt: skip
    described = MODELS[name][1].split(":")[0] if name in MODELS else name
    title, _, what = described.partition(", ")
    # a word with a digit in the description ("4-bit") is a name, never a loose number
    words = re.split(r"(\S*\d\S*)", f", {what or 'a trained model'}: ")
    named: list[Part] = [{"name": w} if i % 2 else w for i, w in enumerate(words) if w]
    return [{"name": title}, *named, *stack, "."]


def _model(example: WorkedExample) -> dict[str, Any]:
    name = example.spec.model
    config = load_model(name).config
    return {
        "name": name,
        "kind": config.kind,
        "line": model_line(example),
        "layers": len(example.record.layers),
        "heads": config.n_heads,
        "d_head": config.d_head,
        "features": list(config.head_features[0]) if config.head_features else [],
    }


def token_roles(tokens: TokenizedSentence) -> list[str]:
    """What each token is to a reader: ``word``, ``piece`` (a word's later piece),
    ``start``/``end`` (the model's own [CLS]/[SEP]) or ``punctuation``.

    Examples
    --------
    >>> t = TokenizedSentence("floods.", ("[CLS]", "flood", "##s", ".", "[SEP]"), ("floods",),
    ...                       (None, 0, 0, None, None))
    >>> token_roles(t)
    ['start', 'word', 'piece', 'end', 'end']
    """
    start, end, _ = measure_roles(tokens)
    roles = []
    for i, word in enumerate(tokens.word_of):
        if word is not None:
            roles.append("word" if tokens.tokens_of(word)[0] == i else "piece")
        else:
            roles.append("start" if i in start else "end" if i in end else "punctuation")
    return roles


def _heads(cards: Sequence[HeadCard]) -> list[dict[str, Any]]:
    return [
        {"layer": c.layer, "head": c.head, "label": c.label, "source": c.source,
         "index": list(c.index), "weights": _plain(c.weights, HEAD_DECIMALS)}
        for c in cards
    ]  # fmt: skip


def page_data(
    example: WorkedExample,
    ledger: NumbersLedger,
    *,
    title: str,
) -> dict[str, Any]:
    """Everything the page's script reads, as plain JSON-ready data.

    ``shown`` maps each source of the ledger's ``explorer`` entries to its text; ``story``
    holds the head the video follows (:func:`explainer.outputs.explore.numbers.story_head`): its q,
    k and v, its card in ``heads`` and its name, counted from 1.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> from explainer.outputs.explore.numbers import explorer_ledger
    >>> ex = worked_example()
    >>> data = page_data(ex, explorer_ledger(ex), title="Explore")
    >>> data["tokens"][data["focus"]], data["shown"]["weights[2, 1]"], data["model"]["features"]
    ('sat', '0.35', ['agent', 'place', 'thing', 'quality'])
    >>> data["story"]["card"], data["story"]["name"]
    (0, 'layer 1 · head 1')
    """
    if example.kind == "decoder":
        return _decoder_data(example, ledger, title=title)
    cards = example_cards(example)
    experiment = experiment_for(example)
    tokens = example.record.tokens
    head = story_head(example)
    card = next(k for k, c in enumerate(cards) if (c.layer, c.head) == (head.layer, head.head))
    return {
        **_prompt_data(example, ledger, title=title),
        "roles": token_roles(tokens),
        "focus": example.focus_index,
        "names": story_names(example).to_dict(),
        "story": {
            "q": _plain(head.q),
            "k": _plain(head.k),
            "v": _plain(head.v),
            "label": cards[card].label,
            "card": card,  # the head the video follows: the page opens on it
            "name": head.name,
        },
        "heads": _heads(cards),
        "experiment": None
        if experiment is None
        else {
            "tokens": list(experiment.tokens),
            "weights": experiment.weights,
            "outputs": experiment.outputs,
        },
        "quiz": [question.to_dict() for question in quiz_for(example)],
        "temperatures": list(TEMPERATURES),
        "views": [{"id": view.id, "title": view.title} for view in VIEWS],
    }


def _decoder_data(example: WorkedExample, ledger: NumbersLedger, *, title: str) -> dict[str, Any]:
    """A decoder's page: the prompt, the model, and the Next word view's data
    (:func:`explainer.outputs.explore.next_word.next_word_data`) under ``next``."""
    return {
        **_prompt_data(example, ledger, title=title),
        "next": next_word_data(example),
        "views": [{"id": view.id, "title": view.title} for view in DECODER_VIEWS],
    }


def _prompt_data(example: WorkedExample, ledger: NumbersLedger, *, title: str) -> dict[str, Any]:
    """What every page holds: the title, the sentence, the model, its tokens and the numbers
    it shows (``shown``: the explorer's ledger entries by source)."""
    tokens = example.record.tokens
    return {
        "title": title,
        "sentence": example.sentence,
        "model": _model(example),
        "tokens": list(tokens.tokens),
        "words": list(tokens.words),
        "word_of": list(tokens.word_of),
        "shown": {e.source: e.shown for e in ledger.entries if e.scene == EXPLORER_SCENE},
    }


def _json_for_script(data: dict[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` element early: every ``<`` escaped."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def explorer_html(
    example: WorkedExample,
    ledger: NumbersLedger,
    *,
    title: str = "Explore attention",
) -> str:
    """The explorer page of ``example``, showing ``ledger``'s ``explorer`` texts.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> from explainer.outputs.explore.numbers import explorer_ledger
    >>> ex = worked_example()
    >>> page = explorer_html(ex, explorer_ledger(ex))
    >>> page.startswith("<!doctype html>"), "http" in page.replace("http-equiv", "")
    (True, False)
    """
    # the files static_paths() names, which the render's up-to-date key covers
    template, style = (path.read_text(encoding="utf-8") for path in _static_files())
    parts = {
        "title": escape(f"{title}: {example.sentence}"),
        "palette": css_variables(),
        "style": style,
        "script": explorer_script(
            DECODER_SCRIPT_FILES if example.kind == "decoder" else SCRIPT_FILES
        ),
        "data": _json_for_script(page_data(example, ledger, title=title)),
    }
    # one pass: the inserted stylesheet, script and data are never scanned for marks
    return _MARK.sub(lambda m: parts[m.group(1)], template)
