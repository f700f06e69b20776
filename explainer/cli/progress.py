"""Progress on stderr while rendering: rich bars, or with ``--quiet`` only the warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from explainer.cli.boundary import stderr

if TYPE_CHECKING:
    from explainer.pipeline.conductor import ProgressEvent

__all__ = ["batch_progress", "render_progress"]

_LABELS = {"voices": "voices", "scenes": "scenes", "assemble": "assembly", "lecture": "lecture"}


class _RenderProgress:
    """Rich progress bars for synthesis, each scene's render, and assembly."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if event.status == "warning":
            _warn(event)
            return
        if event.status == "start":
            self.tasks[event.stage] = self.progress.add_task(
                _LABELS[event.stage], total=event.total or 1
            )
            return
        if event.stage == "scenes" and event.status == "started":
            self.tasks[f"scene:{event.item}"] = self.progress.add_task(
                f"  {event.item}", total=None
            )
            return
        if event.stage == "scenes":
            own = self.tasks.pop(f"scene:{event.item}", None)
            if own is not None:
                self.progress.remove_task(own)
        task = self.tasks.get(event.stage)
        if task is not None:
            self.progress.advance(task)


def _warn(event: ProgressEvent) -> None:
    if event.status == "warning":
        stderr.print(f"warning: {event.item}", markup=False, highlight=False)


@contextmanager
def render_progress(quiet: bool) -> Iterator[Callable[[ProgressEvent], None]]:
    """Progress bars on stderr; with ``quiet``, only the warnings.

    Examples
    --------
    >>> with render_progress(quiet=True) as on_progress:
    ...     on_progress  # doctest: +ELLIPSIS
    <function _warn at ...>
    """
    if quiet:
        yield _warn
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as progress:
        yield _RenderProgress(progress)


@contextmanager
def batch_progress(quiet: bool) -> Iterator[Callable[[Any], None]]:
    """One progress bar for the whole batch (scenes and commits of every variant)."""
    if quiet:
        yield lambda event: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("batch", total=None)
        ended = {"ok": 0, "failed": 0}

        def on_event(event: Any) -> None:
            if event.kind == "start":
                progress.update(task, total=event.total)
            elif event.kind == "advance":
                progress.advance(task, event.steps)
            else:
                ended["ok" if event.status == "ok" else "failed"] += 1
                failed = f", {ended['failed']} failed" if ended["failed"] else ""
                progress.update(task, description=f"batch: {ended['ok']} done{failed}")

        yield on_event
