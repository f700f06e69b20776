"""Loading and validating narration scripts: good files load, bad ones say file:line and what."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.core.errors import ExplainerError, ScriptError
from explainer.plan import script_scenes
from explainer.plan.script import Script, load_script
from explainer.plan.script_source import ScriptLines
from scenes.catalogue import ChapterEntry
from scenes.plan import SceneParam

DATA = Path(__file__).parent / "data"
FAKE_MODULE = "tests_fake_scenes_for_script"


FAKE_CHAPTERS = {
    "Intro": ChapterEntry("Intro", FAKE_MODULE, ("hello", "world"), "Intro"),
    "Outro": ChapterEntry("Outro", FAKE_MODULE, ("bye",), "Outro"),
}


@pytest.fixture(autouse=True)
def fake_scenes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalogue of two tiny chapters, so these tests never depend on real scenes."""
    monkeypatch.setattr(script_scenes, "CHAPTERS", FAKE_CHAPTERS)


def narration(script: Script) -> dict[tuple[str, str], str]:
    """Every beat's spoken text keyed by ``(scene id, beat id)``, from ``spoken_lines``.

    The lines must be the beats' own (already filled) text, in video order.
    """
    lines = script.spoken_lines()
    beats = [(plan.scene_id, beat.id, beat.text) for plan in script.scenes for beat in plan.beats]
    assert lines == beats
    return {(scene_id, beat_id): text for scene_id, beat_id, text in lines}


