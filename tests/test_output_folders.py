"""Output folders: explainer replaces or deletes only files it wrote (its manifest says which).

A file of the user's where an output goes stops the command before it writes anything (one
line, exit 1, the folder byte-identical: no lock, scratch or manifest left either), unless
``--force``; the user's other files stay byte-identical whatever the command does. The
renders here reuse the session's tiny render (its voice and clip caches), so each command
only assembles.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import one_error_line
from lecture_helpers import TINY, copy_render, tiny_render
from typer.testing import CliRunner

from explainer.cli.app import app
from explainer.core import staging as staging_module
from explainer.core.errors import ExplainerError, OutputInTheWay
from explainer.core.manifest import LEGACY_MARKER, MANIFEST_NAME, Manifest
from explainer.core.staging import staged_outputs
from explainer.outputs.explore import EXPLORER_NUMBERS, EXPLORER_PAGE
from explainer.pipeline.conductor import render_outputs
from explainer.plan.script import load_script

__all__ = ["tiny_render"]  # the shared fixture, imported so pytest finds it

needs_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("ffmpeg", "espeak-ng")),
    reason="needs ffmpeg and espeak-ng",
)
HOW = "choose another --out, or add --force to overwrite outputs there"


def _tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, hidden ones included, by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _mine(folder: Path, *names: str) -> dict[str, str]:
    """Files of the user's at ``names`` (each with its own content); their SHA-256s."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"the user's own {name}\n".encode())
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names}


def _still(folder: Path, files: dict[str, str]) -> None:
    """Every one of ``files`` is still there with the same bytes."""
    assert {name: _tree(folder).get(name) for name in files} == files


# -- the commit, on its own ------------------------------------------------------------------


def _commit(
    out: Path,
    files: dict[str, str],
    *,
    force: bool = False,
    key: str | None = None,
    prune: bool = False,
) -> list[Path]:
    """One command's commit of ``files`` (relative name -> text) into ``out``."""
    with staged_outputs(out, force=force) as staging:
        if key is not None:
            assert staging.unchanged(key) is None
        for name, text in files.items():
            (staging.path / name).parent.mkdir(parents=True, exist_ok=True)
            (staging.path / name).write_text(text)
        return staging.commit(by="render v", key=key, prune=prune)


def _check(out: Path, names: list[str], *, force: bool = False) -> None:
    """One command's check, before any work, that nothing of the user's is at ``names``."""
    with staged_outputs(out, force=force) as staging:
        staging.check(names)


def test_a_file_in_the_way_stops_the_commit_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "talk"
    _mine(out, "v.mp4", "notes.txt")
    before = _tree(out)
    with pytest.raises(OutputInTheWay) as caught:
        _commit(out, {"v.mp4": "explainer's video", "v.srt": "explainer's subtitles"})
    assert str(caught.value) == f"{out}/v.mp4 is in the way (explainer did not write it); {HOW}"
    assert _tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "v.mp4"]  # no lock, no scratch


def test_force_replaces_the_file_in_the_way_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "talk"
    _mine(out, "v.mp4")
    kept = _mine(out, "notes.txt", "clips/my-intro.mp4")
    _commit(out, {"v.mp4": "explainer's video"}, force=True, prune=True)
    assert (out / "v.mp4").read_text() == "explainer's video"
    _still(out, kept)
    assert sorted(Manifest.read(out).files) == ["v.mp4"]  # explainer's now
    _commit(out, {"v.mp4": "a new video"})  # so the next commit replaces it without --force
    assert (out / "v.mp4").read_text() == "a new video"


def test_a_file_changed_since_explainer_wrote_it_is_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "talk"
    _commit(out, {"numbers.json": "[1]"})
    (out / "numbers.json").write_text("[2]")  # the same size, edited by hand
    with pytest.raises(OutputInTheWay, match=r"numbers.json is in the way \(changed since"):
        _commit(out, {"numbers.json": "[3]"})
    assert (out / "numbers.json").read_text() == "[2]"


def test_a_folder_where_a_file_goes_is_refused_even_with_force(tmp_path: Path) -> None:
    out = tmp_path / "talk"
    (out / "v.mp4").mkdir(parents=True)
    _mine(out, "clips")  # a file where explainer needs the clips folder
    with pytest.raises(OutputInTheWay) as caught:
        _check(out, ["v.mp4", "clips/01-tokens.mp4"], force=True)
    assert str(caught.value) == (
        f"{out}/v.mp4 is in the way (a folder, where explainer writes a file), and 1 more "
        "file; move it, or choose another --out"
    )
    with pytest.raises(OutputInTheWay, match="clips is in the way .a file where explainer nee"):
        _check(out, ["clips/01-tokens.mp4"], force=True)


