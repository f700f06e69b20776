"""The typeset cache: a text made once is reused, identical, across processes and runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from manim import Text, tempconfig

from scenes.kit.typeset import (
    KitMarkupText,
    KitText,
    forget_typeset_texts,
    typeset_cache_dir,
    use_typeset_cache,
)

FONT = "DejaVu Sans Mono"


@pytest.fixture
def cache(tmp_path: Path):
    """A fresh typeset cache and Manim media folder for one test."""
    with tempconfig({"media_dir": str(tmp_path / "media")}):
        use_typeset_cache(tmp_path / "typeset")
        try:
            yield typeset_cache_dir()
        finally:
            use_typeset_cache(None)


def _outlines(mobject) -> list[np.ndarray]:
    return [m.points for m in mobject.family_members_with_points()]


def _same_outlines(a, b) -> bool:
    left, right = _outlines(a), _outlines(b)
    if len(left) != len(right):
        return False
    return all(np.array_equal(x, y) for x, y in zip(left, right, strict=True))


def test_kit_text_draws_exactly_what_manim_text_draws(cache: Path) -> None:
    for content in ["0.34", "−1.25", "The cat sat"]:
        ours = KitText(content, font=FONT, font_size=20, color="#E8E6E3")
        manims = Text(content, font=FONT, font_size=20, color="#E8E6E3")
        assert ours.text == manims.text
        assert _same_outlines(ours, manims)
        assert [m.get_fill_color() for m in ours] == [m.get_fill_color() for m in manims]


def test_glyphs_keep_no_parse_tree(cache: Path) -> None:
    text = KitText("cat", font=FONT)
    assert all(getattr(glyph, "path_obj", None) is None for glyph in text.submobjects)
    assert _same_outlines(text.copy(), text)


def test_each_distinct_text_is_stored_once(cache: Path) -> None:
    KitText("0.34", font=FONT)
    KitText("0.34", font=FONT)  # the same text and settings: no new entry
    KitText("0.34", font=FONT, font_size=30)
    KitMarkupText("W<sub>Q</sub>", font=FONT)
    assert len(list(cache.glob("*.pkl"))) == 3
    assert not list(cache.glob(".*.tmp"))


_TYPESET_IN_A_NEW_PROCESS = """
import sys, pickle
from pathlib import Path
from manim import tempconfig
from scenes.kit.typeset import KitText, use_typeset_cache
with tempconfig({"media_dir": sys.argv[1]}):
    use_typeset_cache(Path(sys.argv[2]))
    text = KitText("0.42", font="DejaVu Sans Mono")
    sys.stdout.buffer.write(pickle.dumps([m.points for m in text.family_members_with_points()]))
"""


def _typeset_elsewhere(media: Path, cache_root: Path) -> list[np.ndarray]:
    import pickle

    done = subprocess.run(
        [sys.executable, "-c", _TYPESET_IN_A_NEW_PROCESS, str(media), str(cache_root)],
        capture_output=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return pickle.loads(done.stdout)


def test_another_process_reuses_the_entry_and_gets_the_same_outlines(tmp_path: Path) -> None:
    cache_root = tmp_path / "typeset"
    # two workers, each typesetting into a media folder of its own, share the cache
    first = _typeset_elsewhere(tmp_path / "worker-1", cache_root)
    entries = list(cache_root.rglob("*.pkl"))
    assert len(entries) == 1
    stamp = entries[0].stat().st_mtime_ns
    second = _typeset_elsewhere(tmp_path / "worker-2", cache_root)
    assert entries[0].stat().st_mtime_ns == stamp, "read, not typeset and written again"
    assert len(first) == len(second) == 4  # four glyphs: 0 . 4 2
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_entry_is_typeset_again(cache: Path, damage: bytes | None) -> None:
    original = KitText("0.57", font=FONT)
    (entry,) = cache.glob("*.pkl")
    if damage is None:
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])  # truncated
    else:
        entry.write_bytes(damage)
    forget_typeset_texts()  # as in a new process: only the disk cache is left
    again = KitText("0.57", font=FONT)
    assert _same_outlines(again, original)
    assert entry.stat().st_size > 100, "the entry was written again, whole"


def test_a_worker_keeps_the_texts_it_read_from_scene_to_scene(cache: Path, tmp_path: Path) -> None:
    """Each scene a worker renders has a media folder of its own, which Manim's in-memory
    key includes: the text read for one scene is still served from memory in the next."""
    forget_typeset_texts()
    first = KitText("0.31", font=FONT)
    (entry,) = cache.glob("*.pkl")
    entry.unlink()  # were it typeset or read again, the entry would be back
    with tempconfig({"media_dir": str(tmp_path / "next-scene")}):
        again = KitText("0.31", font=FONT)
    assert _same_outlines(again, first)
    assert not entry.exists()
