"""Atomic output directories: stage everything, lock, then move files into place.

Only files explainer wrote are replaced or deleted there (:mod:`explainer.core.manifest`); a
commit records what it moved in the folder's manifest.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from explainer.core.errors import ExplainerError
from explainer.core.manifest import MadeFrom, Manifest, Older, Written

__all__ = [
    "LOCK_NAME",
    "PARTIAL_PREFIX",
    "Staging",
    "check_out_dir",
    "default_out_dir",
    "staged_outputs",
    "sigterm_as_interrupt",
    "os_error_message",
]

# while a command writes a folder: both are removed when it ends, whatever happens
LOCK_NAME = ".explainer.lock"
PARTIAL_PREFIX = ".explainer-partial-"


def default_out_dir(script_name: str) -> Path:
    """Where a command writes a script's outputs when no ``--out`` is given.

    Examples
    --------
    >>> default_out_dir("attention").as_posix()
    'media/attention'
    """
    return Path("media") / script_name


def _process_umask() -> int:
    # read once, at import: reading it means setting it, which races threads making files
    umask = os.umask(0)
    os.umask(umask)
    return umask


_FILE_MODE = 0o666 & ~_process_umask()  # an ordinary shared file's mode, as open() makes


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
    """A command's private scratch directory inside the output directory.

    Write every output under :attr:`path` with its final relative name (scratch files go
    in :attr:`work`); :meth:`commit` moves them into :attr:`out_dir` with ``os.replace``,
    one file at a time, so a final name only ever holds a complete file. Only files the
    folder's manifest says explainer wrote are replaced, unless :attr:`force`.
    """

    out_dir: Path
    path: Path
    work: Path
    force: bool = False  # --force: replace files in the way too
    older: Older | None = None  # the files an older version of this output left there

    def record(self) -> Manifest:
        """The folder's manifest as it is now."""
        return Manifest.read(self.out_dir, self.older)

    def check(self, names: Iterable[str]) -> None:
        """Refuse now, before any work, if something that is not explainer's sits where
        one of ``names`` (relative paths the command will write) goes.

        Raises
        ------
        OutputInTheWay
            Naming the first such file, unless :attr:`force` (and it is a file).
        """
        self.record().check(names, force=self.force)

    def unchanged(self, key: str) -> list[Path] | None:
        """The outputs in :attr:`out_dir` (relative paths) if a commit made them from ``key``
        and every one of them is still there at the size it was written; else None.
        """
        manifest = self.record()
        made = manifest.made_from
        if made is None or made.key != key or not made.files:
            return None
        for name in made.files:
            written, path = manifest.files.get(name), self.out_dir / name
            if written is None or not path.is_file():
                return None
            if written.size is not None and path.stat().st_size != written.size:
                return None
        return [Path(name) for name in made.files]

    def commit(self, *, by: str, key: str | None = None, prune: bool = False) -> list[Path]:
        """Move every staged file into place; return their paths relative to :attr:`out_dir`.

        Parameters
        ----------
        by
            The output these files belong to (``render <name>``, ``lecture <name>``, ...),
            recorded with each in the manifest.
        key
            What the outputs were made from: recorded beside them, so a render from the
            same key finds them up to date (:meth:`unchanged`); None records none.
        prune
            Also delete ``by``'s files from earlier commits that this one did not write (a
            chapter removed from the script), if they are still what explainer wrote.

        Raises
        ------
        OutputInTheWay
            Before anything moves, if a file explainer did not write is where one goes.
        """
        staged = sorted(p for p in self.path.rglob("*") if p.is_file())
        # the largest file (the full video) goes last: until then, the old one stays whole
        staged.sort(key=lambda p: p.stat().st_size)
        names = [p.relative_to(self.path).as_posix() for p in staged]
        manifest = self.record()
        manifest.check(names, force=self.force)
        manifest.expect(names, by, new_key=key is not None)
        manifest.save()
        for source, name in zip(staged, names, strict=True):
            written = Written.of(source, by)
            target = self.out_dir / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                # temp-file helpers create 0600 files; outputs are ordinary shared files
                os.chmod(source, _FILE_MODE)
                os.replace(source, target)
            except OSError as error:
                raise ExplainerError(os_error_message(error, target)) from None
            manifest.files[name] = written
        if prune:
            manifest.prune(by, set(names))
        if key is not None:
            manifest.made_from = MadeFrom(key, tuple(names))
        manifest.save()
        return [Path(name) for name in names]


