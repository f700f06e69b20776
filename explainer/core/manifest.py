"""What explainer wrote into an output folder: the one record of which files are its own.

Every folder explainer writes outputs into holds ``.explainer.json``::

    {"explainer": 1,
     "files": {"clips/01-tokens.mp4": {"by": "render attention", "size": 895339,
                                       "sha256": "bf68..."}, ...},
     "made_from": {"key": "ee1c...", "files": ["attention.mp4", ...]}}

``files`` lists every file explainer wrote there (relative, ``/``-separated): the output it
belongs to (``by``: ``render <name>``, ``lecture <name>``, ``explorer``, ``batch``,
``poster``), its size and its SHA-256. ``made_from`` is the render's up-to-date key and the
files it vouches for: a render from the same key finds them in place and writes nothing.

A file is explainer's own while the record lists it and it still holds what explainer
wrote. Only such a file is ever replaced, or deleted when its output no longer makes it (a
chapter removed from the script). Any other file where an output goes is *in the way*
(:class:`~explainer.core.errors.OutputInTheWay`) unless the command was given ``--force``; files
elsewhere in the folder are never touched.

A folder written before this record existed has ``.render.json`` (the render's key and its
files' sizes): those files count as explainer's, and the first commit turns the marker into
this record. Other outputs of older versions kept no record; a producer may name the files
an older version of it provably wrote (:data:`Older`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from explainer.core.cache import file_sha256, write_atomic
from explainer.core.errors import OutputInTheWay

__all__ = [
    "LEGACY_MARKER",
    "MANIFEST_NAME",
    "Blocker",
    "MadeFrom",
    "Manifest",
    "Older",
    "Written",
    "in_the_way_message",
]

MANIFEST_NAME = ".explainer.json"
LEGACY_MARKER = ".render.json"  # before the manifest: the render's key and its files' sizes
LEGACY_LOCK = ".lock"  # an older version's lock file, left empty beside its marker
_FORMAT = 1

Older = Callable[[Path], Iterable[str]]
"""The files in a folder an older version of a producer wrote, by a trace it left there."""


@dataclass(frozen=True)
class Written:
    """One file explainer wrote: the output it belongs to, its size and SHA-256.

    A size or hash of None is unknown: recorded by an older version (sizes only), or a
    commit was moving the file into place when it stopped; whatever is there is taken as
    explainer's.

    Examples
    --------
    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_text("abc")
    >>> written = Written.of(p, "render a")
    >>> written.size, written.matches(p)
    (3, True)
    >>> _ = p.write_text("abd"); written.matches(p)
    False
    """

    by: str
    size: int | None = None
    sha256: str | None = None

    @classmethod
    def of(cls, path: Path, by: str) -> Written:
        """What ``path`` holds now, as written by ``by``."""
        return cls(by, path.stat().st_size, file_sha256(path))

    def matches(self, path: Path) -> bool:
        """Whether ``path`` is a file that still holds what was written."""
        if path.is_symlink() or not path.is_file():
            return False
        if self.size is not None and path.stat().st_size != self.size:
            return False
        return self.sha256 is None or file_sha256(path) == self.sha256

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the record (unknown fields left out)."""
        fields = (("by", self.by), ("size", self.size), ("sha256", self.sha256))
        return {name: value for name, value in fields if value is not None}


@dataclass(frozen=True)
class MadeFrom:
    """The key a render's outputs were made from, and the files it vouches for."""

    key: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class Blocker:
    """Something at a path an output needs that explainer may not replace.

    ``forceable``: ``--force`` replaces it (a file); a folder it cannot.
    """

    name: str
    reason: str
    forceable: bool = True


