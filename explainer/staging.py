"""Atomic output directories: stage everything, lock, then move files into place."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from explainer.cache import write_atomic
from explainer.errors import ExplainerError

__all__ = [
    "LOCK_NAME",
    "MARKER_NAME",
    "PARTIAL_PREFIX",
    "Staging",
    "check_out_dir",
    "staged_outputs",
    "sigterm_as_interrupt",
    "os_error_message",
]

LOCK_NAME = ".lock"
MARKER_NAME = ".render.json"  # the key the outputs were made from, and their sizes
PARTIAL_PREFIX = ".partial-"


def os_error_message(error: OSError, path: Path | str) -> str:
    """One line for a filesystem failure, naming the path and the likely fix.

    Examples
    --------
    >>> os_error_message(OSError(errno.ENOSPC, "No space left"), "media/x")
    'no space left on the device while writing media/x; free some space and render again'
    """
    if error.errno == errno.ENOSPC:
        return f"no space left on the device while writing {path}; free some space and render again"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write to {path}: permission denied; choose another --out directory"
    reason = error.strerror or str(error)
    return f"cannot write {path}: {reason}"


def check_out_dir(out_dir: Path, *, create_parents: bool = False) -> Path:
    """Make sure ``out_dir`` is (or can become) a writable directory, and create it.

    Parameters
    ----------
    out_dir
        The output directory a render writes into.
    create_parents
        Create missing parent folders too (used for the default ``media/<name>``); an
        explicit ``--out`` must have an existing parent, so a typo fails loudly.

    Returns
    -------
    Path
        The absolute directory, created if it was missing.

    Examples
    --------
    >>> import tempfile
    >>> check_out_dir(Path(tempfile.mkdtemp()) / "video").is_dir()
    True
    """
    out_dir = Path(out_dir).absolute()
    for ancestor in [out_dir, *out_dir.parents]:
        if ancestor.exists() and not ancestor.is_dir():
            raise ExplainerError(
                f"output directory {out_dir} is inside the file {ancestor}; "
                "choose another --out directory"
            )
        if ancestor.exists():
            break
    if not out_dir.exists():
        if not out_dir.parent.exists() and not create_parents:
            raise ExplainerError(
                f"output directory {out_dir}: its parent {out_dir.parent} does not exist; "
                "create it or choose another --out"
            )
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ExplainerError(os_error_message(error, out_dir)) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ExplainerError(
            f"cannot write to {out_dir}: permission denied; choose another --out directory"
        )
    return out_dir


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while inside, so ``finally`` blocks clean up.

    Outside the main thread signals cannot be handled; there it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Staging:
    """A render's private scratch directory inside the output directory.

    Write every output under :attr:`path` with its final relative name (scratch files go
    in :attr:`work`); :meth:`commit` moves them into :attr:`out_dir` with ``os.replace``,
    one file at a time, so a final name only ever holds a complete file.
    """

    out_dir: Path
    path: Path
    work: Path
    committed: list[Path] = field(default_factory=list)

    def unchanged(self, key: str) -> list[Path] | None:
        """The outputs in :attr:`out_dir` (relative paths) if a commit made them from ``key``
        and every one of them is still there at the size it was written; else None.
        """
        try:
            marker = json.loads((self.out_dir / MARKER_NAME).read_text(encoding="utf-8"))
            files = {Path(name): int(size) for name, size in marker["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if marker.get("key") != key or not files:
            return None
        for name, size in files.items():
            path = self.out_dir / name
            if not path.is_file() or path.stat().st_size != size:
                return None
        return list(files)

    def commit(self, *, key: str | None = None, prune: tuple[str, ...] = ()) -> list[Path]:
        """Move every staged file into place; return their paths relative to :attr:`out_dir`.

        Parameters
        ----------
        key
            What the outputs were made from: recorded beside them, so a render from the
            same key finds them up to date (:meth:`unchanged`); None records nothing.
        prune
            Sub-folders (like ``"clips"``) whose files not produced by this render are
            removed afterwards, so a full render leaves no clip of a deleted scene.
        """
        if key is not None or self._replaces_marked_outputs():
            # forget the old marker first: an interrupted commit must not look up to date
            (self.out_dir / MARKER_NAME).unlink(missing_ok=True)
        written = [p.relative_to(self.out_dir) for p in self._move_into_place(prune)]
        if key is not None:
            files = {str(p): (self.out_dir / p).stat().st_size for p in written}
            marker = json.dumps({"key": key, "files": files}).encode()
            write_atomic(self.out_dir / MARKER_NAME, marker)
        return written

    def _replaces_marked_outputs(self) -> bool:
        """Whether this commit overwrites a file the up-to-date marker vouches for."""
        try:
            marker = json.loads((self.out_dir / MARKER_NAME).read_text(encoding="utf-8"))
            marked = set(marker["files"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        staged = {str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file()}
        return bool(staged & marked)

    def _move_into_place(self, prune: tuple[str, ...]) -> list[Path]:
        staged = sorted(p for p in self.path.rglob("*") if p.is_file())
        # the largest file (the full video) goes last: until then, the old one stays whole
        staged.sort(key=lambda p: p.stat().st_size)
        umask = os.umask(0)
        os.umask(umask)
        for source in staged:
            target = self.out_dir / source.relative_to(self.path)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                # temp-file helpers create 0600 files; outputs are ordinary shared files
                os.chmod(source, 0o666 & ~umask)
                os.replace(source, target)
            except OSError as error:
                raise ExplainerError(os_error_message(error, target)) from None
            self.committed.append(target)
        keep = set(self.committed)
        for folder in prune:
            for old in (self.out_dir / folder).glob("*"):
                if old.is_file() and old not in keep:
                    old.unlink()
        return list(self.committed)


def _read_lock_pid(lock_path: Path) -> str:
    try:
        return lock_path.read_text().strip() or "?"
    except OSError:
        return "?"


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<out>/.lock``; fail at once if someone else has it."""
    lock_path = out_dir / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ExplainerError(os_error_message(error, lock_path)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_lock_pid(lock_path)
            raise ExplainerError(
                f"another render is writing to {out_dir} (pid {pid}); wait for it or use --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield
        finally:
            # the lock file stays: deleting it would let a third process lock a new inode
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def staged_outputs(out_dir: Path, *, create_parents: bool = False) -> Iterator[Staging]:
    """Lock ``out_dir`` and give a scratch directory that disappears whatever happens.

    The caller writes outputs under ``staging.path`` and calls ``staging.commit()`` when
    everything succeeded. On an error, Ctrl-C or SIGTERM nothing is moved, the scratch
    directory is removed and the previous outputs stay as they were.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> with staged_outputs(out) as staging:
    ...     _ = (staging.path / "a.txt").write_text("done")
    ...     _ = staging.commit()
    >>> (out / "a.txt").read_text(), sorted(p.name for p in out.iterdir())
    ('done', ['.lock', 'a.txt'])
    """
    out_dir = check_out_dir(out_dir, create_parents=create_parents)
    with sigterm_as_interrupt(), _locked(out_dir):
        # we hold the lock, so any other scratch folder belongs to a render that was killed
        for stale in out_dir.glob(f"{PARTIAL_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging_path = out_dir / f"{PARTIAL_PREFIX}{os.getpid()}"
        try:
            (staging_path / "out").mkdir(parents=True)
            (staging_path / "work").mkdir()
        except OSError as error:
            raise ExplainerError(os_error_message(error, staging_path)) from None
        try:
            yield Staging(out_dir=out_dir, path=staging_path / "out", work=staging_path / "work")
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS):
                where = error.filename or out_dir
                raise ExplainerError(os_error_message(error, where)) from None
            raise
        finally:
            shutil.rmtree(staging_path, ignore_errors=True)
