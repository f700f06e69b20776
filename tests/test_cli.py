"""The ``explainer`` command line: exit codes and one-line errors, without rendering."""

from __future__ import annotations

import inspect
import shlex
from pathlib import Path

import click
import pytest
import typer.main
from helpers import one_error_line
from rich.text import Text
from typer.testing import CliRunner

from explainer import __version__
from explainer.batch.variants import read_variants
from explainer.cli.app import COMMANDS, app
from explainer.core.errors import ExplainerError
from explainer.core.staging import staged_outputs
from explainer.pipeline import checks as checks_module
from explainer.plan.script import Script, load_script

TINY = Path(__file__).parent / "data" / "tiny.toml"


def test_version_is_printed_and_exits_zero(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"explainer {__version__}"


def test_missing_script_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = runner.invoke(app, ["render", str(missing), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert str(missing) in line
    assert "no such script" in line
    assert not (tmp_path / "o").exists()


def test_directory_as_script_names_a_script_inside(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scenes", str(TINY.parent)])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "is a directory" in line
    hint = line.rsplit("e.g. ", 1)[1]
    assert Path(hint).parent == TINY.parent
    assert hint.endswith(".toml")


def test_unknown_scene_id_lists_the_known_ones(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(TINY), "--scene", "nope", "--out", str(out)])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "'nope'" in line
    assert "tokens" in line
    assert "blend" in line
    # the selection is checked before anything is written
    assert not out.exists()


@pytest.mark.parametrize("sentence", ["", "   ", "Hello"])
def test_bad_sentence_is_one_line(runner: CliRunner, sentence: str) -> None:
    result = runner.invoke(app, ["check", str(TINY), "--sentence", sentence])
    assert result.exit_code == 1
    assert "--sentence" in one_error_line(result)


def test_bad_sentence_in_numbers_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--sentence", "   "])
    assert result.exit_code == 1
    one_error_line(result)


def test_a_bad_rate_is_one_line_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(TINY), "--rate", "0", "--out", str(out)])
    assert result.exit_code == 1
    assert "--rate = 0 is out of range" in one_error_line(result)
    assert not out.exists()


def test_the_rate_reaches_the_render(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from explainer.pipeline import conductor as pipeline

    seen: list[tuple[str, float | None]] = []

    def stop(script: Script, **_: object) -> None:
        seen.append((script.settings.voice, script.settings.rate))
        raise ExplainerError("stopped before rendering")

    monkeypatch.setattr(pipeline, "render_video", stop)
    args = ["render", str(TINY), "--voice", "flite", "--rate", "0.85", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert seen == [("flite", 0.85)]


def test_out_inside_a_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = runner.invoke(app, ["render", str(TINY), "--out", str(blocker / "video")])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "inside the file" in line
    assert str(blocker) in line
    assert blocker.read_text() == "not a directory"


def test_out_with_missing_parent_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir"
    result = runner.invoke(app, ["render", str(TINY), "--out", str(target)])
    assert result.exit_code == 1
    assert "does not exist" in one_error_line(result)
    assert not (tmp_path / "no").exists()


def test_second_render_of_same_output_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_outputs(out):  # another render holds the lock
        result = runner.invoke(app, ["render", str(TINY), "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert f"another render is writing to {out}" in line
    assert "--out" in line


def test_numbers_prints_the_tokens_and_rows_that_sum_to_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--sentence", "The dog chased the ball"])
    assert result.exit_code == 0, result.output
    assert "tokens: The | dog | chased | the | ball" in result.stdout
    for title in ("X (embeddings)", "Q (queries)", "K (keys)", "V (values)", "scores",
                  "scaled scores", "weights"):  # fmt: skip
        assert title in result.stdout


def test_voices_lists_festival(runner: CliRunner) -> None:
    result = runner.invoke(app, ["voices"])
    assert result.exit_code == 0
    assert "festival" in result.stdout
    assert "festvox-us-slt-hts" in result.stdout


def test_scenes_lists_ids_titles_and_beats(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scenes", str(TINY)])
    assert result.exit_code == 0, result.output
    assert "tokens" in result.stdout
    assert "Blend the values" in result.stdout


def test_check_verifies_the_tiny_script(runner: CliRunner, tmp_path: Path) -> None:
    # an empty ledger cache: every scene is built (dry run) and its numbers verified
    result = runner.invoke(app, ["check", str(TINY), "--cache", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.stdout
    assert "verified" in result.stdout


def test_a_second_check_reuses_the_scenes_ledgers(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = checks_module._dry_run
    dry_runs: list[str] = []

    def counted(plan):  # noqa: ANN001, ANN202 - the real dry run, counted
        dry_runs.append(plan.scene_id)
        return real(plan)

    monkeypatch.setattr(checks_module, "_dry_run", counted)
    args = ["check", str(TINY), "--cache", str(tmp_path)]
    cold = runner.invoke(app, args)
    assert cold.exit_code == 0, cold.output
    assert dry_runs == ["tokens", "blend"]
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "ledgers").iterdir()) == [
        "blend", "tokens"
    ]  # fmt: skip
    warm = runner.invoke(app, args)
    assert warm.exit_code == 0, warm.output
    assert dry_runs == ["tokens", "blend"], "nothing changed: no scene is built again"
    assert warm.stdout == cold.stdout


def test_check_still_verifies_when_its_ledger_cache_cannot_be_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = runner.invoke(app, ["check", str(TINY), "--cache", str(blocker / "cache")])
    assert result.exit_code == 0, result.output  # the cache only saves time
    assert "verified" in result.stdout


def test_check_fails_when_the_voice_says_a_number_the_screen_does_not_show(
    runner: CliRunner, tmp_path: Path
) -> None:
    script = tmp_path / "typed.toml"
    script.write_text(
        TINY.read_text(encoding="utf-8").replace("Add them up.", "Add them up: 0.99."),
        encoding="utf-8",
    )
    for _ in ("cold", "warm"):  # the spoken numbers are checked with kept ledgers too
        result = runner.invoke(app, ["check", str(script), "--cache", str(tmp_path)])
        assert result.exit_code == 1
        assert "scene 'blend', beat 'add' says 0.99 but the scene shows no 0.99" in result.stderr


def test_debug_shows_the_exception(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "scenes", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "ScriptError"


WIDTH = 80  # the help is read at 80 columns; rich pads its text by one column each side
COMMAND_NAMES = [command.__name__ for command in COMMANDS]
DOCSTRINGS = {command.__name__: command.__doc__ for command in COMMANDS}
READ_ONLY = {"scenes", "voices", "numbers"}  # examples cheap and harmless enough to run


def _help_lines(runner: CliRunner, *command: str) -> list[str]:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= WIDTH for line in lines), "the help is wider than the terminal"
    return lines


def _description(lines: list[str]) -> list[list[str]]:
    """The help's text between the usage line and the first panel, as paragraphs of lines."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Usage:")) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("╭"))
    found: list[list[str]] = [[]]
    for line in lines[start:end]:
        text = line.strip()
        if text:
            found[-1].append(text)
        elif found[-1]:
            found.append([])
    return [paragraph for paragraph in found if paragraph]


def _docstring_paragraphs(docstring: str | None) -> list[str]:
    """What the reader should see: each paragraph of the docstring, ``literals`` plain."""
    blocks = inspect.cleandoc(docstring or "").replace("``", "").split("\n\n")
    return [" ".join(block.split()) for block in blocks if block.strip()]


def _example(paragraphs: list[list[str]]) -> list[str]:
    examples = [p for p in paragraphs if p[0].startswith("Example: ")]
    assert len(examples) == 1, "one example per command"
    assert len(examples[0]) == 1, f"the example is wrapped, so it cannot be pasted: {examples}"
    return shlex.split(examples[0][0].removeprefix("Example: "))


@pytest.mark.parametrize("name", ["", *COMMAND_NAMES])
def test_help_reads_as_the_docstring_paragraphs_wrapped_only_where_full(
    runner: CliRunner, name: str
) -> None:
    shown = _description(_help_lines(runner, *([name] if name else [])))
    docstring = DOCSTRINGS[name] if name else app.info.help
    # the same words and paragraphs as the docstring: no markup ate a bracketed word
    assert [" ".join(p) for p in shown] == _docstring_paragraphs(docstring)
    # a line ends only where the next word would not fit, never where the source wrapped
    for paragraph in shown:
        for line, after in zip(paragraph, paragraph[1:], strict=False):
            assert len(line) + 1 + len(after.split()[0]) > WIDTH - 2, (name, line)


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_every_example_is_a_valid_command_line(runner: CliRunner, name: str) -> None:
    argv = _example(_description(_help_lines(runner, name)))
    assert argv[:2] == ["explainer", name]
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    context = command.make_context(name, argv[2:])  # raises on an unknown or bad option
    for parameter in command.params:
        if isinstance(parameter, click.Argument) and context.params[parameter.name] is not None:
            assert Path(context.params[parameter.name]).is_file(), (name, parameter.name)
    if name == "batch":
        assert read_variants(context.params["variants"])
    if "script" in context.params:  # the sentence, focus, model and scenes it names exist
        given = {key: context.params.get(key) for key in ("sentence", "focus", "model")}
        load_script(context.params["script"], **given).select(context.params.get("scene") or ())
    if name in READ_ONLY:
        result = runner.invoke(app, argv[1:])
        assert result.exit_code == 0, result.output


def test_the_top_level_example_is_a_valid_command_line(runner: CliRunner) -> None:
    argv = _example(_description(_help_lines(runner)))
    assert argv[0] == "explainer"
    assert argv[1] in COMMAND_NAMES
    command = typer.main.get_command(app).commands[argv[1]]  # type: ignore[attr-defined]
    command.make_context(argv[1], argv[2:])  # raises on an unknown or bad option


def test_no_option_help_loses_a_bracketed_word_to_rich_markup() -> None:
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for parameter in command.params:
            written = getattr(parameter, "help", None) or ""
            meant = written.replace("\\[", "[")
            assert Text.from_markup(written).plain == meant, (name, parameter.name)


def _command_rows(lines: list[str]) -> tuple[dict[str, list[str]], int]:
    """The top-level help's Commands panel: each name's lines of text, and where texts start."""
    start = next(i for i, line in enumerate(lines) if line.startswith("╭─ Commands")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("╰"))
    inner = [line[1:-1] for line in lines[start:end]]  # inside the panel's borders
    name, first_word = inner[0].split()[:2]
    offset = inner[0].index(first_word, inner[0].index(name) + len(name))
    rows: dict[str, list[str]] = {}
    for line in inner:
        if line[:offset].strip():
            rows[line[:offset].strip()] = []
        rows[list(rows)[-1]].append(line[offset:].rstrip())
    return rows, offset


def test_the_command_list_shows_each_first_paragraph_wrapped_only_where_full(
    runner: CliRunner,
) -> None:
    rows, offset = _command_rows(_help_lines(runner))
    assert list(rows) == COMMAND_NAMES
    width = WIDTH - 2 - 1 - offset  # the borders, the right padding, the names' column
    for name, texts in rows.items():
        assert " ".join(texts) == _docstring_paragraphs(DOCSTRINGS[name])[0]
        for line, after in zip(texts, texts[1:], strict=False):
            assert len(line) + 1 + len(after.split()[0]) > width, (name, line)
