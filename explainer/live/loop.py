"""The watch loop: render once, then once per batch of saves, and keep the preview's status.

The loop knows nothing of files or processes: it takes the render as a callable and the
saves as an iterable of batches (``watchfiles.watch`` in a session, a list in the tests),
so it is the same code either way. A render that fails leaves the last good video in place
(renders commit their outputs only when everything succeeded) and shows its error line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from explainer.live.changes import first_changed_beat
from explainer.live.status import PreviewBoard, RenderOutcome

__all__ = ["Render", "read_timeline", "watch_loop"]

Render = Callable[[Sequence[str]], RenderOutcome]  # given the paths saved since the last one
Saves = Iterable[Iterable[str]]  # each batch: the paths saved together


def read_timeline(out_dir: Path) -> dict[str, Any] | None:
    """``<out_dir>/timeline.json`` as data, or None if there is none (yet) or it is unreadable.

    Examples
    --------
    >>> import tempfile
    >>> read_timeline(Path(tempfile.mkdtemp())) is None
    True
    """
    try:
        data: dict[str, Any] = json.loads((out_dir / "timeline.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def render_and_show(render: Render, board: PreviewBoard, saved: Iterable[str] = ()) -> bool:
    """One render: the status says rendering, then landed (from the first changed beat) or
    failed (with its error line). True if it landed.
    """
    before = read_timeline(board.out_dir)
    board.rendering(sorted(saved))
    outcome = render(sorted(saved))
    if not outcome.ok:
        board.failed(outcome)
        return False
    after = read_timeline(board.out_dir)
    board.landed(outcome, None if after is None else first_changed_beat(before, after))
    return True


def watch_loop(
    render: Render,
    saves: Saves,
    board: PreviewBoard,
    echo: Callable[[str], None] = lambda line: None,
) -> int:
    """Render once, then after every batch of ``saves``; return how many renders landed.

    ``echo`` gets one line per render (its error line, or what it took). Ends when
    ``saves`` does (a KeyboardInterrupt from it or from the render propagates, after the
    status says the watch stopped).

    Examples
    --------
    >>> import tempfile
    >>> board = PreviewBoard(Path(tempfile.mkdtemp()), "v.mp4")
    >>> outcomes = iter([RenderOutcome(True), RenderOutcome(False, error="x.toml:2: bad")])
    >>> watch_loop(lambda saved: next(outcomes), [["x.toml"]], board, print)
    rendered in 0.0 s
    error: x.toml:2: bad
    1
    >>> status = board.read()
    >>> status["state"], status["generation"], status["error"]
    ('stopped', 1, 'x.toml:2: bad')
    """
    landed = 0
    try:
        batches = iter(saves)
        saved: Iterable[str] = ()
        while True:
            ok = render_and_show(render, board, saved)
            landed += ok
            echo(f"rendered in {board.seconds:.1f} s" if ok else f"error: {board.error}")
            batch = next(batches, None)
            if batch is None:
                return landed
            saved = batch
    finally:
        board.stopped()
