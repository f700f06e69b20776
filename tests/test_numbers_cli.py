"""``explainer numbers``: JSON for scripts, tables that stay readable in 80 columns."""

from __future__ import annotations

import json
import math

from helpers import one_error_line
from typer.testing import CliRunner

from explainer.cli.app import app

SIXTEEN = "The tired old farmer slowly carried the heavy wooden box across the muddy field to town"


def test_json_has_the_documented_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--json", "--sentence", "the hot dog was delicious",
                                 "--focus", "DOG"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("tokens", "focus", "focus_index", "dimensions", "x", "q", "k", "v", "scores",
                "weights", "head_weights", "sources"):  # fmt: skip
        assert key in data, key
    assert data["tokens"] == ["the", "hot", "dog", "was", "delicious"]
    assert (data["focus"], data["focus_index"]) == ("dog", 2)
    assert len(data["dimensions"]) == len(data["x"][0]) == 8
    assert len(data["sources"]) == 5
    assert data["sources"][0] == "closed class: determiner"
    assert len(data["head_weights"]) == 2
    for row in data["weights"]:
        assert math.isclose(sum(row), 1.0, rel_tol=1e-12)
    # rows = queries: dog's row is the story, and hot is its strongest other word
    row = data["weights"][2]
    assert max((w, j) for j, w in enumerate(row) if j != 2)[1] == 1


def test_table_shows_sources_and_fits_80_columns_at_16_tokens(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--sentence", SIXTEEN], terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines[1:]) <= 80  # the first line lists the tokens
    assert "wordnet farmer: noun.person" in result.stdout
    assert "closed class: preposition" in result.stdout
    weights = lines[[i for i, line in enumerate(lines) if line.startswith("weights")][0] :]
    assert weights[-1].split()[0] == "town"  # every row is there


def test_focus_by_occurrence_and_its_error(runner: CliRunner) -> None:
    sentence = "The dog found the bone and buried it because it was hungry"
    ok = runner.invoke(app, ["numbers", "--json", "--sentence", sentence, "--focus", "it@2"])
    assert json.loads(ok.stdout)["focus_index"] == 9
    bad = runner.invoke(app, ["numbers", "--sentence", sentence, "--focus", "it@3"])
    assert bad.exit_code == 1
    assert "it@1 to it@2" in one_error_line(bad)


def test_seventeen_tokens_is_one_line_listing_them(runner: CliRunner) -> None:
    result = runner.invoke(app, ["numbers", "--sentence", SIXTEEN + " today"])
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "17 tokens" in line
    assert "town | today" in line
