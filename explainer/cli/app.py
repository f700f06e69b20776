"""The ``explainer`` command line: the app, its ``--version``/``--debug`` callback, its commands.

Each command lives in its own module of :mod:`explainer.cli`; this one registers them in
the order ``explainer --help`` lists them, each with its docstring as clean paragraphs
(:func:`explainer.cli.helptext.command_help`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from explainer import __version__
from explainer.cli.batch import batch
from explainer.cli.boundary import debug as debug_state
from explainer.cli.check import check
from explainer.cli.explore import explore
from explainer.cli.helptext import command_help
from explainer.cli.numbers import numbers
from explainer.cli.render import render
from explainer.cli.scenes import scenes
from explainer.cli.slides import slides
from explainer.cli.voices import voices
from explainer.cli.watch import watch

__all__ = ["COMMANDS", "app", "main", "run"]

COMMANDS: tuple[Callable[..., Any], ...] = (
    render, watch, slides, scenes, check, voices, numbers, explore, batch,
)  # fmt: skip

app = typer.Typer(
    name="explainer",
    help=command_help(
        """Render a narrated, animated explainer of the attention mechanism, offline.

        Example: explainer render --quality low
        """
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)
for _command in COMMANDS:
    app.command(help=command_help(_command.__doc__))(_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"explainer {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    """Narrated, animated explainer videos of attention; every number verified."""
    debug_state["on"] = debug


def run() -> None:
    """Entry point for ``python -m explainer``."""
    app(prog_name="explainer")
