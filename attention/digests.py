"""A file's SHA-256, read in blocks: the one hash of a file's bytes in the project.

Models check their pinned files with it and name themselves by it; the pipeline's caches
record it to catch an entry damaged since it was written.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["cached_file_sha256", "file_sha256"]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks.

    Examples
    --------
    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> file_sha256(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _sha256_of_version(path: Path, size: int, mtime_ns: int) -> str:
    """A file's SHA-256, computed once per process for a given size and modification time."""
    return file_sha256(path)


def cached_file_sha256(path: Path) -> str:
    """The SHA-256 of ``path``, computed once per process while its size and modification
    time are unchanged: for large files read again and again (a model's weights).

    Examples
    --------
    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> cached_file_sha256(p) == file_sha256(p)
    True
    """
    stat = path.stat()
    return _sha256_of_version(path, stat.st_size, stat.st_mtime_ns)
