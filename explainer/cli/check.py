"""``explainer check``: every number, layout and the voice of a script, nothing rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from explainer.cli.boundary import friendly_errors, load, stdout
from explainer.cli.options import DEFAULT_CACHE, FocusOpt, ModelOpt, ScriptArg, SentenceOpt
from explainer.core.errors import ExplainerError
from explainer.pipeline.script_check import check_script
from explainer.plan.script import DEFAULT_SCRIPT

__all__ = ["check"]

LedgerCacheOpt = Annotated[
    Path, typer.Option("--cache", help="Where scenes' ledgers are kept between checks.")
]


@friendly_errors
def check(
    script: ScriptArg = DEFAULT_SCRIPT,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    cache: LedgerCacheOpt = DEFAULT_CACHE,
) -> None:
    """Validate the script, verify every number and check every layout; render nothing.

    Loads and validates the script, fills the narration's placeholders, collects the
    numbers each scene displays and its layout at the end of each beat (kept from the last
    check or render when the scene and the example are unchanged, else by building the
    scene in Manim's dry-run mode), and recomputes the numbers with the independent
    reference implementation. Exits non-zero on any problem.

    Example: explainer check --sentence "A dog chased the ball"
    """
    found = check_script(load(script, sentence, focus, model=model), cache / "ledgers")
    for problem in found.problems:
        typer.echo(problem, err=True)
    if found.problems:
        raise ExplainerError(
            f"{script}: {len(found.problems)} problem(s) found (listed above); "
            "fix them and run check again"
        )
    stdout.print(
        f"ok: {script}: {found.scenes} scenes, {found.beats} beats, "
        f"{found.on_screen} numbers on screen and {found.explored} in the "
        "explorer verified against the reference, "
        f"{found.spoken} spoken numbers each shown by its scene"
    )