def marked_line(path: Path) -> int:
    """The 1-based line carrying the ``# ERROR`` marker, found independently of the loader."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if "# ERROR" in line)


def error_of(path: Path, **overrides: str) -> str:
    with pytest.raises(ScriptError) as caught:
        load_script(path, **overrides)
    message = str(caught.value)
    assert "\n" not in message, "errors are one line"
    return message


# -- a good file --------------------------------------------------------------------------------


def test_good_script_loads_with_settings_scenes_and_lines() -> None:
    script = load_script(DATA / "good.toml")
    assert script.name == "good"
    assert script.settings.title == "Attention, in brief"
    assert script.settings.voice == "espeak"
    assert (script.settings.beat_pause, script.settings.scene_pause) == (0.35, 0.8)
    assert script.settings.target_seconds == 20.0
    assert [s.scene_id for s in script.scenes] == ["intro", "outro"]
    assert [s.chapter for s in script.scenes] == [1, 2]
    assert [s.class_name for s in script.scenes] == ["Intro", "Outro"]
    assert [b.id for b in script.scenes[0].beats] == ["hello", "world"]
    # plans no longer carry their line; the loader's line finder (used in every error) does
    text = (DATA / "good.toml").read_text()
    lines = text.splitlines()
    where = ScriptLines(text)
    assert lines[where.scene(1) - 1].strip() == "[[scene]]"
    assert where.scene(1) == 27  # counted with grep -n
    assert where.beat(0, 1) == 20


def test_multiline_text_is_collapsed_and_placeholders_filled() -> None:
    from attention import worked_example

    script = load_script(DATA / "good.toml")
    example = worked_example("The cat sat on the mat", "sat")
    texts = narration(script)
    assert texts[("intro", "hello")] == "Take the sentence: The cat sat on the mat."
    assert texts[("outro", "bye")] == f"That is attention over {len(example.tokens)} tokens."
    world = texts[("intro", "world")]
    assert world.startswith("The word sat looks most at ")
    # the top token is the one with the largest weight in the focus row, computed here
    row = example.weights[example.focus_index]
    assert f" {example.tokens[int(row.argmax())]}, with weight 0." in world
    assert "\n" not in world
    assert "  " not in world


def test_overrides_replace_file_settings() -> None:
    script = load_script(DATA / "good.toml", sentence="A dog chased the ball", voice="flite")
    assert script.spec.sentence == "A dog chased the ball"
    assert script.settings.voice == "flite"
    # the file's focus "sat" is not in the new sentence, so the example picks its own
    assert script.spec.focus in ("A", "dog", "chased", "the", "ball")
    assert narration(script)[("intro", "hello")] == "Take the sentence: A dog chased the ball."


def test_focus_override_and_select() -> None:
    script = load_script(DATA / "good.toml", focus="mat")
    assert script.spec.focus == "mat"
    assert narration(script)[("intro", "world")].startswith("The word mat ")
    only = script.select(["outro"])
    assert [s.scene_id for s in only.scenes] == ["outro"]
    assert only.scenes[0].chapter == 2
    with pytest.raises(ScriptError, match="no scene with id 'nope'; choose one of: intro, outro"):
        script.select(["nope"])


# -- each kind of bad file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("bad_toml.toml", "invalid TOML"),
        ("bad_class.toml", "unknown scene class 'Intor'; use one of: Intro, Outro"),
        ("bad_duplicate.toml", "duplicate scene id 'intro' (first on line 5)"),
        ("bad_empty_beat.toml", "beat 'bye' of scene 'outro' has empty text"),
        ("bad_placeholder.toml", "unknown placeholder {top_tokn}"),
        ("bad_voice.toml", "unknown voice 'festivall'; use one of: festival, espeak, flite"),
        ("bad_beat_ids.toml", "Intro plays exactly these beats, in order: hello, world"),
        ("bad_unknown_key.toml", "unknown key 'txt' in [[scene.beat]]; did you mean 'text'?"),
    ],
)
def test_bad_file_reports_file_line_and_what(name: str, what: str) -> None:
    path = DATA / name
    message = error_of(path)
    assert message.startswith(f"{path}:{marked_line(path)}:"), message
    assert what in message


def test_script_error_is_an_explainer_error() -> None:
    assert issubclass(ScriptError, ExplainerError)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (DATA / "good.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ('id = "intro"', 'id = "Intro Scene"', "is not a safe file name"),
        ('id = "bye"', 'id = "../bye"', "is not a safe file name"),
        ("beat_pause = 0.35", "beat_pause = -1", "beat_pause = -1.0 is out of range"),
        ("beat_pause = 0.35", 'beat_pause = "short"', "beat_pause must be a number"),
        ("scene_pause = 0.8", "scene_pause = nan", "scene_pause = nan is out of range"),
        ("target_seconds = 20", "target_seconds = true", "target_seconds must be a number"),
        ('title = "The end"', "title = 3", "title must be a string"),
        ('focus = "sat"', 'focus = "dog"', "focus 'dog' is not a token"),
        ('sentence = "The cat sat on the mat"', 'sentence = "Cat"', "has only 1 token"),
        ('title = "Attention, in brief"', 'titel = "x"', "unknown key 'titel' in [video]"),
        ('class = "Outro"', 'klass = "Outro"', "unknown key 'klass' in [[scene]]"),
        ('voice = "espeak"', 'voice = "piper:"', "unknown voice 'piper:'"),
    ],
)
def test_bad_values_in_the_good_file(tmp_path: Path, old: str, new: str, what: str) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new + "  # ERROR", 1)
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}:{marked_line(path)}:"), message
    assert what in message


RATE_TABLE = "\n[video.rate]\nfestival = 0.9\npiper = 0.85\n"


def with_rate(text: str) -> str:
    """The good script with ``text`` after its [video] keys."""
    return GOOD.replace("scene_pause = 0.8\n", f"scene_pause = 0.8\n{text}\n", 1)


def test_a_rate_is_one_number_or_one_per_voice(tmp_path: Path) -> None:
    assert load_script(DATA / "good.toml").settings.rate is None, "unset: the engine's default"
    one = write(tmp_path, with_rate("rate = 0.9"))
    assert load_script(one).settings.rate == 0.9
    assert load_script(one, voice="piper").settings.rate == 0.9
    table = write(tmp_path, with_rate(RATE_TABLE))
    assert load_script(table).settings.rate is None, "the file's voice, espeak, has no entry"
    assert load_script(table, voice="festival").settings.rate == 0.9
    assert load_script(table, voice="piper:/m/en.onnx").settings.rate == 0.85
    assert load_script(table, voice="piper", rate=1.2).settings.rate == 1.2
    inline = write(tmp_path, with_rate("rate = { espeak = 1 }"))
    assert load_script(inline).settings.rate == 1.0


@pytest.mark.parametrize(
    ("rate", "what"),
    [
        ("rate = 0", "[video] rate = 0 is out of range; use the voice's speed relative to"),
        ("rate = -0.9", "[video] rate = -0.9 is out of range"),
        ("rate = 20", "[video] rate = 20 is out of range"),
        ("rate = inf", "[video] rate = inf is out of range"),
        ('rate = "slow"', "[video] rate must be a number or a table of them by voice"),
        ("[video.rate]\nfestival = 0.9\npiper = 0  # ERROR", "[video.rate] piper = 0 is out"),
        ("[video.rate]\nfestivl = 0.9  # ERROR", "unknown key 'festivl' in [video.rate]"),
        ('[video.rate]\nflite = "x"  # ERROR', "[video.rate] flite must be a number"),
        ("rate = { recorded = 1 }", "allowed: festival, espeak, flite, piper"),
    ],
)
def test_a_bad_rate_is_named_on_its_line(tmp_path: Path, rate: str, what: str) -> None:
    marked = rate if "# ERROR" in rate else rate + "  # ERROR"
    path = write(tmp_path, with_rate(marked))
    message = error_of(path)
    assert message.startswith(f"{path}:{marked_line(path)}: "), message
    assert what in message


def test_a_bad_rate_override_is_named_and_the_files_rate_still_checked(tmp_path: Path) -> None:
    path = DATA / "good.toml"
    with pytest.raises(ScriptError, match=r": --rate = 0 is out of range") as caught:
        load_script(path, rate=0)
    assert str(caught.value).startswith(f"{path}: --rate")
    bad = write(tmp_path, with_rate("rate = 9  # ERROR"))
    with pytest.raises(ScriptError, match=rf"^{re.escape(str(bad))}:{marked_line(bad)}: "):
        load_script(bad, rate=0.9)


def test_missing_pieces(tmp_path: Path) -> None:
    no_video = write(tmp_path, GOOD.replace("[video]", "[videos]"))
    assert "unknown key 'videos' in the top level; did you mean 'video'?" in error_of(no_video)
    no_scenes = write(tmp_path, GOOD.split("[[scene]]")[0])
    assert "the script has no scenes" in error_of(no_scenes)
    no_title = write(tmp_path, GOOD.replace('title = "Attention, in brief"\n', ""))
    assert error_of(no_title).startswith(f"{no_title}:2: [video] has no title")


def test_overrides_are_validated_and_named(tmp_path: Path) -> None:
    path = DATA / "good.toml"
    assert error_of(path, voice="sapi").startswith(f"{path}: --voice: unknown voice 'sapi'")
    assert error_of(path, sentence="Hi").startswith(f"{path}: --sentence: sentence 'Hi'")
    assert error_of(path, focus="zebra").startswith(f"{path}: --focus: focus 'zebra'")


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert error_of(missing).startswith(f"{missing}: cannot read the script")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[video]\ntitle = "caf\xe9"\n')
    assert error_of(latin).startswith(f"{latin}:2: the file is not UTF-8")


def test_placeholders_cannot_execute_code(tmp_path: Path) -> None:
    for text in ("{focus.__class__}", "{values[0]}", "{focus!r}", "{focus:>10}", "{"):
        path = write(tmp_path, GOOD.replace("That is attention over {n_tokens} tokens.", text))
        assert "placeholder" in error_of(path)
    braces = write(tmp_path, GOOD.replace("{n_tokens} tokens.", "{{n_tokens}} tokens."))
    assert narration(load_script(braces))[("outro", "bye")].endswith("{n_tokens} tokens.")


# -- the loader never crashes -------------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def load_or_script_error(tmp_path: Path, text: str) -> Script | None:
    path = write(tmp_path, text)
    try:
        return load_script(path)
    except ScriptError as caught:
        error = caught
    assert re.match(rf"{re.escape(str(path))}(:\d+(:\d+)?)?: \S", str(error)), str(error)
    return None


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_loads_or_raises_script_error(tmp_path: Path, text: str) -> None:
    load_or_script_error(tmp_path, text)


@st.composite
def mutated_good(draw: st.DrawFn) -> str:
    """The good script with a few lines deleted, duplicated, swapped or garbled."""
    lines = GOOD.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "garble", "retype"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "garble":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(max_size=8)) + lines[i][at:]
        else:
            key = lines[i].split("=")[0]
            value = draw(st.sampled_from(["1", "true", "[]", "{}", '""', "-inf", '"x"', "[[1]]"]))
            lines[i] = f"{key}= {value}" if "=" in lines[i] else lines[i]
        if not lines:
            break
    return "\n".join(lines)


@FUZZ
@given(text=mutated_good())
def test_mutated_script_loads_or_raises_script_error(tmp_path: Path, text: str) -> None:
    load_or_script_error(tmp_path, text)


def test_default_script_loads_with_the_real_scenes(monkeypatch: pytest.MonkeyPatch) -> None:
    default = Path(__file__).parents[1] / "scripts" / "attention.toml"
    monkeypatch.undo()  # the real catalogue, not the fake one
    script = load_script(default)
    assert script.scenes
    assert all(scene.beats for scene in script.scenes)
    assert all(text.strip() and "{" not in text for text in narration(script).values())


@FUZZ
@given(
    sentence=st.text(max_size=80),
    focus=st.none() | st.text(max_size=12),
    voice=st.none() | st.text(max_size=20),
)
def test_random_overrides_load_or_raise_script_error(
    sentence: str, focus: str | None, voice: str | None
) -> None:
    try:
        script = load_script(DATA / "good.toml", sentence=sentence, focus=focus, voice=voice)
    except ScriptError as caught:
        error = caught
    else:
        assert script.spec.sentence == sentence
        return
    assert str(error).startswith(f"{DATA / 'good.toml'}: --"), str(error)


def test_deep_nesting_and_huge_files_are_script_errors(tmp_path: Path) -> None:
    deep = write(tmp_path, "a = " + "[" * 100_000)
    assert error_of(deep).startswith(f"{deep}:1: invalid TOML: arrays or tables nested too deeply")
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * 2_000_000)
    assert "over 1000000" in error_of(huge)


def test_voice_paths_in_the_file_are_relative_to_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('voice = "espeak"', 'voice = "recorded:takes"'))
    assert load_script(path).settings.voice == f"recorded:{tmp_path / 'takes'}"
    assert load_script(path, voice="recorded:takes").settings.voice == "recorded:takes"
    absolute = write(tmp_path, GOOD.replace('voice = "espeak"', 'voice = "piper:/m/en.onnx"'))
    assert load_script(absolute).settings.voice == "piper:/m/en.onnx"


# -- [scene.params] -----------------------------------------------------------------------------

TEMPERATURES = SceneParam("temperatures", "float list", (0.5, 1.0, 2.0), "softmax temperatures")
STEPS = SceneParam("steps", "int", 3, "animation steps")
LABEL = SceneParam("label", "str", "scores", "the heading")


@pytest.fixture
def intro_params(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake Intro declares three parameters; Outro declares none."""
    chapters = {
        **FAKE_CHAPTERS,
        "Intro": ChapterEntry("Intro", FAKE_MODULE, ("hello", "world"), "Intro",
                              (TEMPERATURES, STEPS, LABEL)),
    }  # fmt: skip
    monkeypatch.setattr(script_scenes, "CHAPTERS", chapters)