def _read_lock_pid(lock_path: Path) -> str:
    try:
        return lock_path.read_text().strip() or "?"
    except OSError:
        return "?"


def _lock_fd(lock_path: Path, out_dir: Path) -> int:
    """An open descriptor of ``lock_path`` holding its exclusive ``flock``; fails at once if
    another process holds it.
    """
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ExplainerError(os_error_message(error, lock_path)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = _read_lock_pid(lock_path)
            raise ExplainerError(
                f"another render is writing to {out_dir} (pid {pid}); wait for it or use --out"
            ) from None
        try:
            held, named = os.fstat(fd), os.stat(lock_path)
            if (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # its holder removed the file as we opened it: lock the one there now


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<out>/.explainer.lock``; fail at once if someone
    else has it. The file goes when the lock is released, so a folder is left as it was.
    """
    lock_path = out_dir / LOCK_NAME
    fd = _lock_fd(lock_path, out_dir)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        # removed while still held: whoever opened it meanwhile sees it gone and retries
        lock_path.unlink(missing_ok=True)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def staged_outputs(
    out_dir: Path,
    *,
    create_parents: bool = False,
    force: bool = False,
    older: Older | None = None,
) -> Iterator[Staging]:
    """Lock ``out_dir`` and give a scratch directory that disappears whatever happens.

    The caller writes outputs under ``staging.path`` and calls ``staging.commit(by=...)``
    when everything succeeded. On an error, Ctrl-C or SIGTERM nothing is moved, the scratch
    directory and the lock file are removed and the previous outputs stay as they were (a
    folder this call created goes too, if nothing was committed into it).

    Parameters
    ----------
    out_dir
        The output directory.
    create_parents
        Create its missing parents (see :func:`check_out_dir`).
    force
        Replace files in the way that explainer did not write (``--force``).
    older
        The files an older version of the output left there (see :mod:`explainer.core.manifest`).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> with staged_outputs(out) as staging:
    ...     _ = (staging.path / "a.txt").write_text("done")
    ...     _ = staging.commit(by="example")
    >>> (out / "a.txt").read_text(), sorted(p.name for p in out.iterdir())
    ('done', ['.explainer.json', 'a.txt'])
    """
    existed = Path(out_dir).absolute().is_dir()
    out_dir = check_out_dir(out_dir, create_parents=create_parents)
    try:
        with sigterm_as_interrupt(), _locked(out_dir):
            _remove_stale_scratch(out_dir)
            staging_path = out_dir / f"{PARTIAL_PREFIX}{os.getpid()}"
            try:
                (staging_path / "out").mkdir(parents=True)
                (staging_path / "work").mkdir()
            except OSError as error:
                raise ExplainerError(os_error_message(error, staging_path)) from None
            try:
                yield Staging(out_dir, staging_path / "out", staging_path / "work", force, older)
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS):
                    where = error.filename or out_dir
                    raise ExplainerError(os_error_message(error, where)) from None
                raise
            finally:
                shutil.rmtree(staging_path, ignore_errors=True)
    finally:
        if not existed:
            with suppress(OSError):
                out_dir.rmdir()  # only if empty: nothing was committed into it


def _remove_stale_scratch(out_dir: Path) -> None:
    """Remove the scratch folders of killed commands (we hold the lock: none is running)."""
    for stale in out_dir.glob(f"{PARTIAL_PREFIX}*"):
        if stale.name.removeprefix(PARTIAL_PREFIX).isdigit() and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