def test_an_unreadable_manifest_is_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "talk"
    _mine(out, MANIFEST_NAME)
    with pytest.raises(OutputInTheWay, match=r"\.explainer\.json is in the way"):
        _check(out, ["v.mp4"])
    assert (out / MANIFEST_NAME).read_text() == f"the user's own {MANIFEST_NAME}\n"


def test_a_refused_command_leaves_no_folder_behind(tmp_path: Path) -> None:
    out = tmp_path / "new"
    with pytest.raises(ExplainerError, match="the script is broken"), staged_outputs(out):
        raise ExplainerError("the script is broken")
    assert not out.exists()


def test_a_commit_cut_short_leaves_its_files_explainers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "talk"
    _commit(out, {"a.srt": "old", "v.mp4": "old video"})
    real_replace = os.replace

    def full_at_the_video(source: str | Path, target: str | Path) -> None:
        if Path(target).name == "v.mp4":
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr(staging_module.os, "replace", full_at_the_video)
    with pytest.raises(ExplainerError, match="no space left"):
        _commit(out, {"a.srt": "new subtitles", "v.mp4": "new video, larger"})
    monkeypatch.undo()
    assert (out / "a.srt").read_text() == "new subtitles"  # moved before the disk filled
    _commit(out, {"a.srt": "newer", "v.mp4": "newer video"})  # both still explainer's
    assert (out / "v.mp4").read_text() == "newer video"


def test_an_old_render_marker_vouches_for_its_files_and_becomes_the_manifest(
    tmp_path: Path,
) -> None:
    # what the previous version left: its outputs, .render.json (key, sizes), an empty .lock
    out = tmp_path / "talk"
    old = {"v.mp4": "old video", "clips/01-a.mp4": "clip a", "clips/02-b.mp4": "clip b"}
    for name, text in old.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    sizes = {name: (out / name).stat().st_size for name in old}
    (out / LEGACY_MARKER).write_text(json.dumps({"key": "old", "files": sizes}))
    (out / ".lock").touch()
    kept = _mine(out, "clips/mine.mp4")
    with staged_outputs(out) as staging:
        assert staging.unchanged("old") == [Path(name) for name in old]
    _commit(out, {"clips/01-a.mp4": "new clip a", "v.mp4": "new video"}, key="new", prune=True)
    assert (out / "v.mp4").read_text() == "new video"
    assert not (out / "clips" / "02-b.mp4").exists()  # the old version's, of a removed chapter
    _still(out, kept)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "clips", "v.mp4"]
    assert sorted(Manifest.read(out).files) == ["clips/01-a.mp4", "v.mp4"]


# -- explore -----------------------------------------------------------------------------------