def with_params(params: str, *, scene: str = "intro") -> str:
    """The good script with a ``[scene.params]`` table of ``params`` in ``scene``."""
    anchor = {"intro": 'class = "Intro"\n', "outro": 'class = "Outro"\n'}[scene]
    assert GOOD.count(anchor) == 1
    return GOOD.replace(anchor, f"{anchor}\n[scene.params]\n{params}\n", 1)


@pytest.mark.usefixtures("intro_params")
def test_scene_params_defaults_apply_when_the_script_sets_none() -> None:
    script = load_script(DATA / "good.toml")
    assert script.scene("intro").params == {
        "temperatures": (0.5, 1.0, 2.0),
        "steps": 3,
        "label": "scores",
    }
    assert script.scene("outro").params == {}


@pytest.mark.usefixtures("intro_params")
def test_scene_params_good_values_are_converted(tmp_path: Path) -> None:
    path = write(tmp_path, with_params('temperatures = [1, 2.5]\nlabel = "heat"'))
    intro = load_script(path).scene("intro")
    assert intro.params == {"temperatures": (1.0, 2.5), "steps": 3, "label": "heat"}
    assert all(type(t) is float for t in intro.params["temperatures"])  # 1 became 1.0
    # the beats after the params table still belong to the scene
    assert [b.id for b in intro.beats] == ["hello", "world"]
    inline = write(
        tmp_path, GOOD.replace('class = "Intro"', 'class = "Intro"\nparams = { steps = 5 }')
    )
    assert load_script(inline).scene("intro").params["steps"] == 5


