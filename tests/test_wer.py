"""dev/wer.py's normalisation: the text and what the recogniser writes, brought to one form.

The recogniser itself (the `measure` extra) is not needed: only how its words are compared.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_SPEC = importlib.util.spec_from_file_location(
    "dev_wer", Path(__file__).resolve().parents[1] / "dev" / "wer.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
wer = importlib.util.module_from_spec(_SPEC)
sys.modules["dev_wer"] = wer  # its dataclass looks its module up there
_SPEC.loader.exec_module(wer)


@pytest.mark.parametrize(
    ("given", "heard"),
    [
        # what the engine was given, and how Whisper writes the same sounds
        ("Zero point three five of its weight", "0.35 of it's weight."),
        ("minus zero point two three", "-0.23"),
        ("W Q gives the query", "WQ gives the Query!"),
        ("the C L S token's score", "the CLS tokens score"),
        ("Q, K and V", "QK and V."),
        ("the word sat looks at cat", "The word SAT looks at CAT."),  # capitals, still words
        ("A head, and I", "a head and i"),
        ("fifty percent, one hot", "50% one-hot"),
        ("one thousand and five", "1000 and 5"),
        ("soft max", "softmax"),
    ],
)
def test_what_a_listener_cannot_hear_is_not_an_error(given: str, heard: str) -> None:
    assert wer.normalise(given) == wer.normalise(heard)


@pytest.mark.parametrize(
    ("given", "heard"),
    [
        ("the cat sat", "the cat set"),  # a vowel misheard
        ("weights add up", "weight set up"),
        ("two heads", "2 hands"),
    ],
)
def test_what_a_listener_hears_differently_stays_an_error(given: str, heard: str) -> None:
    assert wer.normalise(given) != wer.normalise(heard)


def test_numbers_are_spelled_digit_by_digit_after_the_point() -> None:
    assert wer.number_words("2.50") == "two point five zero"
    assert wer.number_words("−1.5") == "minus one point five"
    assert wer.int_words(999_999) == ("nine hundred ninety nine thousand nine hundred ninety nine")


def test_packing_keeps_the_beats_in_order_within_one_window() -> None:
    one = np.ones(wer.EAR_RATE, dtype=np.float32)  # a second of sound
    beats = [(f"b{i}", f"word{i}", one * (i + 1)) for i in range(5)]
    pieces = wer.pack(beats, seconds=3.0, gap=0.5)
    assert [ident for ident, _, _ in pieces] == ["b0+b1", "b2+b3", "b4"]
    assert [text for _, text, _ in pieces] == ["word0 word1", "word2 word3", "word4"]
    first = pieces[0][2]
    assert len(first) == round(2.5 * wer.EAR_RATE)
    # the first beat, half a second of silence, the second beat
    assert set(first[: wer.EAR_RATE]) == {1.0}
    assert set(first[wer.EAR_RATE : round(1.5 * wer.EAR_RATE)]) == {0.0}
    assert set(first[round(1.5 * wer.EAR_RATE) :]) == {2.0}
    long = np.ones(4 * wer.EAR_RATE, dtype=np.float32)
    assert len(wer.pack([("a", "x", long), ("b", "y", one)], seconds=3.0)) == 2


def test_errors_are_counted_against_the_words_given() -> None:
    pytest.importorskip("jiwer")  # the `measure` extra
    result = wer.compare("s/b", "The cat sat on the mat, 0.5.", "A cat set on mat 0.5")
    # nine words given ("zero point five" is three): two misheard, one not heard
    assert (result.ref_words, result.substitutions, result.deletions, result.insertions) == (
        9,
        2,
        1,
        0,
    )
    assert result.errors == ["the->a", "sat->set", "the->-"]
    assert wer.word_error_rate([result, result]) == pytest.approx(3 / 9)
