"""``explainer numbers``: the worked example's numbers as tables, or as JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from attention.spec import DEFAULT_MODEL
from attention.worked.example import DEFAULT_SENTENCE, worked_example
from explainer.cli.boundary import friendly_errors, stdout
from explainer.cli.options import FocusOpt, ModelOpt, SentenceOpt
from explainer.outputs.numbers_table import example_json, print_numbers

__all__ = ["numbers"]

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the worked example as JSON, for scripts.")
]


@friendly_errors
def numbers(
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the worked example: for the designed model each token's embedding source, X,
    Q, K, V, scores and weights; for a trained model every head with its measured pattern.

    Example: explainer numbers --model minilm --sentence "The river bank flooded"
    """
    text = sentence if sentence is not None else DEFAULT_SENTENCE
    example = worked_example(text, focus, model or DEFAULT_MODEL)
    if as_json:
        typer.echo(example_json(example))
    else:
        print_numbers(example, stdout)
