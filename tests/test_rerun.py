"""A batch re-run skips a finished video only while everything it was made from is the same:
the render version, the project's code, Manim, the model's files and the voice engine's
version. Each ingredient is changed here and the decision must change with it; one real
batch shows a re-run after an engine upgrade rendering again.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from explainer.batch import runner as batch
from explainer.batch.runner import BatchOptions
from explainer.batch.variants import Variant
from explainer.cli.app import app
from explainer.plan import keys
from explainer.plan.script import Script, load_script
from explainer.voice import command

sys.path.insert(0, str(Path(__file__).parent / "reference"))
import tiny_models  # noqa: E402  (a trained model folder made here, 0.1 MB)

TINY = Path(__file__).parent / "data" / "tiny.toml"  # two short chapters, espeak
ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def base() -> Script:
    return load_script(TINY)


def _fingerprints(base: Script, variant: Variant) -> Callable[[], str]:
    options = BatchOptions()
    return lambda: batch._fingerprint(variant, base, "script-digest", options)


def test_the_same_inputs_give_the_same_fingerprint(base: Script) -> None:
    fingerprint = _fingerprints(base, Variant("The cat sat on the mat"))
    assert fingerprint() == fingerprint()
    assert len(fingerprint()) == 64


def test_a_new_render_version_re_renders(base: Script, monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprint = _fingerprints(base, Variant("The cat sat on the mat"))
    before = fingerprint()
    monkeypatch.setattr(keys, "RENDER_VERSION", keys.RENDER_VERSION + "-next")
    assert fingerprint() != before


def test_other_code_re_renders_and_the_same_code_elsewhere_does_not(
    base: Script, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project copied elsewhere is the same code; one module edited is not."""
    fingerprint = _fingerprints(base, Variant("The cat sat on the mat"))
    before = fingerprint()
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("attention", "scenes", "explainer"):
        shutil.copytree(ROOT / package, copy / package, ignore=ignore)
    shutil.copy2(ROOT / "manim.cfg", copy / "manim.cfg")
    monkeypatch.setattr(keys, "PROJECT_ROOT", copy)
    assert fingerprint() == before
    with (copy / "explainer" / "subtitles.py").open("a", encoding="utf-8") as module:
        module.write("\n# an upgrade that changes how subtitles are written\n")
    assert fingerprint() != before


def test_another_manim_re_renders(base: Script, monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprint = _fingerprints(base, Variant("The cat sat on the mat"))
    before = fingerprint()
    real = keys.version
    monkeypatch.setattr(keys, "version", lambda name: "0.99.0" if name == "manim" else real(name))
    assert fingerprint() != before


def test_other_model_files_re_render(base: Script, tmp_path: Path) -> None:
    """A trained model folder whose tokenizer.json gains one space (same name, same path)."""
    folder = tiny_models.write_tiny_bert(tmp_path / "bert", seed=0)
    fingerprint = _fingerprints(base, Variant("The cat sat on the mat", model=str(folder)))
    before = fingerprint()
    tokenizer = folder / "tokenizer.json"
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert fingerprint() != before


def test_another_voice_engine_version_re_renders(
    base: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint = _fingerprints(base, Variant("The cat sat on the mat"))  # espeak, the script's
    before = fingerprint()
    monkeypatch.setattr(command, "engine_version", lambda binary, package: "1.52-upgraded")
    assert fingerprint() != before


def test_a_voice_that_cannot_run_here_is_never_finished(tmp_path: Path, base: Script) -> None:
    """A missing recording: no fingerprint, so the render runs and says what is missing."""
    variant = Variant("The cat sat on the mat", voice=f"recorded:{tmp_path}")
    assert _fingerprints(base, variant)() == ""
    assert not batch._finished({"status": "ok", "fingerprint": "", "video": "x"}, "", tmp_path)


@pytest.mark.render
@pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
    reason="needs ffmpeg and espeak-ng",
)
def test_a_re_run_after_an_engine_upgrade_renders_the_video_again(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = tmp_path / "course.txt"
    course.write_text("The cat sat on the mat\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["batch", str(course), str(TINY), "--out", str(out), "--quality", "low",
            "--cache", str(tmp_path / "cache"), "--jobs", "1"]  # fmt: skip

    def run() -> str:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        return " ".join(result.stdout.split())  # the console wraps long lines

    def fingerprint() -> str:
        listed = json.loads((out / "batch.json").read_text(encoding="utf-8"))["variants"]
        return str(listed[0]["fingerprint"])

    assert "1 videos, 0 failed, 0 already done" in run()
    first = fingerprint()
    assert "1 videos, 0 failed, 1 already done" in run()  # nothing changed: skipped
    monkeypatch.setattr(command, "engine_version", lambda binary, package: "1.52-upgraded")
    assert "1 videos, 0 failed, 0 already done" in run()  # rendered again
    assert fingerprint() != first
    assert "1 videos, 0 failed, 1 already done" in run()  # and finished under the new one
