"""Split a sentence into the tokens a reader sees: words, numbers, symbols.

The rules (quoted by ``explainer --help``) are in :data:`TOKEN_RULES`.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_TOKENS", "MIN_TOKENS", "TOKEN_RULES", "ExampleError", "token_spans", "tokenize"]

MIN_TOKENS, MAX_TOKENS = 2, 16

TOKEN_RULES = (
    "Tokens are words as people read them: contractions and possessives stay one token "
    "(didn't, it's, cat's, cats'), hyphenated words and numbers are one token each "
    "(well-known, 3.5, 1,000), and an emoji or symbol (&, %, $, +) is a token. Punctuation "
    "marks (. , ; : ! ? quotes, brackets, dashes) are not tokens, so a sentence-final "
    "period is dropped: this model has no word order, and a comma would only be one more "
    f"little word that carries no meaning. Sentences of {MIN_TOKENS} to {MAX_TOKENS} "
    "tokens fit on screen."
)

# A word or number: letter/digit runs joined by a hyphen or an apostrophe, or by "." or ","
# between digits (3.5, 1,000); a final apostrophe after s is a plural possessive (cats').
_PART = r"[^\W_]+"
_JOIN = r"(?:[-'\u2019]|(?<=\d)[.,](?=\d))"
_WORD = re.compile(rf"{_PART}(?:{_JOIN}{_PART})*(?:(?<=[sS])['\u2019](?![^\W_]))?")
# Marks that read as words, although Unicode files them under punctuation.
_WORDLIKE = frozenset("&%#@§")
# Characters that extend an emoji: variation selectors, keycap, skin tones, zero-width joiner.
_EXTENDERS = frozenset("\ufe0e\ufe0f\u20e3\u200d") | {chr(c) for c in range(0x1F3FB, 0x1F400)}


class ExampleError(ValueError):
    """A sentence or focus word the worked example cannot use (a one-line message)."""


def _symbols(chunk: str, offset: int) -> list[tuple[int, int]]:
    """Spans of the symbols (emoji with their modifiers and joins) and word-like marks of
    ``chunk``, which starts at ``offset``."""
    out: list[tuple[int, int]] = []
    joined = False
    for i, ch in enumerate(chunk, start=offset):
        if out and (ch in _EXTENDERS or joined):
            out[-1] = (out[-1][0], i + 1)
            joined = ch == "\u200d"
            continue
        joined = False
        if unicodedata.category(ch).startswith("S") or ch in _WORDLIKE:
            out.append((i, i + 1))
    return out


def token_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    """Where each token of :func:`tokenize` is in the NFC-normalised ``sentence``.

    Examples
    --------
    >>> token_spans("It's 3.5 kg!")
    ((0, 4), (5, 8), (9, 11))
    """
    text = unicodedata.normalize("NFC", sentence)
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in _WORD.finditer(text):
        spans += _symbols(text[pos : match.start()], pos)
        spans.append(match.span())
        pos = match.end()
    spans += _symbols(text[pos:], pos)
    return tuple(spans)


def tokenize(sentence: str) -> tuple[str, ...]:
    """Split ``sentence`` into tokens, keeping their spelling (see :data:`TOKEN_RULES`).

    Examples
    --------
    >>> tokenize("The trophy didn't fit in the suitcase.")
    ('The', 'trophy', "didn't", 'fit', 'in', 'the', 'suitcase')
    >>> tokenize("A well-known cat's 3.5 kg, and 1,000 fans!")
    ('A', 'well-known', "cat's", '3.5', 'kg', 'and', '1,000', 'fans')
    >>> tokenize("I ♥ cats' toys 🐈‍⬛ & more")
    ('I', '♥', "cats'", 'toys', '🐈\u200d⬛', '&', 'more')
    """
    text = unicodedata.normalize("NFC", sentence)
    return tuple(text[start:end] for start, end in token_spans(sentence))
