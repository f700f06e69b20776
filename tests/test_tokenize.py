"""The tokenizer splits sentences the way people read them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention.tokens import MAX_TOKENS, MIN_TOKENS, TOKEN_RULES, tokenize


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        # contractions and possessives stay whole
        ("The trophy didn't fit", ("The", "trophy", "didn't", "fit")),
        ("it's the cat's bowl", ("it's", "the", "cat's", "bowl")),
        ("the cats' toys", ("the", "cats'", "toys")),
        ("I won\u2019t go", ("I", "won\u2019t", "go")),
        # hyphenated words and numbers are one token
        ("a well-known five-year-old", ("a", "well-known", "five-year-old")),
        ("3.5 kg for 1,000 fans", ("3.5", "kg", "for", "1,000", "fans")),
        # punctuation marks are not tokens; a final period, ! or ? goes
        ("The cat sat.", ("The", "cat", "sat")),
        ("Hello, World!", ("Hello", "World")),
        ('She said "yes" (twice) -- really?', ("She", "said", "yes", "twice", "really")),
        ("cats,dogs", ("cats", "dogs")),  # a comma between letters splits, between digits joins
        # symbols and emoji are tokens; an emoji's modifiers and joins stay with it
        ("rock & roll", ("rock", "&", "roll")),
        ("50 % off", ("50", "%", "off")),
        ("I \u2764\ufe0f cats", ("I", "\u2764\ufe0f", "cats")),
        ("a \U0001f44d\U0001f3fd b", ("a", "\U0001f44d\U0001f3fd", "b")),
        ("the \U0001f408\u200d\u2b1b sat", ("the", "\U0001f408\u200d\u2b1b", "sat")),
        # spelling is kept, whitespace of any kind separates
        ("  The\tCAT \n sat ", ("The", "CAT", "sat")),
        ("Caf\u0065\u0301 au lait", ("Caf\u00e9", "au", "lait")),  # NFC: one letter
        ("", ()),
        ("...!?", ()),
    ],
)
def test_tokenize(sentence: str, tokens: tuple[str, ...]) -> None:
    assert tokenize(sentence) == tokens


def test_limits_and_rules_for_help() -> None:
    assert (MIN_TOKENS, MAX_TOKENS) == (2, 16)
    for phrase in ("didn't", "well-known", "3.5", "period is dropped", "2 to 16"):
        assert phrase in TOKEN_RULES
    assert "\n" not in TOKEN_RULES


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_tokenizes_into_non_blank_tokens(text: str) -> None:
    tokens = tokenize(text)
    assert all(t and not any(c.isspace() for c in t) for t in tokens)
    assert tokenize(" ".join(tokens)) == tokens  # tokens are stable under re-joining
