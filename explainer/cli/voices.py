"""``explainer voices``: which voice engines work here, and how to get the others."""

from __future__ import annotations

from rich.table import Table

from explainer.cli.boundary import friendly_errors, stdout
from explainer.voice.engines import voice_status

__all__ = ["voices"]


@friendly_errors
def voices() -> None:
    """Show which voice engines work here and how to install the missing ones.

    Example: explainer voices
    """
    table = Table(title="voice engines")
    table.add_column("engine")
    table.add_column("available")
    table.add_column("install / use")
    for name, available, hint in voice_status():
        table.add_row(name, "yes" if available else "[red]no[/red]", hint)
    stdout.print(table)
