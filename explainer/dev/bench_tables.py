"""How ``make bench`` shows what it measured: each :class:`Measure` a row of the measures
table, value next to target, and every run's seconds per pipeline stage.

Examples
--------
>>> result = {"cores": 2, "jobs": 2, "measures": [
...     {"name": "no-op re-render", "value": 1.2, "unit": "s", "target": "< 5 s", "passed": True,
...      "note": ""}]}
>>> bench_table(result).row_count
1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table

__all__ = ["Measure", "bench_table", "stages_table"]


@dataclass
class Measure:
    """One row of the bench table: a measured value, its target, and whether it is met.

    Examples
    --------
    >>> Measure("no-op re-render", 1.2, "s", "< 5 s", True).row()[1]
    '1.20 s'
    """

    name: str
    value: float
    unit: str
    target: str
    passed: bool
    note: str = ""

    def row(self) -> tuple[str, str, str, str, str]:
        """The table cells: measure, value, target, pass/fail, note."""
        verdict = "[green]pass[/green]" if self.passed else "[bold red]FAIL[/bold red]"
        return (self.name, f"{self.value:.2f} {self.unit}".strip(), self.target, verdict, self.note)


def bench_table(result: dict[str, Any]) -> Table:
    """The rich table of :func:`run_bench`'s measures: value next to target, pass/fail."""
    table = Table(title=f"make bench ({result['cores']} cores, jobs={result['jobs']})")
    for column in ("measure", "value", "target", "result", "note"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for measure in result["measures"]:
        table.add_row(*Measure(**measure).row())
    return table


def stages_table(result: dict[str, Any]) -> Table:
    """Seconds per pipeline stage for every run of the bench: where the time goes."""
    stages = ("voices", "scenes", "assemble", "commit", "finish", "wall")
    table = Table(title="seconds per stage")
    table.add_column("run")
    for stage in stages:
        table.add_column(stage, justify="right")
    table.add_column("scenes rendered", justify="right")
    for name, run in result["runs"].items():
        if "stages_s" not in run:  # the batch's totals are in the measures table
            continue
        seconds = [f"{run['stages_s'].get(stage, 0.0):.1f}" for stage in stages]
        table.add_row(name, *seconds, str(len(run["rendered"])))
    return table
