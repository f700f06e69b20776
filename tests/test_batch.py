"""`explainer batch`: the variants file, the overview page, and a real batch in local processes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import one_error_line
from typer.testing import CliRunner

from explainer.batch.page import write_index
from explainer.batch.variants import Variant, read_variants, slugs
from explainer.cli.app import app
from explainer.core.errors import ScriptError

TINY = Path(__file__).parent / "data" / "tiny.toml"


def test_a_text_file_lists_sentences_and_optional_focus(tmp_path: Path) -> None:
    course = tmp_path / "course.txt"
    course.write_text(
        "# the seeds\n\nThe bank by the river | bank\n  A bat flew  \nThe bank by the river|bank\n",
        encoding="utf-8",
    )
    variants = read_variants(course)
    assert [(v.sentence, v.focus) for v in variants] == [
        ("The bank by the river", "bank"),
        ("A bat flew", None),
    ]  # the repeated line is one video
    assert variants[1].where == f"{course}:4"


def test_a_toml_file_lists_variants_with_voice_and_model(tmp_path: Path) -> None:
    course = tmp_path / "course.toml"
    course.write_text(
        '[[variant]]\nsentence = "The hot dog was cold"\nfocus = "dog"\nvoice = "espeak"\n\n'
        '[[variant]]\nsentence = "A cat sat"\nmodel = "hand"\n',
        encoding="utf-8",
    )
    assert read_variants(course) == [
        Variant("The hot dog was cold", "dog", "espeak", None, f"{course}: variant 1"),
        Variant("A cat sat", None, None, "hand", f"{course}: variant 2"),
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.txt", "ok sentence\na | b | c\n", "a.txt:2: more than one '|'"),
        ("a.txt", " | focus\n", "a.txt:1: no sentence before '|'"),
        ("a.txt", "# only a comment\n\n", "a.txt: no sentence in it"),
        ("a.toml", '[[variant]]\nsentense = "x y"\n', "a.toml: variant 1: unknown key 'sentense'"),
        ("a.toml", '[[variant]]\nfocus = "x"\n', "a.toml: variant 1: no sentence"),
        ("a.toml", "[[variant]\n", "a.toml: not valid TOML"),
    ],
)
def test_a_bad_variants_file_names_the_line_and_the_fix(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError) as caught:
        read_variants(path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_folder_names_are_readable_and_unique() -> None:
    names = slugs([Variant("The Bank, by the river!"), Variant("the bank by the river"),
                   Variant("A bat", "bat")])  # fmt: skip
    assert names[2] == "a-bat--bat"
    assert names[0] != names[1]
    assert all(n.startswith("the-bank-by-the-river-") for n in names[:2])


def test_the_page_escapes_what_the_user_wrote(tmp_path: Path) -> None:
    record = {"slug": "x", "sentence": "<b>bold</b> & co", "focus": None, "voice": None,
              "status": "failed", "error": "sentence '<b>' has 1 token"}  # fmt: skip
    page = write_index(tmp_path, [record], "A <course>").read_text(encoding="utf-8")
    assert "<b>bold" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "<title>A &lt;course&gt;</title>" in page
    assert "0 of 1 videos, 1 failed" in page


def test_a_missing_variants_file_is_one_line(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["batch", str(tmp_path / "nope.txt"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "nope.txt: no such file" in one_error_line(result)


@pytest.mark.render
@pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
    reason="needs ffmpeg and espeak-ng",
)
def test_a_batch_renders_each_variant_records_failures_and_skips_finished_ones(
    tmp_path: Path, runner: CliRunner
) -> None:
    course = tmp_path / "course.txt"
    course.write_text("The cat sat on the mat\nxyzzy\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["batch", str(course), str(TINY), "--out", str(out), "--quality", "low",
            "--cache", str(tmp_path / "cache"), "--quiet", "--jobs", "1"]  # fmt: skip
    first = runner.invoke(app, args)
    assert first.exit_code == 1  # one variant failed; the other was rendered
    manifest = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    good, bad = manifest["variants"]
    assert (good["status"], good["video"], good["error"]) == (
        "ok", "the-cat-sat-on-the-mat/tiny.mp4", None
    )  # fmt: skip
    timeline = json.loads((out / good["slug"] / "timeline.json").read_text(encoding="utf-8"))
    assert good["duration"] == pytest.approx(timeline["duration"], abs=0.01)
    assert (out / good["poster"]).stat().st_size > 1000
    assert bad["status"] == "failed"
    assert bad["video"] is None
    assert "'xyzzy' has only 1 token" in bad["error"]
    assert "failed: xyzzy: " in first.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="the-cat-sat-on-the-mat/tiny.mp4"' in page
    assert "has only 1 token" in page

    video = out / good["video"]
    before = video.stat().st_mtime_ns
    second = runner.invoke(app, [*args[:-3], "--jobs", "1"])  # the same batch, shown
    assert "1 already done" in second.stdout
    assert video.stat().st_mtime_ns == before  # skipped, not re-rendered
