"""Scripts compose lectures: real scene classes, their parameters, their own narrated numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from helpers import nearest

from explainer.core.errors import ScriptError
from explainer.plan.script import load_script

TWO_TEMPERATURES = Path(__file__).parent / "data" / "two_temperatures.toml"


def _top_weight_at(temperature: float) -> str:
    """The focus's top weight at ``temperature``, computed here from q and k."""
    from attention import worked_example

    ex = worked_example("The cat sat on the mat", "sat")
    f = ex.focus_index
    scaled = (ex.q[f] @ ex.k.T) / math.sqrt(ex.d_head) / temperature
    row = [math.exp(s - max(scaled)) for s in scaled]
    row = [w / sum(row) for w in row]
    top = max(range(len(row)), key=lambda j: ex.weights[f, j])
    return nearest(row[top], 2)


def test_the_same_scene_twice_says_the_numbers_of_its_own_parameters() -> None:
    script = load_script(TWO_TEMPERATURES)
    colder, warmer = script.scenes
    assert (colder.class_name, warmer.class_name) == ("Temperature", "Temperature")
    assert colder.params == {"temperatures": (0.25, 0.5)}
    assert warmer.params == {"temperatures": (2.0, 4.0)}
    assert colder.beats[1].text == (
        f"At 0.25, sat gives {_top_weight_at(0.25)} to its top word; at 0.5, {_top_weight_at(0.5)}."
    )
    assert warmer.beats[1].text == (
        f"At 2, the top weight is {_top_weight_at(2)}; at 4, only {_top_weight_at(4)}."
    )
    assert [s.chapter for s in script.scenes] == [1, 2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("temperatures = [0.5, -1]", r":13: scene 'colder' parameter temperatures must be above 0"),
        ("temperatures = 0.5", r":13: scene 'colder' parameter temperatures must be an array"),
    ],
)
def test_a_bad_lecture_parameter_is_a_script_error_on_its_line(
    tmp_path: Path, params: str, message: str
) -> None:
    text = TWO_TEMPERATURES.read_text().replace("temperatures = [0.25, 0.5]", params)
    path = tmp_path / "lecture.toml"
    path.write_text(text)
    with pytest.raises(ScriptError, match=message):
        load_script(path)


def test_a_swap_that_is_not_two_words_of_the_sentence_is_a_script_error(tmp_path: Path) -> None:
    path = tmp_path / "order.toml"
    beats = "".join(
        f'[[scene.beat]]\nid = "{b}"\ntext = "Line."\n\n'
        for b in ("swap", "same_numbers", "positions", "pattern")
    )
    path.write_text(
        '[video]\ntitle = "Order"\n\n[[scene]]\nid = "order"\ntitle = "Order"\n'
        'class = "WordOrder"\n\n[scene.params]\nswap = ["cat", "dog"]\n\n' + beats
    )
    with pytest.raises(ScriptError, match=r"order.toml:10: scene 'order' parameter swap needs "
                       r"two words of 'The cat sat on the mat', got \['cat', 'dog'\]"):  # fmt: skip
        load_script(path)
