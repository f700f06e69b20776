"""Text that is typeset once: cheap to create again, cheap to copy and animate.

Every Text costs a Pango run and an SVG parse (~15 ms at font size 20), and Manim's
``Text`` skips its in-memory SVG cache by default. The kit's texts use that cache and a
disk cache under it, so a text seen by any earlier render (or another scene worker) is
unpickled in under a millisecond instead of typeset again. They also drop each glyph's
parse tree once its points exist (see :class:`_TypesetOnce`).

The disk cache lives in :func:`typeset_cache_dir`; the render pipeline points it at
``media/cache/typeset`` with :func:`use_typeset_cache`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from importlib.metadata import version
from pathlib import Path
from typing import Any

from manim import MarkupText, Text, config
from manim.mobject.svg.svg_mobject import SVG_HASH_TO_MOB_MAP
from manim.utils.iterables import hash_obj

__all__ = [
    "KitMarkupText",
    "KitText",
    "forget_typeset_texts",
    "typeset_cache_dir",
    "use_typeset_cache",
]

# bump when what a cached entry holds changes (the pickled glyphs of _TypesetOnce)
_FORMAT = "1"
_MANIM = version("manim")  # read once: importlib.metadata takes a millisecond a call
_cache_dir: Path | None = None
# entries read from disk by this process, by disk key: Manim's in-memory key holds the
# SVG's folder, a new one for every scene a worker renders, so it misses from scene to scene
_read: dict[str, Any] = {}


def use_typeset_cache(directory: Path | None) -> None:
    """Keep typeset texts in ``directory`` (None: under Manim's ``media_dir``).

    Examples
    --------
    >>> use_typeset_cache(Path("media/cache/typeset"))
    >>> typeset_cache_dir().parent
    PosixPath('media/cache/typeset')
    """
    global _cache_dir
    _cache_dir = None if directory is None else Path(directory)


def forget_typeset_texts() -> None:
    """Forget every text this process typeset or read, as a new process starts: only the
    disk cache is left.

    Examples
    --------
    >>> forget_typeset_texts()
    >>> len(_read), len(SVG_HASH_TO_MOB_MAP)
    (0, 0)
    """
    SVG_HASH_TO_MOB_MAP.clear()
    _read.clear()


def typeset_cache_dir() -> Path:
    """Where typeset texts are kept: one folder per Manim version and entry format."""
    root = _cache_dir if _cache_dir is not None else Path(config.media_dir) / "typeset"
    return root / f"manim-{_MANIM}-{_FORMAT}"


def _disk_key(hash_seed: tuple[Any, ...]) -> str:
    """A key stable across processes and folders (Manim's own hash is per process).

    The seed's SVG file name is a hash of the text and all its settings; its folder is
    left out, because each scene worker typesets into a folder of its own.
    """
    class_name, svg_default, path_config, file_name, renderer = hash_seed
    stable = (class_name, svg_default, path_config, Path(str(file_name)).name, str(renderer))
    return hashlib.sha256(repr(stable).encode()).hexdigest()[:32]


def _load(path: Path) -> Any | None:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # our own cache folder, written by _store below
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or stale entry is a miss, and is typeset again
        path.unlink(missing_ok=True)
        return None


def _store(path: Path, mobject: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(mobject, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, path)  # another worker storing the same text wins or loses whole


class _TypesetOnce:
    """Mixin for Manim's Text classes: typeset each distinct text once, keep it lean.

    Manim reads a glyph's svgelements path once, to make its points, but keeps it; every
    animation then deep-copies its mobject, parse tree and all. Dropping the tree made
    those copies ~10x cheaper, which was a third of a render's time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("use_svg_cache", True)
        super().__init__(*args, **kwargs)

    def path_to_mobject(self, path: Any) -> Any:
        glyph = super().path_to_mobject(path)  # type: ignore[misc]
        glyph.path_obj = None
        return glyph

    def init_svg_mobject(self, use_svg_cache: bool) -> Any:
        if not use_svg_cache:
            return super().init_svg_mobject(use_svg_cache)  # type: ignore[misc]
        seed = self.hash_seed  # type: ignore[attr-defined]
        in_memory = hash_obj(seed)
        on_disk = typeset_cache_dir() / f"{_disk_key(seed)}.pkl"
        key = str(on_disk)
        if in_memory not in SVG_HASH_TO_MOB_MAP:
            stored = _read[key] if key in _read else _load(on_disk)
            if stored is not None:
                SVG_HASH_TO_MOB_MAP[in_memory] = _read[key] = stored
        fresh = in_memory not in SVG_HASH_TO_MOB_MAP
        result = super().init_svg_mobject(use_svg_cache)  # type: ignore[misc]
        if fresh:
            _read[key] = SVG_HASH_TO_MOB_MAP[in_memory]
            _store(on_disk, _read[key])
        return result


class KitText(_TypesetOnce, Text):
    """:class:`manim.Text`, typeset once and cheap to animate (see the module docstring).

    Examples
    --------
    >>> KitText("cat", font="DejaVu Sans").text
    'cat'
    """


class KitMarkupText(_TypesetOnce, MarkupText):
    """:class:`manim.MarkupText`, typeset once and cheap to animate.

    Examples
    --------
    >>> bool(KitMarkupText("W<sub>Q</sub>", font="DejaVu Sans").height > 0)
    True
    """