@pytest.mark.usefixtures("intro_params")
@pytest.mark.parametrize(
    ("params", "what"),
    [
        (
            "temperature = [1.0]",
            "scene 'intro' has no parameter 'temperature'; did you mean 'temperatures'?",
        ),
        (
            "colour = 1",
            "scene 'intro' has no parameter 'colour'; its parameters: temperatures, steps, label",
        ),
        (
            'temperatures = "hot"',
            "scene 'intro' parameter temperatures must be an array of "
            "numbers, not a string (softmax temperatures)",
        ),
        ("temperatures = []", "temperatures must be an array of numbers, not an empty array"),
        ('temperatures = [1.0, "x"]', "temperatures must be a number, not a string"),
        ("temperatures = [nan]", "temperatures must be a finite number, not nan"),
        ("steps = 2.5", "parameter steps must be a whole number, not a number (animation steps)"),
        ("steps = true", "parameter steps must be a whole number, not true/false"),
        ("label = 3", "parameter label must be a string, not a number (the heading)"),
    ],
)
def test_scene_params_errors_name_file_line_and_fix(tmp_path: Path, params: str, what: str) -> None:
    # a good key before the bad one, so the line found is the bad key's, not the table's
    before = 'label = "x"' if params.startswith("steps") else "steps = 4"
    path = write(tmp_path, with_params(f"{before}\n{params}  # ERROR"))
    message = error_of(path)
    assert message.startswith(f"{path}:{marked_line(path)}:"), message
    assert what in message


