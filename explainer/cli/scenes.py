"""``explainer scenes``: the script's scenes as a table, with their parameters and timing."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from explainer.cli.boundary import friendly_errors, load, stdout
from explainer.cli.options import ScriptArg
from explainer.core.quality import Quality
from explainer.plan.script import DEFAULT_SCRIPT, Script
from explainer.plan.timeline import build_timeline

__all__ = ["scenes"]

_COLUMNS = (
    ("#", "right"),
    ("id", "left"),
    ("chapter", "left"),
    ("class", "left"),
    ("params", "left"),
    ("beats", "right"),
    ("seconds (est.)", "right"),
)


@friendly_errors
def scenes(script: ScriptArg = DEFAULT_SCRIPT) -> None:
    """List the scenes: id, chapter title, parameters, beats and estimated seconds.

    Parameters are the ones each scene class declares, with the script's values (set in
    the scene's ``[scene.params]`` table) or their defaults.

    Example: explainer scenes scripts/attention.toml
    """
    stdout.print(scene_table(load(script), script))


def scene_table(loaded: Script, path: Path) -> Table:
    """One row per scene of ``loaded`` (read from ``path``), then the total.

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> table = scene_table(load_script(DEFAULT_SCRIPT), DEFAULT_SCRIPT)
    >>> table.columns[1].header, table.row_count == len(load_script().scenes) + 1
    ('id', True)
    """
    timeline = build_timeline(loaded, Quality.low.fps)
    table = Table(title=f"{loaded.settings.title} ({path})")
    for column, justify in _COLUMNS:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for timing in timeline.scenes:
        params = ", ".join(f"{k}={_param_text(v)}" for k, v in timing.plan.params.items())
        table.add_row(
            str(timing.chapter), timing.id, timing.title, timing.class_name, params or "-",
            str(len(timing.beats)), f"{timing.duration:.1f}",
        )  # fmt: skip
    table.add_section()
    table.add_row("", "", "total", "", "", str(len(timeline.beats())), f"{timeline.duration:.1f}")
    return table


def _param_text(value: object) -> str:
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_param_text(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else repr(value)
