"""``explainer explore``: the explorer of one example, written without rendering the video.

Writes ``explorer.html`` and ``explorer-numbers.json`` (the page's numbers in
``numbers.json``'s format, scene ``explorer``) into the output folder in one atomic
commit. The numbers are verified against the independent reference first; a render
writes the same page beside its video (:data:`explainer.outputs.assemble.OUTPUTS`), its numbers
inside the render's ``numbers.json``. A page or numbers file explainer did not write is
never replaced (without ``--force``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from attention.numbers.ledger import NumbersLedger
from attention.numbers.verify import verify
from attention.spec import ExampleSpec
from attention.worked.example import example_for
from explainer.core.cache import write_atomic
from explainer.core.errors import ExplainerError, first_of
from explainer.core.staging import staged_outputs
from explainer.outputs.explore.numbers import explorer_ledger
from explainer.outputs.explore.page import explorer_html

__all__ = [
    "EXPLORER_NUMBERS",
    "EXPLORER_PAGE",
    "ExplorerReport",
    "checked_explorer_ledger",
    "make_explorer",
    "older_explorer",
]

EXPLORER_PAGE = "explorer.html"
EXPLORER_NUMBERS = "explorer-numbers.json"


@dataclass(frozen=True)
class ExplorerReport:
    """What :func:`make_explorer` wrote: the page, its numbers, sizes and time."""

    page: Path
    numbers: Path
    entries: int
    bytes: int
    seconds: float


def checked_explorer_ledger(spec: ExampleSpec) -> NumbersLedger:
    """The explorer's ledger for ``spec``, every number verified; ExplainerError otherwise."""
    example = example_for(spec)
    ledger = explorer_ledger(example)
    problems = verify(ledger, example)
    if problems:
        raise ExplainerError(f"an explorer number does not verify: {first_of(problems)}")
    return ledger


def make_explorer(
    spec: ExampleSpec, out_dir: Path, *, title: str = "Explore attention", force: bool = False
) -> ExplorerReport:
    """Write ``explorer.html`` and ``explorer-numbers.json`` for ``spec`` into ``out_dir``.

    A file of either name that explainer did not write stops it (one line), unless
    ``force``.

    Examples
    --------
    >>> import tempfile
    >>> report = make_explorer(ExampleSpec("The cat sat on the mat"), Path(tempfile.mkdtemp()))
    >>> report.page.name, report.bytes < 1_000_000
    ('explorer.html', True)
    """
    started = time.perf_counter()
    example = example_for(spec)
    ledger = checked_explorer_ledger(spec)
    page = explorer_html(example, ledger, title=title).encode("utf-8")
    numbers = ledger.to_json(example.spec).encode("utf-8")
    with staged_outputs(
        Path(out_dir), create_parents=True, force=force, older=older_explorer
    ) as staging:
        write_atomic(staging.path / EXPLORER_PAGE, page)
        write_atomic(staging.path / EXPLORER_NUMBERS, numbers)
        staging.commit(by="explorer")
        final = staging.out_dir
    return ExplorerReport(
        page=final / EXPLORER_PAGE,
        numbers=final / EXPLORER_NUMBERS,
        entries=len(ledger.entries),
        bytes=len(page),
        seconds=time.perf_counter() - started,
    )


def older_explorer(folder: Path) -> list[str]:
    """The page and numbers an older ``explainer explore`` wrote into ``folder``, which kept
    no record: its numbers file (only explore writes one) is the trace of both.

    Examples
    --------
    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / EXPLORER_PAGE).write_text("<html>"); older_explorer(folder)
    []
    """
    try:
        numbers = json.loads((folder / EXPLORER_NUMBERS).read_text(encoding="utf-8"))
        scenes = {entry["scene"] for entry in numbers["entries"]}
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [EXPLORER_PAGE, EXPLORER_NUMBERS] if scenes == {"explorer"} else []