@dataclass
class Manifest:
    """An output folder's record of the files explainer wrote there (see the module)."""

    folder: Path
    files: dict[str, Written] = field(default_factory=dict)
    made_from: MadeFrom | None = None
    unreadable: str | None = None  # why the record there could not be read
    legacy: bool = False  # read from .render.json, which goes once this record is saved

    @classmethod
    def read(cls, folder: Path, older: Older | None = None) -> Manifest:
        """The folder's record: ``.explainer.json``, else ``.render.json``, else empty.

        ``older`` names files an older version wrote there, by a trace it left; those the
        record does not list are taken as explainer's as they are now.

        Examples
        --------
        >>> import tempfile
        >>> Manifest.read(Path(tempfile.mkdtemp())).files
        {}
        """
        folder = Path(folder)
        manifest = _read_record(folder) or _read_legacy(folder) or cls(folder)
        for name in older(folder) if older is not None else ():
            path = folder / name
            if name not in manifest.files and path.is_file() and not path.is_symlink():
                manifest.files[name] = Written.of(path, "older")
        return manifest

    def save(self) -> None:
        """Write the record atomically (and drop the ``.render.json`` it replaces, with the
        empty ``.lock`` the version that wrote it left).
        """
        body: dict[str, Any] = {
            "explainer": _FORMAT,
            "files": {name: self.files[name].to_dict() for name in sorted(self.files)},
        }
        if self.made_from is not None:
            body["made_from"] = {"key": self.made_from.key, "files": list(self.made_from.files)}
        text = json.dumps(body, indent=1, ensure_ascii=False) + "\n"
        write_atomic(self.folder / MANIFEST_NAME, text.encode("utf-8"))
        self.unreadable = None
        if self.legacy:
            (self.folder / LEGACY_MARKER).unlink(missing_ok=True)
            lock = self.folder / LEGACY_LOCK
            if lock.is_file() and not lock.is_symlink() and lock.stat().st_size == 0:
                lock.unlink()  # the version that wrote the marker always left it, empty
            self.legacy = False

    def owns(self, name: str) -> bool:
        """Whether ``name`` is explainer's: recorded, and still what explainer wrote."""
        written = self.files.get(name)
        return written is not None and written.matches(self.folder / name)

    def in_the_way(self, names: Iterable[str]) -> list[Blocker]:
        """What sits at ``names`` (or where their folders go) that is not explainer's.

        Examples
        --------
        >>> import tempfile; folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "index.html").write_text("mine")
        >>> Manifest.read(folder).in_the_way(["index.html", "a.mp4"])
        [Blocker(name='index.html', reason='explainer did not write it', forceable=True)]
        """
        names = list(names)
        found: dict[str, Blocker] = {}
        if self.unreadable is not None and names:
            reason = f"explainer's record there is unreadable: {self.unreadable}"
            found[MANIFEST_NAME] = Blocker(MANIFEST_NAME, reason)
        for name in names:
            parts = PurePosixPath(name).parts
            for depth in range(1, len(parts)):
                parent = "/".join(parts[:depth])
                if os.path.lexists(self.folder / parent) and not (self.folder / parent).is_dir():
                    found.setdefault(
                        parent, Blocker(parent, "a file where explainer needs a folder", False)
                    )
            blocker = self._blocker(name)
            if blocker is not None:
                found.setdefault(name, blocker)
        return sorted(found.values(), key=lambda blocker: blocker.forceable)

    def _blocker(self, name: str) -> Blocker | None:
        path = self.folder / name
        if not os.path.lexists(path) or self.owns(name):
            return None
        if path.is_dir() and not path.is_symlink():
            return Blocker(name, "a folder, where explainer writes a file", False)
        if name in self.files:
            return Blocker(name, "changed since explainer wrote it")
        return Blocker(name, "explainer did not write it")

    def check(self, names: Iterable[str], *, force: bool = False) -> None:
        """Raise :class:`OutputInTheWay` naming what blocks ``names`` (with ``force``: only
        what ``--force`` cannot replace).
        """
        blockers = [b for b in self.in_the_way(names) if not (force and b.forceable)]
        if blockers:
            raise OutputInTheWay(in_the_way_message(self.folder, blockers))

    def expect(self, names: Iterable[str], by: str, *, new_key: bool) -> None:
        """Record ``names`` as ``by``'s before they are moved into place, contents unknown,
        and forget the up-to-date key if it is replaced or vouches for one of them (a
        commit that stops half-way leaves explainer's files and nothing up to date).
        """
        names = list(names)
        self.files.update({name: Written(by) for name in names})
        if new_key or (self.made_from is not None and set(self.made_from.files) & set(names)):
            self.made_from = None

    def prune(self, by: str, keep: Collection[str]) -> list[str]:
        """Delete ``by``'s files that are not in ``keep`` and still what explainer wrote;
        forget the others of ``by`` (gone, or changed since: the user's now). Returns the
        names deleted.
        """
        deleted = []
        for name, written in list(self.files.items()):
            if written.by != by or name in keep:
                continue
            if written.matches(self.folder / name):
                (self.folder / name).unlink()
                deleted.append(name)
            del self.files[name]
        return deleted


def in_the_way_message(folder: Path, blockers: list[Blocker]) -> str:
    """The one line for files in the way: the first, how many more, and what to do.

    Examples
    --------
    >>> in_the_way_message(Path("/talk"), [Blocker("clips/01-tokens.mp4", "explainer did "
    ...                    "not write it"), Blocker("numbers.json", "explainer did not write it")])
    '/talk/clips/01-tokens.mp4 is in the way (explainer did not write it), and 1 more file; \
choose another --out, or add --force to overwrite outputs there'
    """
    first, more = blockers[0], len(blockers) - 1
    others = f", and {more} more file{'s' if more > 1 else ''}" if more else ""
    fix = (
        "choose another --out, or add --force to overwrite outputs there"
        if first.forceable
        else "move it, or choose another --out"
    )
    return f"{folder / first.name} is in the way ({first.reason}){others}; {fix}"


def _read_record(folder: Path) -> Manifest | None:
    """``.explainer.json`` (None if there is none; an unreadable one says why)."""
    path = folder / MANIFEST_NAME
    if not os.path.lexists(path):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {str(name): _written(entry) for name, entry in data["files"].items()}
        made = data.get("made_from")
        made_from = None if made is None else MadeFrom(str(made["key"]), _names(made["files"]))
    except OSError as error:
        return Manifest(folder, unreadable=error.strerror or str(error))
    except (ValueError, KeyError, TypeError, AttributeError):
        return Manifest(folder, unreadable="not explainer's format")
    return Manifest(folder, files, made_from)


def _read_legacy(folder: Path) -> Manifest | None:
    """The record an older version kept: ``.render.json``'s key and its files' sizes."""
    try:
        marker = json.loads((folder / LEGACY_MARKER).read_text(encoding="utf-8"))
        sizes = {str(name): _size(size) for name, size in marker["files"].items()}
        key = str(marker["key"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    # the render's group is named after its video, the one .mp4 at the top
    videos = [name for name in sizes if "/" not in name and name.endswith(".mp4")]
    by = f"render {videos[0].removesuffix('.mp4')}" if len(videos) == 1 else "render"
    files = {name: Written(by, size) for name, size in sizes.items()}
    return Manifest(folder, files, MadeFrom(key, tuple(sizes)), legacy=True)


def _written(entry: Any) -> Written:
    size, sha256 = entry.get("size"), entry.get("sha256")
    if sha256 is not None and not isinstance(sha256, str):
        raise TypeError("sha256")
    return Written(str(entry["by"]), None if size is None else _size(size), sha256)


def _size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("size")
    return value


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError("files")
    return tuple(str(name) for name in value)
