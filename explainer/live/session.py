"""A watch session: the render (a warm render process of its own), the files it watches
(with ``watchfiles``), and the preview page served while it runs.

The renders run in :mod:`explainer.live.warm`, a process kept between saves with its scene
workers, so an edit of the script costs only its own work; a save of Python code starts a
new one, so a save of a scene module or of ``attention/`` renders with the code as it is
now on disk, and a failed render cannot leave this process in a half state. The render
validates the script first and commits its outputs only when everything succeeded
(:mod:`explainer.core.staging`), so a bad edit leaves the last good video in place; its
one line is shown in the terminal and on the page.
"""

from __future__ import annotations

import logging
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import IO

from explainer.core.cache import write_atomic
from explainer.core.staging import sigterm_as_interrupt
from explainer.live.loop import Render, watch_loop
from explainer.live.server import serve_folder
from explainer.live.status import PreviewBoard, RenderOutcome
from explainer.live.warm import RenderOptions, outcome_from_json
from scenes.catalogue import CHAPTERS
from scenes.scripts import PROJECT_ROOT

__all__ = [
    "PAGE_FILE",
    "WarmRender",
    "WatchedFiles",
    "run_watch",
    "watch_session",
    "warm_command",
    "write_page",
]

PAGE_FILE = "preview.html"
STOP_SECONDS = 30  # how long an interrupted render may take to remove its files


class WarmRender:
    """Renders in a warm process of its own (:mod:`explainer.live.warm`), one
    :class:`RenderOutcome` per call.

    The process and its scene workers stay up between renders, so a script edit costs
    only its own work. A save of Python code (a chapter, the kit, ``attention/``; or any
    module under ``code`` since the process started, watched or not) stops it first: the
    next render starts a new one with the code as it is now on disk. A process that died
    is replaced the same way, its render reported as failed with its last line.

    Its own session, so a Ctrl-C reaches it once, from here: this process forwards the
    interrupt and waits until the render has removed its files (killed only after
    :data:`STOP_SECONDS`), then re-raises it.

    Examples
    --------
    >>> answer = '{"ok": true, "error": null, "messages": [], "seconds": 0.5}'
    >>> loop = f"import sys; [print({answer!r}, flush=True) for _ in sys.stdin]"
    >>> server = (sys.executable, "-c", loop)
    >>> with WarmRender(server) as render:
    ...     render(["s.toml"]).ok, render([]).error
    (True, None)
    """

    def __init__(self, command: Sequence[str], code: Sequence[Path] = ()) -> None:
        self.command = tuple(command)
        self.code = tuple(code)  # folders of Python code the process runs
        self.child: subprocess.Popen[str] | None = None
        self.started_ns = 0  # when the process was started (the code it read is older)
        self.stderr: IO[str] | None = None  # what the process printed besides its answers
        self.last_words = ""  # the last line it printed before it ended

    def __call__(self, saved: Sequence[str] = ()) -> RenderOutcome:
        started = time.perf_counter()
        if any(path.endswith(".py") for path in saved) or self._code_changed():
            self.close()  # its imports are the old code
        child = self._running()
        try:
            assert child.stdin is not None
            assert child.stdout is not None
            child.stdin.write("render\n")
            child.stdin.flush()
            answer = child.stdout.readline()
        except BrokenPipeError:
            answer = ""
        except BaseException:
            self.close()
            raise
        try:
            # the wall time here: it includes starting a new process after a save of code
            outcome = replace(outcome_from_json(answer), seconds=time.perf_counter() - started)
        except (ValueError, KeyError, TypeError):  # it ended, or answered nonsense
            ended = _ended(child.wait() if not answer else None)
            self.close()
            ended += f": {self.last_words}" if self.last_words else ""
            return RenderOutcome(False, ended, (), time.perf_counter() - started)
        return outcome

    def _code_changed(self) -> bool:
        """Whether a module under :attr:`code` was saved since the process started: one the
        watch does not watch (the pipeline, the catalogue) is stale in it too."""
        if self.child is None:
            return False
        modules = (path for folder in self.code for path in folder.rglob("*.py"))
        return any(path.stat().st_mtime_ns > self.started_ns for path in modules)

    def _running(self) -> subprocess.Popen[str]:
        if self.child is None or self.child.poll() is not None:
            self.close()
            self.started_ns = time.time_ns()
            # open for the process's life; read and closed by close()
            self.stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
            self.child = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self.stderr, text=True, start_new_session=True,
            )  # fmt: skip
        return self.child

    def close(self) -> None:
        """Stop the process (as Ctrl-C would) and wait for it; keep its last line."""
        # forgotten first: a second Ctrl-C during the wait must not interrupt the process
        # again, mid-cleanup (it ends by itself once its files are removed)
        child, self.child = self.child, None
        if child is not None:
            stop_child(child)
        if self.stderr is not None:
            self.stderr.seek(0)
            lines = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
            self.last_words = lines[-1] if lines else ""
            self.stderr.close()
            self.stderr = None

    def __enter__(self) -> WarmRender:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _ended(code: int | None) -> str:
    """How the render process ended, in words.

    Examples
    --------
    >>> _ended(3), _ended(-9)
    ('the render process ended (exit 3)', 'the render process was killed (SIGKILL; out of memory?)')
    """
    if code is None:
        return "the render process answered something else than a render's outcome"
    if code < 0:
        name = signal.Signals(-code).name
        return f"the render process was killed ({name}{'; out of memory?' if code == -9 else ''})"
    return f"the render process ended (exit {code})"


def warm_command(options: RenderOptions) -> tuple[str, ...]:
    """``python -m explainer.live.warm <options>`` with this interpreter."""
    return (sys.executable, "-m", "explainer.live.warm", options.to_json())


def stop_child(child: subprocess.Popen[str]) -> None:
    """Interrupt ``child`` as Ctrl-C would and wait for it; kill it if it will not stop."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()


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

    # its "1 change detected" for every save: the watch prints its own line per render
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
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
    options: RenderOptions,
    *,
    port: int = 0,
    echo: Callable[[str], None] = print,
) -> int:
    """Render ``options.script`` to ``options.out`` now and after every save until Ctrl-C,
    in a warm render process; serve the preview page meanwhile. Returns how many renders
    landed.
    """
    code = [PROJECT_ROOT / package for package in ("attention", "scenes", "explainer")]
    with WarmRender(warm_command(options), code) as render:
        return watch_session(options.script, options.out, render, port=port, echo=echo)


def watch_session(
    script: Path,
    out_dir: Path,
    render: Render,
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
