"""End to end: render the tiny script at low quality and inspect the outputs with ffprobe."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import ffmpeg_loudness
from typer.testing import CliRunner

from attention.numbers.ledger import NumbersLedger
from attention.numbers.verify import verify
from attention.spec import ExampleSpec
from attention.worked.example import example_for
from explainer.cli.app import app
from explainer.core.errors import OutputInTheWay
from explainer.core.quality import Quality
from explainer.pipeline.conductor import render_video
from explainer.plan import keys as keys_module
from explainer.plan.keys import clip_key
from explainer.plan.script import load_script
from scenes.plan import Beat, ScenePlan

TINY = Path(__file__).parent / "data" / "tiny.toml"
FPS = 15  # low quality
_REAL_CHAPTER_DIGEST = keys_module.chapter_digest  # the render fixture freezes it for a while

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(
        shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
        reason="needs ffmpeg and espeak-ng",
    ),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One real render shared by every assertion below (a cold cache of its own)."""
    root = tmp_path_factory.mktemp("e2e")
    out, cache = root / "out", root / "cache"
    # freeze the scene-source hash: other people editing scenes/ while the tests run must
    # not turn the cache tests below into misses (test_source_edit_changes_the_key covers it)
    frozen = {name: keys_module.chapter_digest(name) for name in ("Tokens", "ValueBlend")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys_module, "chapter_digest", frozen.__getitem__)
        result = CliRunner().invoke(
            app,
            ["render", str(TINY), "--quality", "low", "--out", str(out), "--cache", str(cache),
             "--jobs", "2", "--quiet"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        yield {"out": out, "cache": cache}


def _probe(path: Path, *args: str) -> dict:
    done = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def _timeline(out: Path) -> dict:
    return json.loads((out / "timeline.json").read_text())


def _script_toml() -> dict:
    return tomllib.loads(TINY.read_text())


def test_video_has_one_h264_and_one_aac_stream(rendered: dict[str, Path]) -> None:
    streams = _probe(rendered["out"] / "tiny.mp4", "-show_streams")["streams"]
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert [s["codec_name"] for s in video] == ["h264"]
    assert [s["codec_name"] for s in audio] == ["aac"]
    assert (video[0]["width"], video[0]["height"]) == (854, 480)


def test_duration_matches_the_timeline_within_one_frame(rendered: dict[str, Path]) -> None:
    timeline = _timeline(rendered["out"])
    expected = sum(s["frames"] for s in timeline["scenes"]) / FPS
    probed = _probe(rendered["out"] / "tiny.mp4", "-show_format", "-show_streams")
    assert abs(float(probed["format"]["duration"]) - expected) <= 1 / FPS
    video = next(s for s in probed["streams"] if s["codec_type"] == "video")
    assert int(video["nb_frames"]) == sum(s["frames"] for s in timeline["scenes"])


def test_chapters_carry_the_scene_titles(rendered: dict[str, Path]) -> None:
    chapters = _probe(rendered["out"] / "tiny.mp4", "-show_chapters")["chapters"]
    titles = [scene["title"] for scene in _script_toml()["scene"]]
    assert [c["tags"]["title"] for c in chapters] == titles
    timeline = _timeline(rendered["out"])
    starts = [s["start_frame"] / FPS for s in timeline["scenes"]]
    assert [float(c["start_time"]) for c in chapters] == pytest.approx(starts, abs=0.002)


def _cues(text: str) -> list[tuple[float, float, str]]:
    stamp = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            times = re.findall(stamp, line)
            if "-->" in line and len(times) == 2:
                start, end = (int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
                              for h, m, s, ms in times)  # fmt: skip
                cues.append((start, end, " ".join(lines[i + 1 :])))
    return cues


@pytest.mark.parametrize("suffix", ["srt", "vtt"])
def test_subtitles_cover_every_beat(rendered: dict[str, Path], suffix: str) -> None:
    text = (rendered["out"] / f"tiny.{suffix}").read_text()
    if suffix == "vtt":
        assert text.startswith("WEBVTT")
    cues = _cues(text)
    timeline = _timeline(rendered["out"])
    for scene in timeline["scenes"]:
        for beat in scene["beats"]:
            start = beat["start_frame"] / FPS
            end = start + beat["frames"] / FPS
            inside = [c for c in cues if c[0] >= start - 0.002 and c[1] <= end + 0.002]
            said = " ".join(c[2] for c in inside)
            assert said.split() == beat["text"].split(), (beat["id"], said)


def test_every_clip_exists_with_video_and_audio(rendered: dict[str, Path]) -> None:
    scenes = _script_toml()["scene"]
    timeline = _timeline(rendered["out"])
    for number, (scene, timing) in enumerate(zip(scenes, timeline["scenes"], strict=True), 1):
        clip = rendered["out"] / "clips" / f"{number:02d}-{scene['id']}.mp4"
        probed = _probe(clip, "-show_streams", "-show_format")
        kinds = sorted(s["codec_type"] for s in probed["streams"])
        assert kinds == ["audio", "video"], clip
        assert abs(float(probed["format"]["duration"]) - timing["frames"] / FPS) <= 1 / FPS


def test_numbers_json_verifies(rendered: dict[str, Path]) -> None:
    numbers = json.loads((rendered["out"] / "numbers.json").read_text())
    assert numbers["sentence"] == _script_toml()["video"]["sentence"]
    assert len(numbers["entries"]) > 0
    assert {e["scene"] for e in numbers["entries"]} >= {"tokens"}
    spec = ExampleSpec.from_dict(numbers)
    assert verify(NumbersLedger.from_dict(numbers), example_for(spec)) == []
    # the narration's one decimal (the top weight) is paired with the number blend shows
    assert [(s["scene"], s["beat"]) for s in numbers["spoken"]] == [("blend", "blend_bar")]
    # written by the ledger's own serialiser
    text = (rendered["out"] / "numbers.json").read_text(encoding="utf-8")
    assert NumbersLedger.from_dict(numbers).to_json(spec) == text
    assert numbers["model"] == "hand"


def test_the_explorer_beside_the_video_shows_numbers_jsons_explorer_entries(
    rendered: dict[str, Path],
) -> None:
    numbers = json.loads((rendered["out"] / "numbers.json").read_text())
    recorded = {e["source"]: e["shown"] for e in numbers["entries"] if e["scene"] == "explorer"}
    assert recorded["weights[2, 1]"] == "0.35"  # the video's sat -> cat
    page = (rendered["out"] / "explorer.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page)
    assert data is not None
    assert json.loads(data.group(1))["shown"] == recorded
    assert json.loads(data.group(1))["sentence"] == numbers["sentence"]


def test_loudness_is_minus_16_lufs_with_true_peak_under_minus_1(
    rendered: dict[str, Path],
) -> None:
    integrated, peak = ffmpeg_loudness(rendered["out"] / "tiny.mp4")
    assert -17.0 <= integrated <= -15.0
    assert peak <= -1.0


def test_each_beat_is_heard_from_its_start_frame(rendered: dict[str, Path]) -> None:
    rate = 48_000
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(rendered["out"] / "tiny.mp4"), "-map", "0:a",
         "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    audio = np.frombuffer(pcm, dtype="<i2").astype(float) / 32768
    timeline = _timeline(rendered["out"])
    beats = [b for s in timeline["scenes"] for b in s["beats"]]
    for beat in beats[1:]:  # every beat after the first follows a pause of >= 0.2 s
        start = round(beat["start_frame"] * rate / FPS)
        before = audio[start - rate // 10 : start - rate // 100]  # the pause before it
        after = audio[start : start + rate // 4]  # its first quarter second
        assert np.sqrt(np.mean(before**2)) < 0.01, beat["id"]
        assert np.abs(after).max() > 0.05, beat["id"]


def test_rerender_uses_the_cache_and_detects_a_corrupt_clip(rendered: dict[str, Path]) -> None:
    script = load_script(TINY)
    again = render_video(
        script, quality=Quality.low, out_dir=rendered["out"], cache_dir=rendered["cache"], jobs=1
    )
    assert again.rendered == []
    assert again.cached == ["tokens", "blend"]
    assert again.voices_synthesised == []
    assert not again.assembled  # nothing changed: the outputs were left as they were
    assert again.video.is_file()
    assert [c.name for c in again.clips] == ["01-tokens.mp4", "02-blend.mp4"]

    (rendered["out"] / "tiny.srt").write_text("1\n")  # damaged, or edited: not explainer's now
    with pytest.raises(OutputInTheWay, match=r"tiny.srt is in the way \(changed since"):
        render_video(script, quality=Quality.low, out_dir=rendered["out"],
                     cache_dir=rendered["cache"], jobs=1)  # fmt: skip
    assert (rendered["out"] / "tiny.srt").read_text() == "1\n"
    rebuilt = render_video(
        script, quality=Quality.low, out_dir=rendered["out"], cache_dir=rendered["cache"], jobs=1,
        force=True,
    )  # fmt: skip
    assert rebuilt.assembled
    assert rebuilt.rendered == []
    assert "-->" in (rendered["out"] / "tiny.srt").read_text()

    cached = sorted((rendered["cache"] / "clips").glob("blend-*.mp4"))
    assert len(cached) == 1
    data = cached[0].read_bytes()
    cached[0].write_bytes(data[: len(data) // 2])  # a render killed while writing the cache
    repaired = render_video(
        script, quality=Quality.low, out_dir=rendered["out"], cache_dir=rendered["cache"], jobs=1
    )
    assert repaired.rendered == ["blend"]
    assert repaired.cached == ["tokens"]


def _fake_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two chapters importing a kit, and the narration base, in a project of their own."""
    (root / "scenes").mkdir()
    for module, code in (
        ("__init__", ""), ("s1_tokens", "import scenes.kit\n"),
        ("s3_scores", "import scenes.kit\n"), ("narration", "x = 1\n"), ("kit", "x = 1\n"),
    ):  # fmt: skip
        (root / "scenes" / f"{module}.py").write_text(code)
    monkeypatch.setattr(keys_module, "PROJECT_ROOT", root)
    monkeypatch.setattr(keys_module, "chapter_digest", _REAL_CHAPTER_DIGEST)
    keys_module.module_closure.cache_clear()
    monkeypatch.setattr(keys_module, "module_closure", keys_module.module_closure.__wrapped__)


def test_source_edit_changes_the_key_but_beat_wording_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_project(tmp_path, monkeypatch)
    plan = ScenePlan(
        "s", "S", 1, "Tokens", (Beat("a", "Hello.", 1.0, 0.3),), ExampleSpec("The cat sat")
    )
    reworded = ScenePlan(
        "s", "S", 1, "Tokens", (Beat("a", "Hi!", 1.0, 0.3),), ExampleSpec("The cat sat")
    )
    longer = ScenePlan(
        "s", "S", 1, "Tokens", (Beat("a", "Hello.", 1.5, 0.3),), ExampleSpec("The cat sat")
    )
    key = clip_key(plan, Quality.low)
    assert clip_key(reworded, Quality.low) == key
    assert clip_key(longer, Quality.low) != key
    assert clip_key(plan, Quality.high) != key
    (tmp_path / "scenes" / "kit.py").write_text("x = 2\n")  # the kit: every chapter
    assert clip_key(plan, Quality.low) != key


def test_editing_one_chapter_re_keys_that_chapter_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_project(tmp_path, monkeypatch)
    beats = (Beat("a", "Hello.", 1.0, 0.3),)
    tokens = ScenePlan("tokens", "T", 1, "Tokens", beats, ExampleSpec("The cat sat"))
    scores = ScenePlan("scores", "S", 3, "Scores", beats, ExampleSpec("The cat sat"))
    before = clip_key(tokens, Quality.low), clip_key(scores, Quality.low)
    (tmp_path / "scenes" / "s3_scores.py").write_text("x = 2\n")
    assert clip_key(tokens, Quality.low) == before[0]
    assert clip_key(scores, Quality.low) != before[1]
    (tmp_path / "scenes" / "narration.py").write_text("x = 2\n")  # shared by all
    assert clip_key(tokens, Quality.low) != before[0]


def test_scene_option_renders_a_video_of_just_that_scene(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "one"
    result = CliRunner().invoke(
        app,
        ["render", str(TINY), "-q", "low", "--scene", "blend", "--out", str(out),
         "--cache", str(rendered["cache"]), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "clips").iterdir()] == ["02-blend.mp4"]  # chapter kept
    chapters = _probe(out / "tiny.mp4", "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Blend the values"]
    timeline = _timeline(out)
    assert [s["id"] for s in timeline["scenes"]] == ["blend"]


def test_every_clip_played_alone_is_at_minus_16_lufs(rendered: dict[str, Path]) -> None:
    for clip in sorted((rendered["out"] / "clips").glob("*.mp4")):
        integrated, peak = ffmpeg_loudness(clip)
        assert abs(integrated - (-16.0)) <= 0.5, clip.name
        assert peak <= -1.0, clip.name


def test_editing_a_line_redoes_only_that_scenes_audio(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    audio_cache = rendered["cache"] / "audio"
    before = {p.name: p.stat().st_mtime_ns for p in audio_cache.glob("*.m4a")}
    assert {name.split("-")[0] for name in before} == {"tokens", "blend"}
    edited = tmp_path / "tiny.toml"
    edited.write_text(TINY.read_text().replace('"Add them up."', '"Now add them all up."'))
    report = render_video(
        load_script(edited), quality=Quality.low, out_dir=tmp_path / "out",
        cache_dir=rendered["cache"], jobs=2,
    )  # fmt: skip
    assert report.voices_synthesised == ["blend/add"]
    assert report.rendered == ["blend"]
    after = {p.name: p.stat().st_mtime_ns for p in audio_cache.glob("*.m4a")}
    new = sorted(set(after) - set(before))
    assert [name.split("-")[0] for name in new] == ["blend"]  # one new entry, for blend
    assert {name: after[name] for name in before} == before  # the others untouched
    integrated, peak = ffmpeg_loudness(report.video)
    assert abs(integrated - (-16.0)) <= 0.5
    assert peak <= -1.0
