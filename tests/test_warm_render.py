"""The watch's warm render process (:mod:`explainer.live.warm`) gives what a fresh render
gives: after an edit of one beat, its video (pictures and sound, decoded frame by frame),
clips, subtitles, timeline (but for its cache folder) and numbers equal those of
``explainer render`` of the edited script with an empty cache, run as its own process.

One tiny render from the cache (the session's shared tiny render), one re-render of its
last chapter from the edited beat, one cold render of the edited script: about 15 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from lecture_helpers import TINY, tiny_render

from explainer.core.quality import Quality
from explainer.live.session import WarmRender, warm_command
from explainer.live.warm import RenderOptions

__all__ = ["tiny_render"]  # the shared fixture, imported so pytest finds it

ROOT = Path(__file__).resolve().parents[1]


def framemd5(path: Path) -> list[str]:
    """Every decoded video frame's and audio packet's MD5, by ffmpeg (not by our code)."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0", "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if not line.startswith("#")]


def test_a_warm_render_after_an_edit_is_a_fresh_render_of_the_edited_script(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    cache, script, out = tmp_path / "cache", tmp_path / "tiny.toml", tmp_path / "out"
    shutil.copytree(tiny_render["cache"], cache)
    script.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    options = RenderOptions(script, out, quality=Quality.low, cache=cache, jobs=2)
    with WarmRender(warm_command(options)) as render:
        first = render([])
        assert first.ok, first.error
        text = script.read_text(encoding="utf-8")
        assert '"Add them up."' in text
        script.write_text(text.replace('"Add them up."', '"Now add them all up."'))
        edited = render([str(script)])
        assert edited.ok, edited.error
    fresh = tmp_path / "fresh"
    subprocess.run(
        [sys.executable, "-m", "explainer", "render", str(script), "--quality", "low", "--out",
         str(fresh), "--cache", str(tmp_path / "empty-cache"), "--jobs", "2", "--quiet"],
        check=True, cwd=ROOT,
    )  # fmt: skip
    assert "Now add them all up." in (out / "tiny.srt").read_text(encoding="utf-8")
    for name in ("tiny.srt", "tiny.vtt", "numbers.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    # the timeline names each beat's WAV in its render's own cache folder
    ours = (out / "timeline.json").read_text(encoding="utf-8").replace(str(cache), "CACHE")
    theirs = (fresh / "timeline.json").read_text(encoding="utf-8")
    assert ours == theirs.replace(str(tmp_path / "empty-cache"), "CACHE")
    videos = ["tiny.mp4", *(f"clips/{p.name}" for p in sorted((fresh / "clips").iterdir()))]
    assert len(videos) == 3
    for name in videos:
        assert framemd5(out / name) == framemd5(fresh / name), name
