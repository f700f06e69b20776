"""The explorer's quiz: a few questions whose answers are computed from the sentence's numbers.

Each question's prompt, options and explanation are lists of parts: plain text, a token
(``{"token": i}``) or a number of the ledger (``{"num": source}``), so the page shows
the ledger's text for every number and never types one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from attention.numbers.sources import call_source, cell_source
from attention.worked.example import WorkedExample
from explainer.outputs.explore.numbers import TEMPERATURES, StoryNames, story_head, story_names

__all__ = ["Part", "Question", "quiz_for"]

Part = str | dict[str, Any]
_TIE = 1e-12  # weights this close are the same weight (repeated words have equal rows)


@dataclass(frozen=True)
class Question:
    """One question: prompt, options (each a list of parts), the right option, why."""

    id: str
    prompt: list[Part]
    options: list[list[Part]]
    answer: int
    why: list[Part]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the page."""
        return {"id": self.id, "prompt": self.prompt, "options": self.options,
                "answer": self.answer, "why": self.why}  # fmt: skip


def _tok(i: int) -> dict[str, int]:
    return {"token": i}


def _num(source: str, role: str = "") -> dict[str, str]:
    """A number of the ledger; ``role`` "w" shows it in the weights' colour."""
    return {"num": source, "role": role}


def _weight(source: str) -> dict[str, str]:
    return _num(source, "w")


def _top(example: WorkedExample) -> list[int]:
    """The tokens the focus weighs most in the story head (several when their weights tie)."""
    row = story_head(example).weights[example.focus_index]
    return [j for j in range(example.n_tokens) if row[j] >= row.max() - _TIE]


def _looks_at_most(ex: WorkedExample, names: StoryNames) -> Question:
    f, top = ex.focus_index, _top(ex)
    prompt: list[Part] = ["Which word does ", _tok(f), " look at most?"]
    if names.index:  # a trained model: the video's head, over tokens that are not all words
        prompt = ["In ", {"name": story_head(ex).name}, ", the head the video follows, which "
                  "token does ", _tok(f), " look at most?"]  # fmt: skip
    if len(top) == ex.n_tokens:  # a uniform row: no word wins
        options: list[list[Part]] = [[_tok(0)], [_tok(1)], ["all of them equally"]]
        why: list[Part] = [_tok(f), " asks for nothing in particular: each word gets ",
                           _weight(names.cell("weights", f, 0)), "."]  # fmt: skip
        return Question("most", prompt, options, 2, why)
    others = [j for j in range(ex.n_tokens) if j not in top][:3]
    order = sorted([top[0], *others])
    options = [[_tok(j)] for j in order]
    why = [_tok(top[0]), " gets ", _weight(names.cell("weights", f, top[0])), " of ", _tok(f),
           "'s attention, more than any other token."]  # fmt: skip
    if len(top) > 1:
        why = [*why[:-1], ", as much as ", _tok(top[1]), "."]
    return Question("most", prompt, options, order.index(top[0]), why)


def _adds_up_to(ex: WorkedExample, names: StoryNames) -> Question:
    f = ex.focus_index
    prompt: list[Part] = ["What do ", _tok(f), "'s weights add up to?"]
    total: Part = _weight(f"sum({names.cell('weights', f)})")
    options: list[list[Part]] = [
        [total],
        [_num("n_tokens"), ", the number of tokens"],
        ["it depends on the sentence"],
    ]
    why: list[Part] = ["Softmax makes every row a share of one budget: the weights always add "
                       "up to ", total, "."]  # fmt: skip
    return Question("sum", prompt, options, 0, why)


def _cold(ex: WorkedExample, names: StoryNames) -> Question:
    f, top = ex.focus_index, _top(ex)
    low = TEMPERATURES[0]
    prompt: list[Part] = ["As the temperature T falls toward zero, what happens to ", _tok(f),
                          "'s weights?"]  # fmt: skip
    scores = story_head(ex).scaled_scores[f]
    if np.ptp(scores) < _TIE:
        options: list[list[Part]] = [["nothing: they stay equal"], ["one word takes all"]]
        why: list[Part] = ["Every score in the row is the same, so dividing them by T changes "
                           "nothing."]  # fmt: skip
        return Question("cold", prompt, options, 0, why)
    winner: list[Part] = [_tok(top[0])] if len(top) == 1 else [_tok(top[0]), " and ", _tok(top[1])]
    options = [["all the weight goes to ", *winner], ["they become equal"], ["they stay the same"]]
    why = ["Dividing the scores by a small T stretches their gaps: at T = ",
           _num(call_source("temperature", low)), ", ", _tok(top[0]), " already gets ",
           _weight(cell_source(call_source("tempered_weights", low), f, top[0])), "."]  # fmt: skip
    if not names.tempered:  # the reference checks tempered rows for the designed model only
        why = ["Dividing the scores by a small T stretches their gaps, until the top score "
               "takes almost all the weight: drag the temperature to see it."]  # fmt: skip
    return Question("cold", prompt, options, 0, why)


def _hot(ex: WorkedExample, names: StoryNames) -> Question:
    f, top = ex.focus_index, _top(ex)
    high = TEMPERATURES[-1]
    prompt: list[Part] = ["And as T grows large?"]
    options: list[list[Part]] = [
        ["the top word takes all"],
        ["they spread out toward equal shares"],
        ["they stay the same"],
    ]
    why: list[Part] = ["A large T shrinks the gaps between scores: at T = ",
                       _num(call_source("temperature", high)), ", ", _tok(top[0]), " gets ",
                       _weight(cell_source(call_source("tempered_weights", high), f, top[0])),
                       ", and in the limit each of the ", _num("n_tokens"),
                       " tokens gets the same share."]  # fmt: skip
    if not names.tempered:
        why = ["A large T shrinks the gaps between scores, and in the limit each of the ",
               _num("n_tokens"), " tokens gets the same share."]  # fmt: skip
    if np.ptp(story_head(ex).scaled_scores[f]) < _TIE:
        return Question("hot", prompt, options, 2, ["The row is already even; T changes nothing."])
    return Question("hot", prompt, options, 1, why)


def _masked_first(ex: WorkedExample, names: StoryNames) -> Question:
    prompt: list[Part] = ["With the causal mask on, which words may the first token, ", _tok(0),
                          ", attend to?"]  # fmt: skip
    options: list[list[Part]] = [["only itself"], ["every word"], ["none"]]
    first = cell_source("causal_weights", 0, 0)
    why: list[Part] = ["Nothing comes before it, so all of its weight, ", _weight(first),
                       ", stays on itself."]  # fmt: skip
    if names.causal is None:
        why = ["Nothing comes before it, so all of its weight stays on itself."]
    return Question("mask", prompt, options, 0, why)


def quiz_for(example: WorkedExample) -> list[Question]:
    """Five questions on ``example``, each answer computed from its numbers.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> first = quiz_for(worked_example())[0]
    >>> first.options[first.answer], first.why[:3]
    ([{'token': 1}], [{'token': 1}, ' gets ', {'num': 'weights[2, 1]', 'role': 'w'}])
    """
    names = story_names(example)
    return [
        _looks_at_most(example, names),
        _adds_up_to(example, names),
        _cold(example, names),
        _hot(example, names),
        _masked_first(example, names),
    ]