def test_explore_refuses_a_page_of_the_users_then_force_replaces_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "talk"
    _mine(out, EXPLORER_PAGE)
    kept = _mine(out, "notes.txt", "explorer.css", "clips/my-intro.mp4")
    before = _tree(out)
    result = runner.invoke(app, ["explore", "--out", str(out)])
    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"error: {out}/{EXPLORER_PAGE} is in the way (explainer did not write it); {HOW}"
    )
    assert _tree(out) == before
    forced = runner.invoke(app, ["explore", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "<!doctype html>" in (out / EXPLORER_PAGE).read_text(encoding="utf-8").lower()
    _still(out, kept)
    again = runner.invoke(app, ["explore", "--out", str(out), "--sentence", "A dog ran home"])
    assert again.exit_code == 0, again.output  # its own page now: no --force needed
    _still(out, kept)


def test_an_older_explore_output_is_replaced_without_force(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "talk"
    assert runner.invoke(app, ["explore", "--out", str(out)]).exit_code == 0
    (out / MANIFEST_NAME).unlink()  # an older version wrote the same two files, no record
    result = runner.invoke(app, ["explore", "--out", str(out), "--sentence", "A dog ran home"])
    assert result.exit_code == 0, result.output
    assert sorted(Manifest.read(out).files) == [EXPLORER_NUMBERS, EXPLORER_PAGE]
    # a page alone is no trace: it could be anyone's
    (out / MANIFEST_NAME).unlink()
    (out / EXPLORER_NUMBERS).unlink()
    assert runner.invoke(app, ["explore", "--out", str(out)]).exit_code == 1


# -- render and slides -------------------------------------------------------------------------

USER_FILES = (
    "notes.txt", "tiny-intro.mp4", "clips/my-intro.mp4", "slides/my-slide.html",
    "slides/segments/my-segment.mp4", "slides/posters/my-poster.png",
)  # fmt: skip


def _cli(*args: str, cache: Path) -> list[str]:
    return [*args, "-q", "low", "--cache", str(cache), "--jobs", "2", "--quiet"]


def _one_chapter_script(folder: Path) -> Path:
    """tests/data/tiny.toml without its second chapter, under the same name."""
    text = TINY.read_text(encoding="utf-8")
    folder.mkdir()
    script = folder / "tiny.toml"
    script.write_text(text[: text.index('[[scene]]\nid = "blend"')], encoding="utf-8")
    return script


@pytest.mark.render
@needs_tools
def test_slides_leave_every_user_file_byte_identical(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    out, cache = tmp_path / "talk", tiny_render["cache"]
    kept = _mine(out, *USER_FILES)
    runner = CliRunner()
    result = runner.invoke(app, _cli("slides", str(TINY), "--out", str(out), cache=cache))
    assert result.exit_code == 0, result.output
    _still(out, kept)
    # the names known before the render are exactly the files written
    written = set(Manifest.read(out).files)
    assert written == set(render_outputs(load_script(TINY), lecture=True))
    assert not written & set(USER_FILES)
    # a narrower export prunes explainer's own steps of the other chapter, not the user's
    narrower = runner.invoke(
        app, _cli("slides", str(TINY), "--scene", "blend", "--out", str(out), cache=cache)
    )
    assert narrower.exit_code == 0, narrower.output
    segments = sorted(p.name for p in (out / "slides" / "segments").iterdir())
    assert segments == ["02-1-blend-weigh.mp4", "02-2-blend-add.mp4", "02-3-blend-blend_bar.mp4",
                        "my-segment.mp4"]  # fmt: skip
    _still(out, kept)


@pytest.mark.render
@needs_tools
def test_render_refuses_a_users_clip_before_any_work_and_force_replaces_it(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    out, fresh = tmp_path / "talk", tmp_path / "fresh-cache"
    _mine(out, "clips/01-tokens.mp4", "numbers.json")
    kept = _mine(out, "notes.txt", "clips/my-intro.mp4")
    before = _tree(out)
    runner = CliRunner()
    result = runner.invoke(app, _cli("render", str(TINY), "--out", str(out), cache=fresh))
    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"error: {out}/clips/01-tokens.mp4 is in the way (explainer did not write it), "
        f"and 1 more file; {HOW}"
    )
    assert _tree(out) == before
    assert not fresh.exists(), "refused before a voice was made"
    forced = runner.invoke(
        app, _cli("render", str(TINY), "--out", str(out), "--force", cache=tiny_render["cache"])
    )
    assert forced.exit_code == 0, forced.output
    clip = tiny_render["out"] / "clips" / "01-tokens.mp4"
    assert (out / "clips" / "01-tokens.mp4").read_bytes() == clip.read_bytes()
    _still(out, kept)


@pytest.mark.render
@needs_tools
def test_slides_refuse_a_users_presenter_before_rendering(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    out, fresh = copy_render(tiny_render, tmp_path / "talk"), tmp_path / "fresh-cache"
    _mine(out, "slides/index.html")
    before = _tree(out)
    result = CliRunner().invoke(app, _cli("slides", str(TINY), "--out", str(out), cache=fresh))
    assert result.exit_code == 1
    assert f"{out}/slides/index.html is in the way" in one_error_line(result)
    assert _tree(out) == before
    assert not fresh.exists()


@pytest.mark.render
@needs_tools
def test_a_removed_chapters_own_clip_is_pruned_and_the_users_kept(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    out = copy_render(tiny_render, tmp_path / "talk")  # the two-chapter render
    assert sorted(p.name for p in (out / "clips").iterdir()) == ["01-tokens.mp4", "02-blend.mp4"]
    kept = _mine(out, *USER_FILES)
    script = _one_chapter_script(tmp_path / "one")
    result = CliRunner().invoke(
        app, _cli("render", str(script), "--out", str(out), cache=tiny_render["cache"])
    )
    assert result.exit_code == 0, result.output
    clips = sorted(p.name for p in (out / "clips").iterdir())
    assert clips == ["01-tokens.mp4", "my-intro.mp4"]
    _still(out, kept)


@pytest.mark.render
@needs_tools
def test_a_folder_of_the_previous_version_re_renders_without_force(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    # the previous version's folder: its outputs, .render.json listing them with their
    # sizes, and the empty .lock it left; no manifest
    out = copy_render(tiny_render, tmp_path / "talk")
    (out / MANIFEST_NAME).unlink()
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*")}
    sizes = {name: size for name, size in sizes.items() if (out / name).is_file()}
    (out / LEGACY_MARKER).write_text(json.dumps({"key": "an older key", "files": sizes}))
    (out / ".lock").touch()
    kept = _mine(out, "notes.txt", "clips/my-intro.mp4")
    script = _one_chapter_script(tmp_path / "one")
    result = CliRunner().invoke(
        app, _cli("render", str(script), "--out", str(out), cache=tiny_render["cache"])
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "clips").iterdir()) == ["01-tokens.mp4", "my-intro.mp4"]
    _still(out, kept)
    assert not (out / LEGACY_MARKER).exists()
    assert not (out / ".lock").exists()
    assert set(Manifest.read(out).files) == set(render_outputs(load_script(script)))


# -- batch -------------------------------------------------------------------------------------

SLUG = "the-cat-sat-on-the-mat"  # tiny's own sentence: its voices and clips are cached


def _batch(course: Path, out: Path, cache: Path, *extra: str) -> list[str]:
    return ["batch", str(course), str(TINY), "--out", str(out), "--quality", "low",
            "--cache", str(cache), "--quiet", "--jobs", "2", *extra]  # fmt: skip


def _course(tmp_path: Path, *lines: str) -> Path:
    course = tmp_path / "course.txt"
    course.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return course


@pytest.mark.render
@needs_tools
def test_batch_leaves_user_files_in_its_folder_and_a_variants_byte_identical(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    out, cache = tmp_path / "course", tiny_render["cache"]
    kept = _mine(out, "notes.txt", "course-intro.mp4", f"{SLUG}/mine.txt",
                 f"{SLUG}/clips/my-intro.mp4", f"{SLUG}/slides/index.html")  # fmt: skip
    course = _course(tmp_path, "The cat sat on the mat")
    runner = CliRunner()
    result = runner.invoke(app, _batch(course, out, cache))
    assert result.exit_code == 0, result.output
    _still(out, kept)
    assert sorted(Manifest.read(out).files) == ["batch.json", "index.html"]
    assert "poster.jpg" in Manifest.read(out / SLUG).files
    video = (out / SLUG / "tiny.mp4").stat().st_mtime_ns
    again = runner.invoke(app, _batch(course, out, cache))  # finished: skipped, pages rewritten
    assert again.exit_code == 0, again.output
    assert (out / SLUG / "tiny.mp4").stat().st_mtime_ns == video
    _still(out, kept)


@pytest.mark.render
@needs_tools
def test_batch_refuses_a_users_page_or_poster_before_rendering(
    tiny_render: dict[str, Path], tmp_path: Path
) -> None:
    out, fresh = tmp_path / "course", tmp_path / "fresh-cache"
    course = _course(tmp_path, "The cat sat on the mat")
    runner = CliRunner()
    for mine in ("index.html", "batch.json", f"{SLUG}/poster.jpg", f"{SLUG}/tiny.mp4"):
        shutil.rmtree(out, ignore_errors=True)
        _mine(out, mine)
        before = _tree(out)
        result = runner.invoke(app, _batch(course, out, fresh))
        assert result.exit_code == 1
        assert one_error_line(result) == (
            f"error: {out}/{mine} is in the way (explainer did not write it); {HOW}"
        )
        assert _tree(out) == before, mine
        assert not fresh.exists(), "refused before a voice was made"
    forced = runner.invoke(app, _batch(course, out, tiny_render["cache"], "--force"))
    assert forced.exit_code == 0, forced.output
    assert (out / SLUG / "poster.jpg").read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG now


def test_an_older_batch_folder_is_rewritten_without_force(
    runner: CliRunner, tmp_path: Path
) -> None:
    # an older batch left batch.json (its record of the variants) and index.html, no manifest
    out = tmp_path / "course"
    out.mkdir()
    record = {"slug": "xyzzy", "sentence": "xyzzy", "status": "failed", "error": "old"}
    (out / "batch.json").write_text(json.dumps({"script": "x", "variants": [record]}))
    (out / "index.html").write_text("<html>the older batch's page</html>")
    kept = _mine(out, "notes.txt")
    course = _course(tmp_path, "xyzzy")  # one word: fails at once, nothing to render
    result = runner.invoke(app, _batch(course, out, tmp_path / "cache"))
    assert result.exit_code == 1  # the variant failed; the folder was not refused
    assert "in the way" not in result.stderr
    (variant,) = json.loads((out / "batch.json").read_text())["variants"]
    assert "has only 1 token" in variant["error"]
    assert "older batch" not in (out / "index.html").read_text()
    _still(out, kept)
