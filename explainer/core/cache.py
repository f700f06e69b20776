"""Content-addressed cache entries: atomic writes, checksums, pruning old versions.

A cache entry is a file (or a few) named ``<scene id>-<key>.<suffix>``; the key is a hash
of everything the entry is made from, so an entry is either right or absent. A checksum
recorded when the entry was written catches a file damaged since.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from attention.digests import file_sha256  # the checksum an entry records

__all__ = ["file_sha256", "write_atomic", "prune_entries"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    Examples
    --------
    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x.json"
    >>> write_atomic(p, b"{}"); p.read_bytes()
    b'{}'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # per process and thread: a batch's videos render in threads and may store one entry
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def prune_entries(folder: Path, scene_id: str, suffixes: Sequence[str], keep: int = 4) -> None:
    """Delete all but the ``keep`` newest entries of ``scene_id`` (all their suffixes).

    Entries are told apart by their first suffix's file; e.g. the clip cache keeps a scene's
    newest four ``.mp4`` files with their ``.json`` ledgers (low and high quality, before
    and after an edit).
    """
    first, *others = suffixes
    # keys are hex: "intro-<key>" is intro's entry, "intro-2-<key>" another scene's
    mine = [
        p
        for p in folder.glob(f"{scene_id}-*{first}")
        if "-" not in p.name[len(scene_id) + 1 : -len(first)]
    ]
    entries = sorted(mine, key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
        for suffix in others:
            old.with_suffix(suffix).unlink(missing_ok=True)
