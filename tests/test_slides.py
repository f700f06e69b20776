"""Lecture mode: beat segments, handout, deck, thumbnail and presenter files of a real render."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import one_error_line
from lecture_helpers import (
    TINY,
    copy_render,
    decoded_frames,
    exported_lecture,
    stream_durations,
    timeline,
    tiny_render,
)
from typer.testing import CliRunner

from explainer.cli.app import app
from explainer.core.errors import LectureError
from explainer.outputs.lecture import LectureInput, LectureReport, make_lecture
from explainer.outputs.lecture.segments import cut_scene

__all__ = ["tiny_render"]  # the shared fixture, imported so pytest finds it

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(
        any(shutil.which(t) is None for t in ("ffmpeg", "espeak-ng", "pdftotext")),
        reason="needs ffmpeg, espeak-ng and poppler-utils (make setup installs them)",
    ),
]


@pytest.fixture(scope="module")
def lecture(
    tiny_render: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[LectureInput, LectureReport]:
    """The lecture exports of the tiny render, made once for this module."""
    return exported_lecture(tiny_render, tmp_path_factory, "slides")


def _beats(out: Path) -> list[tuple[dict, dict]]:
    return [(scene, beat) for scene in timeline(out)["scenes"] for beat in scene["beats"]]


def _words(text: str) -> str:
    return " ".join(text.split())


# -- segments -------------------------------------------------------------------------------


def test_every_beat_has_a_segment_exactly_as_long_as_its_slot(lecture) -> None:
    made, report = lecture
    beats = _beats(made.out_dir)
    assert len(report.segments) == len(beats) == 6
    fps = timeline(made.out_dir)["fps"]
    for path, (_, beat) in zip(report.segments, beats, strict=True):
        assert decoded_frames(path) == beat["frames"], path.name
        durations = stream_durations(path)
        assert durations["video"] == pytest.approx(beat["frames"] / fps, abs=0.5 / fps)
        # the narration slice is sample-exact; AAC only rounds the container's duration
        assert durations["audio"] == pytest.approx(beat["frames"] / fps, abs=0.01)


def test_segments_concatenated_are_the_chapter_clip(lecture, tmp_path: Path) -> None:
    made, report = lecture
    for scene in made.scenes:
        parts = [p for p in report.segments if f"-{scene.id}-" in p.name]
        listing = tmp_path / f"{scene.id}.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in parts))
        joined = tmp_path / f"{scene.id}.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
             "-c", "copy", str(joined)],
            check=True,
        )  # fmt: skip
        assert decoded_frames(joined) == decoded_frames(scene.clip) == scene.frames


def test_segments_are_stream_copies_cut_at_the_beats_keyframes(lecture) -> None:
    _, report = lecture
    assert set(report.cut.values()) == {"copy"}


def test_re_encoding_gives_the_same_frames(lecture, tmp_path: Path) -> None:
    made, _ = lecture
    scene = made.scenes[0]
    cut = cut_scene(scene, tmp_path / "out", tmp_path / "work", made.fps, method="re-encode")
    assert cut.method == "re-encode"
    assert [decoded_frames(p) for p in cut.segments] == [b.frames for b in scene.beats]


def test_posters_are_each_beats_last_frame(lecture) -> None:
    made, report = lecture
    from PIL import Image

    assert len(report.posters) == 6
    for poster in report.posters:
        with Image.open(poster) as image:
            assert image.size == (854, 480)


# -- handout, deck, thumbnail ---------------------------------------------------------------


def _pdf_page_text(pdf: Path, page: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return _words(done.stdout)


def test_handout_has_a_title_page_and_one_page_per_beat_with_its_narration(lecture) -> None:
    made, report = lecture
    info = subprocess.run(["pdfinfo", str(report.handout)], capture_output=True, text=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    beats = made.beats()
    assert pages == len(beats) + 1
    assert made.title in _pdf_page_text(report.handout, 1)
    for page, (scene, beat) in enumerate(beats, start=2):
        text = _pdf_page_text(report.handout, page)
        assert _words(beat.text) in text, (page, text)
        assert f"{scene.chapter} · {scene.title}" in text
    spoken = [(i, b) for i, (_, b) in enumerate(beats, start=2) if b.spoken]
    assert spoken, "the tiny script says a weight"
    page, beat = spoken[0]
    assert f"Said on screen: {beat.spoken[0].shown}" in _pdf_page_text(report.handout, page)


def test_handout_fonts_are_embedded(lecture) -> None:
    _, report = lecture
    fonts = subprocess.run(["pdffonts", str(report.handout)], capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column


def test_deck_has_one_slide_per_beat_with_its_video_and_notes(lecture) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    made, report = lecture
    deck = Presentation(str(report.deck))
    slides = list(deck.slides)
    assert len(slides) == len(made.beats())
    for slide, (_, beat) in zip(slides, made.beats(), strict=True):
        movies = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        media = [r.target_part for r in slide.part.rels.values() if "media" in r.reltype]
        assert any(part.content_type == "video/mp4" for part in media)
        assert slide.has_notes_slide
        assert slide.notes_slide.notes_text_frame.text.startswith(beat.text)


def test_thumbnail_is_1280x720_png(lecture) -> None:
    from PIL import Image

    _, report = lecture
    with Image.open(report.thumbnail) as image:
        assert (image.format, image.size) == ("PNG", (1280, 720))


# -- the presenter's files --------------------------------------------------------------------


def test_presenter_is_offline_and_names_every_beat(lecture) -> None:
    made, report = lecture
    slides = report.presenter.parent
    page = report.presenter.read_text(encoding="utf-8")
    beats = re.findall(r'data-beat="([^"]+)"', page)
    assert beats == [f"{s.id}/{b.id}" for s, b in made.beats()]
    for name in ("index.html", "presenter.js", "presenter.css"):
        text = (slides / name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), name
    for reference in re.findall(r'(?:src|href|data-src|data-poster)="([^"#:]+)"', page):
        assert (slides / reference).is_file(), reference
    assert "said: " in page  # a spoken number is listed in the speaker notes
    # each step links the explorer the render wrote, at its chapter's view
    links = re.findall(r'data-explore="([^"]+)"', page)
    assert links == ["../explorer.html#tokens"] * 3 + ["../explorer.html#blend"] * 3
    assert (slides / ".." / "explorer.html").is_file()


def test_a_render_without_an_explorer_gets_no_link(tiny_render, tmp_path: Path) -> None:
    out = copy_render(tiny_render, tmp_path / "tiny")
    (out / "explorer.html").unlink()
    page = make_lecture(LectureInput.from_render(out)).presenter.read_text(encoding="utf-8")
    assert "data-explore" not in page
    assert 'id="explore-button" title="Explore this chapter\'s numbers (E)" hidden' in page


# -- options, errors, atomicity --------------------------------------------------------------


def test_silent_segments_have_no_audio(tiny_render, tmp_path: Path) -> None:
    out = copy_render(tiny_render, tmp_path / "tiny")
    report = make_lecture(LectureInput.from_render(out, silent=True))
    for segment in report.segments:
        assert set(stream_durations(segment)) == {"video"}
    # the chapter clips keep their narration
    assert "audio" in stream_durations(next((out / "clips").glob("*.mp4")))


def test_scene_limits_the_chapters_and_removes_old_steps(lecture, tmp_path: Path) -> None:
    made, _ = lecture
    out = tmp_path / "tiny"
    shutil.copytree(made.out_dir, out, ignore=shutil.ignore_patterns(".lock"))
    report = make_lecture(LectureInput.from_render(out, scene_ids=["blend"]))
    assert [p.name.split("-")[2] for p in report.segments] == ["blend"] * 3
    assert sorted(p.name for p in (out / "slides" / "segments").iterdir()) == sorted(
        p.name for p in report.segments
    )
    assert 'data-beat="tokens/' not in report.presenter.read_text(encoding="utf-8")


def test_interrupted_export_leaves_the_previous_outputs(lecture, tmp_path, monkeypatch) -> None:
    made, _ = lecture
    out = tmp_path / "tiny"
    shutil.copytree(made.out_dir, out, ignore=shutil.ignore_patterns(".lock"))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("explainer.outputs.lecture.write_deck", interrupted)
    with pytest.raises(KeyboardInterrupt):
        make_lecture(LectureInput.from_render(out))
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    assert after == before
    assert not list(out.glob(".partial-*"))


def test_not_a_render_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LectureError, match="timeline.json: missing.*explainer render"):
        LectureInput.from_render(tmp_path)
    with pytest.raises(LectureError, match="no such render folder"):
        LectureInput.from_render(tmp_path / "nope")


def test_clip_of_another_render_is_one_clear_error(tiny_render, tmp_path: Path) -> None:
    out = copy_render(tiny_render, tmp_path / "tiny")
    clips = sorted((out / "clips").glob("*.mp4"))
    shutil.copy(clips[1], clips[0])  # the tokens clip replaced by the blend clip
    with pytest.raises(LectureError, match="frames but timeline.json"):
        make_lecture(LectureInput.from_render(out))
    assert not (out / "slides").exists()


def test_unknown_scene_is_one_clear_error(tiny_render, tmp_path: Path) -> None:
    out = copy_render(tiny_render, tmp_path / "tiny")
    with pytest.raises(LectureError, match="scene 'nope' is not in the render"):
        LectureInput.from_render(out, scene_ids=["nope"])


def test_cli_slides_renders_from_cache_then_exports(tiny_render, tmp_path: Path) -> None:
    out = copy_render(tiny_render, tmp_path / "tiny")
    result = CliRunner().invoke(
        app,
        ["slides", str(TINY), "--quality", "low", "--out", str(out),
         "--cache", str(tiny_render["cache"]), "--jobs", "2", "--silent"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "6 steps" in result.output
    for name in ("slides/index.html", "tiny-handout.pdf", "tiny.pptx", "thumbnail.png"):
        assert (out / name).is_file(), name


def test_cli_slides_bad_script_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["slides", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "no such script" in one_error_line(result)
