"""What the engines are given to say: maths and symbols in words, plain ASCII, one line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explainer.voice.speech_text import SPEECH_RULES, has_words, speakable_ascii

# what a teacher reading the text aloud would say (the expected words are written by hand)
READINGS = [
    ("W Q", "W Q"),
    ("W_Q and d_head", "W Q and d head"),
    ("q·k", "q dot k"),
    ("√d", "the square root of d"),
    ("q·k / √d", "q dot k over the square root of d"),
    ("sqrt(d_k)", "the square root of d k"),
    ("softmax(QKᵀ/√d)V", "softmax of Q K transposed over the square root of d, times V"),
    ("[CLS] and [SEP]", "C L S and S E P"),
    ("weights 0.35, 0.10 and -0.23", "weights 0.35, 0.10 and minus 0.23"),
    ("−1.5", "minus 1.5"),
    ("1e-5", "1 times 10 to the minus 5"),
    ("10^-5 and 2⁸", "10 to the minus 5 and 2 to the power 8"),
    ("x² ≈ 0.5 → 1", "x squared is approximately 0.5 gives 1"),
    ("d_model = 8, i.e. 2 × 4", "d model equals 8, that is 2 times 4"),
    ("GPT-2 uses 3-4 heads", "GPT-2 uses 3 to 4 heads"),
    ("P(A|B)", "P of A given B"),
    ("5 - 3 ≠ 1", "5 minus 3 is not 1"),
    ("100% of α", "100 percent of alpha"),
    ("“café” — then…", '"cafe", then...'),
]


@pytest.mark.parametrize(("text", "said"), READINGS)
def test_symbols_are_said_in_words(text: str, said: str) -> None:
    assert speakable_ascii(text) == said


def test_every_rule_gives_its_reason() -> None:
    assert all(rule.why for rule in SPEECH_RULES)


@pytest.mark.parametrize(("text", "words"), [("...", False), ("— “ ”", False), ("0", True)])
def test_a_line_has_words_if_it_has_a_letter_or_digit(text: str, words: bool) -> None:
    assert has_words(speakable_ascii(text)) is words


@given(st.text(alphabet="aBx029 .,-−/()[]_^·√×=≈→²ᵀ|%—“”é😀\n", max_size=40))
def test_the_result_is_one_ascii_line_and_stable(text: str) -> None:
    said = speakable_ascii(text)
    assert said.isascii()
    assert "\n" not in said
    assert said == said.strip()
    assert speakable_ascii(said) == said, "preparing prepared text changes nothing"
