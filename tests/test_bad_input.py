"""Bad input through the CLI: odd sentences and focus words, escaping names, ``--debug``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from helpers import one_error_line
from typer.testing import CliRunner

from attention.spec import ExampleSpec
from explainer.audio.voice_cache import synthesize_beats
from explainer.cli.app import app
from explainer.core.errors import VoiceError
from explainer.voice.engines import FestivalVoice, speakable_ascii
from scenes.plan import Beat, ScenePlan

TINY = Path(__file__).parent / "data" / "tiny.toml"
ROOT = Path(__file__).resolve().parents[1]


# -- sentences and focus words -----------------------------------------------------------------

# tokens counted by hand: words as people read them (didn't, bird's one token each),
# punctuation marks are not tokens
SEVENTEEN_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen"
)
SIXTEEN_WITH_PUNCTUATION = (
    "The cat didn't sit, the dog wasn't there, and the bird's song was too loud today!"
)
SEVENTEEN_WITH_PUNCTUATION = (
    "The cat didn't sit, the dog wasn't there, and the bird's song was far too loud today!"
)


@pytest.mark.parametrize(
    ("sentence", "focus", "expected"),
    [
        (SEVENTEEN_WORDS, None, "has 17 tokens"),
        (SEVENTEEN_WITH_PUNCTUATION, None, "has 17 tokens"),
        ("The cat sat", "dog", "focus 'dog' is not a token of 'The cat sat'"),
        ("The cat sat", "ca", "focus 'ca' is not a token"),  # a part of a word is not a token
        ("The cat sat", "   ", "is not a token of 'The cat sat'"),
        ("Hello", None, "only 1 token"),
        ("\t \n", None, "has no words"),
    ],
)
def test_unusable_sentence_or_focus_is_one_line_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, sentence: str, focus: str | None, expected: str
) -> None:
    out = tmp_path / "out"
    args = ["render", str(TINY), "-q", "low", "--out", str(out), "--sentence", sentence]
    result = runner.invoke(app, args + (["--focus", focus] if focus is not None else []))
    assert result.exit_code == 1
    line = one_error_line(result)
    assert expected in line
    assert str(TINY) in line  # where: the script the sentence was meant for
    assert not out.exists()  # checked before anything is written


def test_a_focus_not_in_the_sentence_lists_the_tokens(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--sentence", "The cat sat", "--focus", "dog"])
    assert result.exit_code == 1
    assert one_error_line(result).endswith("choose one of The, cat, sat")


def test_sixteen_tokens_is_the_most_that_works(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--sentence", SIXTEEN_WITH_PUNCTUATION])
    assert result.exit_code == 0, result.output
    shown = result.stdout.splitlines()[0].split("focus:")[0]
    assert shown.split(":", 1)[1].split(" | ") == [
        " The", "cat", "didn't", "sit", "the", "dog", "wasn't", "there", "and", "the",
        "bird's", "song", "was", "too", "loud", "today   "
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "focus", "tokens"),
    [
        # accents, a non-Latin script and an emoji are tokens like any other word
        ("Le café 😀 était naïf", "café", ["Le", "café", "😀", "était", "naïf"]),
        ("猫 が 座った", None, ["猫", "が", "座った"]),
        (
            "The pneumonoultramicroscopicsilicovolcanoconiosis sat",
            None,
            ["The", "pneumonoultramicroscopicsilicovolcanoconiosis", "sat"],
        ),
    ],
)
def test_non_ascii_emoji_and_long_words_give_numbers(
    runner: CliRunner, sentence: str, focus: str | None, tokens: list[str]
) -> None:
    args = ["numbers", "--sentence", sentence] + (["--focus", focus] if focus else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("tokens: " + " | ".join(tokens) + "   focus: ")
    if focus:
        assert first.endswith(f"focus: {focus}")


@pytest.mark.parametrize(
    "sentence",
    ["Le café 😀 était très naïf", "The pneumonoultramicroscopicsilicovolcanoconiosis sat"],
)
def test_check_verifies_non_ascii_emoji_and_long_word_sentences(
    runner: CliRunner, tmp_path: Path, sentence: str
) -> None:
    # builds every scene of the tiny script (dry run: an empty ledger cache) and re-verifies
    # the numbers it shows
    args = ["check", str(TINY), "--sentence", sentence, "--cache", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {TINY}: 2 scenes, 6 beats")


# -- what the voice does with emoji: the subtitles keep them, the narrator skips them ---------


def test_emoji_are_not_spoken_by_latin1_engines() -> None:
    assert speakable_ascii("Take The cat 😀 sat.") == "Take The cat sat."
    assert speakable_ascii("😀🐈") == ""


needs_festival = pytest.mark.skipif(
    shutil.which("text2wave") is None, reason="needs festival (text2wave)"
)


def _scene(scene_id: str, *beats: tuple[str, str]) -> list[ScenePlan]:
    """One scene of ``(beat id, text)`` beats, as the script loader would make them."""
    records = tuple(Beat(beat_id, text, 1.0, 0.35) for beat_id, text in beats)
    return [ScenePlan(scene_id, "S", 1, "Tokens", records, ExampleSpec("The cat sat"))]


def _samples(path: Path | None) -> bytes:
    assert path is not None, "every voiced beat has its audio"
    with wave.open(str(path), "rb") as handle:
        return handle.readframes(handle.getnframes())


@needs_festival
def test_festival_says_a_line_with_an_emoji_exactly_as_without(tmp_path: Path) -> None:
    voice = FestivalVoice()
    [voiced] = synthesize_beats(
        _scene("s", ("a", "The cat 😀 sat."), ("b", "The cat sat.")), voice, tmp_path
    )
    with_emoji, plain = voiced.beats
    assert with_emoji.audio != plain.audio  # different text, different cache entries
    assert _samples(with_emoji.audio) == _samples(plain.audio)


@needs_festival
def test_a_beat_of_only_emoji_is_an_error_naming_the_beat(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match=r"^beat blend/mood: ") as caught:
        synthesize_beats(_scene("blend", ("mood", "😀 🐈")), FestivalVoice(), tmp_path)
    assert "\n" not in str(caught.value)
    assert not list(tmp_path.glob("*.wav"))  # nothing cached under a final name


# -- paths and names that would escape the output directory ------------------------------------


def test_scene_option_that_climbs_out_is_an_unknown_scene(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()
    result = runner.invoke(
        app, ["render", str(TINY), "-q", "low", "--scene", "../x", "--out", str(out)]
    )
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "no scene with id '../x'" in line
    assert "tokens, blend" in line
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep"]


@pytest.mark.parametrize("scene_id", ["../evil", "a/b", "/abs", ".hidden", "UPPER"])
def test_scene_ids_in_the_script_must_be_plain_names(
    runner: CliRunner, tmp_path: Path, scene_id: str
) -> None:
    script = tmp_path / "evil.toml"
    script.write_text(TINY.read_text().replace('id = "tokens"', f'id = "{scene_id}"', 1))
    line_no = TINY.read_text().splitlines().index('id = "tokens"') + 1
    result = runner.invoke(app, ["render", str(script), "-q", "low", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"{script}:{line_no}:" in one_error_line(result)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("file_name", "name"), [("...toml", ".."), ("..toml", ".")])
def test_a_script_name_that_is_a_dot_folder_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_name: str, name: str
) -> None:
    project = tmp_path / "project"
    (project / "media").mkdir(parents=True)
    script = project / file_name
    shutil.copyfile(TINY, script)
    monkeypatch.chdir(project)  # the default output is media/<script name> under here
    result = runner.invoke(app, ["render", file_name, "-q", "low", "--quiet"])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert f"the name {name!r}" in line
    assert "rename the script" in line
    # nothing written beside the script (media/..) nor into media/ itself (media/.)
    assert sorted(p.name for p in project.iterdir()) == sorted([file_name, "media"])
    assert list((project / "media").iterdir()) == []


def test_output_names_come_from_the_script_file(runner: CliRunner, tmp_path: Path) -> None:
    # a script cannot choose where files go: no key of the [video] table names a path
    script = tmp_path / "s.toml"
    script.write_text(TINY.read_text().replace("[video]", '[video]\nname = "../../x"', 1))
    result = runner.invoke(app, ["scenes", str(script)])
    assert result.exit_code == 1
    assert "name" in one_error_line(result)


# -- errors are one line; --debug shows the traceback --------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explainer", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_a_real_process_prints_one_line_without_debug_and_a_traceback_with_it() -> None:
    plain = _cli("numbers", "--sentence", "Hello")
    assert plain.returncode == 1
    assert plain.stderr.strip().count("\n") == 0
    assert plain.stderr.startswith("error: sentence 'Hello' has only 1 token")
    debug = _cli("--debug", "numbers", "--sentence", "Hello")
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "ExampleError" in debug.stderr
