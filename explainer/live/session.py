"""A watch session: the real render (an ``explainer render`` process), the files it
watches (with ``watchfiles``), and the preview page served while it runs.

Each render is a process of its own, so a save of a scene module or of ``attention/``
renders with the code as it is now on disk, and a failed render cannot leave this process
in a half state. The render validates the script first and commits its outputs only when
everything succeeded (:mod:`explainer.core.staging`), so a bad edit leaves the last good
video in place; its ``error:`` line is shown in the terminal and on the page.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from explainer.core.cache import write_atomic
from explainer.core.staging import sigterm_as_interrupt
from explainer.live.loop import watch_loop
from explainer.live.server import serve_folder
from explainer.live.status import PreviewBoard, RenderOutcome
from scenes.catalogue import CHAPTERS
from scenes.scripts import PROJECT_ROOT

__all__ = [
    "PAGE_FILE",
    "RenderCommand",
    "WatchedFiles",
    "explainer_command",
    "run_watch",
    "watch_session",
    "write_page",
]

PAGE_FILE = "preview.html"
STOP_SECONDS = 30  # how long an interrupted render may take to remove its files


@dataclass(frozen=True)
class RenderCommand:
    """A render command (``explainer render ...``: :func:`explainer_command`) run in a
    process of its own, as one :class:`RenderOutcome`: its ``error:`` line if it failed,
    its ``warning:`` lines either way.

    Its own session, so a Ctrl-C reaches it once, from here: this process forwards the
    interrupt and waits until the render has removed its files (killed only after
    :data:`STOP_SECONDS`), then re-raises it.

    Examples
    --------
    >>> RenderCommand(explainer_command(["--version"]))().ok
    True
    >>> RenderCommand(("sh", "-c", "echo 'error: tiny.toml:3: bad' >&2; exit 1"))().error
    'tiny.toml:3: bad'
    """

    command: tuple[str, ...]

    def __call__(self) -> RenderOutcome:
        started = time.perf_counter()
        child = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            _, err = child.communicate()
        except BaseException:
            stop_child(child)
            raise
        lines = [line.strip() for line in err.splitlines() if line.strip()]
        errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
        messages = tuple(line for line in lines if line.startswith("warning: "))
        seconds = time.perf_counter() - started
        if child.returncode == 0:
            return RenderOutcome(True, None, messages, seconds)
        error = errors[-1] if errors else (lines[-1] if lines else f"exit {child.returncode}")
        return RenderOutcome(False, error, messages, seconds)


def explainer_command(argv: Sequence[str]) -> tuple[str, ...]:
    """``python -m explainer <argv>`` with this interpreter."""
    return (sys.executable, "-m", "explainer", *argv)


def stop_child(child: subprocess.Popen[str]) -> None:
    """Interrupt ``child`` as Ctrl-C would and wait for it; kill it if it will not stop."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@dataclass
class WatchedFiles:
    """The files whose saves re-render: the script, its chapters' modules, the scenes' kit
    and ``attention/`` (Python files). The script is re-read after every render, so a
    chapter added to it is watched from then on.

    Examples
    --------
    >>> files = WatchedFiles(PROJECT_ROOT / "tests/data/tiny.toml")
    >>> sorted(p.name for p in files.modules)
    ['s1_tokens.py', 's5_blend.py']
    >>> files(None, str(PROJECT_ROOT / "attention/core.py")), files(None, "/tmp/x.py")
    (True, False)
    """

    script: Path
    modules: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.script = self.script.resolve()
        self.refresh()

    @property
    def folders(self) -> list[Path]:
        """The folders to watch (a file's folder: editors often save by replacing the file)."""
        return [self.script.parent, PROJECT_ROOT / "scenes", PROJECT_ROOT / "attention"]

    def refresh(self) -> None:
        """Read the chapters the script uses again (a script that does not parse keeps the
        modules it had)."""
        try:
            tables = tomllib.loads(self.script.read_text(encoding="utf-8")).get("scene", [])
        except (OSError, ValueError):
            return
        classes = {t.get("class") for t in tables if isinstance(t, dict)}
        self.modules = {
            PROJECT_ROOT / (CHAPTERS[name].module.replace(".", "/") + ".py")
            for name in classes
            if isinstance(name, str) and name in CHAPTERS
        }

    def __call__(self, change: object, path: str) -> bool:
        """``watchfiles``' filter: is ``path`` one of the watched files?"""
        where = Path(path)
        if where.suffix == ".py" and any(
            where.is_relative_to(PROJECT_ROOT / part) for part in ("attention", "scenes/kit")
        ):
            return True
        return where == self.script or where in self.modules or where.name == "narration.py"


def write_page(out_dir: Path) -> Path:
    """Put the preview page into ``out_dir`` (atomically); return its path."""
    page = resources.files("explainer.live").joinpath("static", PAGE_FILE).read_bytes()
    target = out_dir / PAGE_FILE
    write_atomic(target, page)
    return target


@contextmanager
def saved_batches(files: WatchedFiles) -> Iterator[Iterator[list[str]]]:
    """Batches of saved paths from ``watchfiles`` (its Rust notifier, no polling here),
    collected from now on in a thread: a save during a render is the next batch (saves
    queued meanwhile are merged into it).
    """
    import watchfiles  # the watch command alone needs it

    queued: queue.Queue[set[str]] = queue.Queue()
    stop = threading.Event()

    def pump() -> None:
        for batch in watchfiles.watch(
            *files.folders, watch_filter=files, stop_event=stop, raise_interrupt=False
        ):
            queued.put({path for _, path in batch})

    def batches() -> Iterator[list[str]]:
        while True:
            try:
                saved = queued.get(timeout=0.2)  # wakes up so Ctrl-C is handled at once
            except queue.Empty:
                continue
            while not queued.empty():
                saved |= queued.get_nowait()
            yield sorted(saved)
            files.refresh()

    thread = threading.Thread(target=pump, name="watch-files", daemon=True)
    thread.start()
    try:
        yield batches()
    finally:
        stop.set()
        thread.join(timeout=5)


def run_watch(
    script: Path,
    out_dir: Path,
    render_argv: Sequence[str],
    *,
    port: int = 0,
    echo: Callable[[str], None] = print,
) -> int:
    """Render ``script`` to ``out_dir`` now and after every save until Ctrl-C; serve the
    preview page meanwhile. Returns how many renders landed.
    """
    return watch_session(
        script, out_dir, RenderCommand(explainer_command(render_argv)), port=port, echo=echo
    )


def watch_session(
    script: Path,
    out_dir: Path,
    render: Callable[[], RenderOutcome],
    *,
    port: int = 0,
    echo: Callable[[str], None] = print,
) -> int:
    """:func:`run_watch` with the render given: the page, the server, the loop over saves.

    Ctrl-C or SIGTERM raises KeyboardInterrupt here once the render in flight has stopped
    and the status says the watch stopped (a SIGINT its parent told it to ignore, as a
    shell does for a background job, still ends it).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    board = PreviewBoard(out_dir, f"{script.stem}.mp4")
    write_page(out_dir)
    board.write()
    files = WatchedFiles(script)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with sigterm_as_interrupt(), serve_folder(out_dir, port) as url, saved_batches(files) as saves:
        echo(f"preview: {url}{PAGE_FILE} (Ctrl-C to stop)")
        return watch_loop(render, saves, board, echo)