@pytest.mark.usefixtures("intro_params")
def test_scene_params_are_checked_per_scene(tmp_path: Path) -> None:
    # Outro declares no parameters: the error names the outro's own line, not the intro's
    text = with_params("steps = 4", scene="intro")
    path = write(
        tmp_path,
        text.replace(
            'class = "Outro"\n', 'class = "Outro"\n\n[scene.params]\nsteps = 4  # ERROR\n', 1
        ),
    )
    message = error_of(path)
    assert message.startswith(f"{path}:{marked_line(path)}:"), message
    assert "scene 'outro' has no parameter 'steps'; its parameters: none" in message
    not_a_table = write(
        tmp_path, GOOD.replace('class = "Intro"', 'class = "Intro"\nparams = 3  # ERROR')
    )
    message = error_of(not_a_table)
    assert message.startswith(f"{not_a_table}:{marked_line(not_a_table)}:"), message
    assert "scene 'intro': params must be a table [scene.params]" in message


@pytest.mark.usefixtures("intro_params")
def test_a_dotted_parameter_key_is_reported_on_its_own_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace('class = "Intro"', 'class = "Intro"\nparams.steps = "x"  # ERROR')
    )
    message = error_of(path)
    assert "parameter steps must be a whole number" in message
    assert message.startswith(f"{path}:{marked_line(path)}:"), message
