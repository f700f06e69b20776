"""The preview's status file: what the page polls to know a render landed or failed.

``<out>/preview-status.json`` is replaced atomically on every change, so the page never
reads half a file::

    {"state": "rendering" | "ready" | "failed" | "stopped",
     "generation": 3,            # counts the renders that landed; the page reloads on a new one
     "video": "attention.mp4",  # relative to the page
     "changed": {"scene": "scores", "beat": "scale", "start": 41.2} | null,
     "error": "one line" | null, # the last render's failure; the video is the last good one
     "messages": ["warning: ..."],
     "seconds": 2.4,             # the last render's wall time
     "saved": ["scripts/attention.toml"], "landed_at": 1733590000.1}
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explainer.core.cache import write_atomic
from explainer.live.changes import ChangedBeat

__all__ = ["STATUS_FILE", "PreviewBoard", "RenderOutcome"]

STATUS_FILE = "preview-status.json"


@dataclass(frozen=True)
class RenderOutcome:
    """One render's result: whether it landed, its error line and its other messages.

    Examples
    --------
    >>> RenderOutcome(False, error="bad beat").ok
    False
    """

    ok: bool
    error: str | None = None
    messages: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class PreviewBoard:
    """The status a watch session shows, written to ``<out_dir>/preview-status.json``.

    Examples
    --------
    >>> import tempfile
    >>> board = PreviewBoard(Path(tempfile.mkdtemp()), "tiny.mp4")
    >>> board.landed(RenderOutcome(True), None)
    >>> board.failed(RenderOutcome(False, error="tiny.toml:3: unknown key"))
    >>> status = board.read()
    >>> status["generation"], status["state"], status["error"]
    (1, 'failed', 'tiny.toml:3: unknown key')
    """

    out_dir: Path
    video: str
    generation: int = 0
    state: str = "rendering"
    changed: ChangedBeat | None = None
    error: str | None = None
    messages: tuple[str, ...] = ()
    seconds: float = 0.0
    saved: tuple[str, ...] = ()
    landed_at: float | None = None

    @property
    def path(self) -> Path:
        """The status file."""
        return self.out_dir / STATUS_FILE

    def rendering(self, saved: Sequence[str] = ()) -> None:
        """A render started (after the saves of ``saved``, if any)."""
        self.state, self.saved = "rendering", tuple(saved)
        self.write()

    def landed(self, outcome: RenderOutcome, changed: ChangedBeat | None) -> None:
        """A render committed a new video: the page reloads and plays from ``changed``."""
        self.generation += 1
        self.state, self.changed, self.error = "ready", changed, None
        self.messages, self.seconds, self.landed_at = outcome.messages, outcome.seconds, time.time()
        self.write()

    def failed(self, outcome: RenderOutcome) -> None:
        """A render failed: its error shows; the video stays the last good one."""
        self.state, self.error = "failed", outcome.error or "the render failed"
        self.messages, self.seconds = outcome.messages, outcome.seconds
        self.write()

    def stopped(self) -> None:
        """The watch ended: the page says so and stops polling."""
        self.state = "stopped"
        self.write()

    def to_dict(self) -> dict[str, Any]:
        """The status file's content."""
        return {
            "state": self.state,
            "generation": self.generation,
            "video": self.video,
            "changed": None if self.changed is None else self.changed.to_dict(),
            "error": self.error,
            "messages": list(self.messages),
            "seconds": round(self.seconds, 3),
            "saved": list(self.saved),
            "landed_at": self.landed_at,
        }

    def write(self) -> None:
        """Replace the status file atomically."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(self.to_dict(), ensure_ascii=False).encode())

    def read(self) -> dict[str, Any]:
        """The status file as the page reads it."""
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        return data
