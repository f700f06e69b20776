"""A chapter rendered from beat k, joined to the frames before it, is the whole render.

The shortest chapter of tests/data/tiny.toml (ValueBlend, three beats, its speech estimated
from the words) at 480p15: a whole render, then from beat 1 and from beat 2; each joined
clip's decoded frames (ffmpeg framemd5, computed here) are the whole clip's, one by one.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from explainer.core.quality import Quality
from explainer.pipeline.scenes import reusable_prefix
from explainer.plan.keys import prefix_keys
from explainer.plan.script import load_script
from explainer.render.from_beat import join_clips
from explainer.render.scene_jobs import render_scene

pytestmark = pytest.mark.render

TINY = Path(__file__).parent / "data" / "tiny.toml"


def framemd5(path: Path) -> list[str]:
    """Each decoded frame's MD5, in order."""
    listing = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line.rsplit(",", 1)[1].strip() for line in listing.splitlines() if line[:1] != "#"]


def test_a_chapter_rendered_from_a_beat_and_joined_is_the_whole_render(tmp_path: Path) -> None:
    plan = load_script(TINY).scene("blend")
    quality = Quality.low
    whole, entries, layout = render_scene(plan, quality, tmp_path / "whole")
    frames = framemd5(whole)
    assert len(frames) == plan.frames(quality.fps)
    for k in (1, 2):
        start = sum(beat.frames(quality.fps) for beat in plan.beats[:k])
        part, part_entries, part_layout = render_scene(
            plan, quality, tmp_path / f"from-{k}", from_beat=k
        )
        assert framemd5(part) == frames[start:]
        joined = join_clips(whole, start, part, tmp_path / f"joined-{k}.mp4")
        assert framemd5(joined) == frames
        assert (part_entries, part_layout) == (entries, layout)  # the whole scene's numbers


def test_the_longest_cached_prefix_is_reused_and_a_damaged_clip_is_not(tmp_path: Path) -> None:
    plan = load_script(TINY).scene("blend")  # three beats
    quality = Quality.low
    edited = replace(plan, beats=(*plan.beats[:2], replace(plan.beats[2], speech=9.0)))

    def cached(name: str, prefixes: list[str], video: bytes = b"clip") -> Path:
        (tmp_path / f"blend-{name}.mp4").write_bytes(video)
        meta = {"sha256": hashlib.sha256(b"clip").hexdigest(), "prefixes": prefixes}
        (tmp_path / f"blend-{name}.json").write_text(json.dumps(meta), encoding="utf-8")
        return tmp_path / f"blend-{name}.mp4"

    assert reusable_prefix(edited, quality, tmp_path) is None  # nothing cached
    other = replace(plan, beats=(replace(plan.beats[0], speech=7.0), *plan.beats[1:]))
    cached("a", prefix_keys(other, quality))  # its first beat differs: nothing to keep
    assert reusable_prefix(edited, quality, tmp_path) is None
    one = cached("b", prefix_keys(plan, quality)[:1] + ["x", "y"])  # only beat 0 in common
    assert reusable_prefix(edited, quality, tmp_path) == (one, 1)
    both = cached("c", prefix_keys(plan, quality))  # beats 0 and 1 in common
    assert reusable_prefix(edited, quality, tmp_path) == (both, 2)
    cached("c", prefix_keys(plan, quality), video=b"damaged")  # its checksum fails
    assert reusable_prefix(edited, quality, tmp_path) == (one, 1)


def test_clips_are_joined_from_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache is ``media/cache`` by default, relative to where the render runs: the
    join must not read its pieces relative to its own scratch folder."""
    monkeypatch.chdir(tmp_path)
    for name, frames in (("before.mp4", 30), ("after.mp4", 15)):
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=15",
             "-frames:v", str(frames), "-c:v", "libx264", "-g", "1", "-pix_fmt", "yuv420p", name],
            check=True,
        )  # fmt: skip
    Path("clips").mkdir()
    joined = join_clips(Path("before.mp4"), 10, Path("after.mp4"), Path("clips/joined.mp4"))
    assert framemd5(joined) == framemd5(Path("before.mp4"))[:10] + framemd5(Path("after.mp4"))
