"""Narration text as a speech engine should read it: maths and symbols spelled out in words.

Every engine gets the same words (:func:`speakable_ascii`), so festival, flite and Piper say
the same thing and a cached beat's key (its text) means one reading. Each rule of
:data:`SPEECH_RULES` fixes something an engine was heard to misread: Piper (espeak-ng's
phonemiser) reads ``ᵀ`` as "letter 1D40", ``/`` as "slash", drops ``·`` and the minus of
``1e-5``; festival says "underscore" and "left bracket" and nothing at all for ``=``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SPEECH_RULES", "SpeechRule", "has_words", "speakable", "speakable_ascii"]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


@dataclass(frozen=True)
class SpeechRule:
    """One rewrite: ``pattern`` becomes ``spoken``, for the reason given."""

    pattern: re.Pattern[str]
    spoken: str | Callable[[re.Match[str]], str]
    why: str


def _rule(pattern: str, spoken: str | Callable[[re.Match[str]], str], why: str) -> SpeechRule:
    return SpeechRule(re.compile(pattern), spoken, why)


def _power(match: re.Match[str]) -> str:
    exponent = match[1]
    if exponent[0] in "-−":
        return f" to the minus {exponent[1:]}"
    return f" to the power {exponent}"


def _scientific(match: re.Match[str]) -> str:
    sign = "minus " if match[2] in "-−" else ""
    return f"{match[1]} times 10 to the {sign}{match[3]}"


# applied in order: a later rule reads what the earlier ones wrote
SPEECH_RULES: tuple[SpeechRule, ...] = (
    _rule(r"[‘’]", "'", "typographic quotes: festival reads Latin-1 only"),
    _rule(r"[“”]", '"', "typographic quotes"),
    _rule(r"…", "...", "an ellipsis is three dots"),
    _rule(
        r"(?<![\w.])(\d+(?:\.\d+)?)(?:-|\s*–\s*)(\d+(?:\.\d+)?)(?![\w.])",
        r"\1 to \2",
        'a range: Piper says "three dash four" (GPT-2 keeps its hyphen)',
    ),
    _rule(r"(?<=\d)\s+[-−]\s+(?=\d)", " minus ", "a difference: 5 - 3"),
    _rule(r"\s*[—–]\s*|\s+-\s+", ", ", "a dash is a pause"),
    _rule(r"(?i)\bi\.e\.(?=\W|$)", "that is", 'Piper says "I E" and ends the sentence'),
    _rule(r"(?i)\be\.g\.(?=\W|$)", "for example", "festival spells it"),
    _rule(r"(?i)\bvs\.?(?=\W|$)", "versus", 'Piper says "V S"'),
    _rule(r"\b([A-Z])([A-Z])(?=ᵀ|\^T\b|⊤|\s*/)", r"\1 \2", "QKᵀ is two matrices: Q Kᵀ"),
    _rule(r"\)\s*([A-Z])\b", r"), times \1", "(...)V multiplies V"),
    _rule(r"\s*(?:ᵀ|\^T\b|\^⊤|⊤)", " transposed", 'Piper reads ᵀ as "letter 1D40"'),
    _rule(r"\s*(?:²|\^2\b)", " squared", 'Piper says "x two"'),
    _rule(r"\s*(?:³|\^3\b)", " cubed", 'Piper says "n three"'),
    _rule(r"[⁰¹⁴-⁹⁻]+", lambda m: "^" + m[0].translate(_SUPERSCRIPTS), "other powers: x^n"),
    _rule(r"\^\(?([-−]?\w+)\)?", _power, 'Piper drops "^": "10^-5" is "ten five"'),
    _rule(r"\b(\d+(?:\.\d+)?)[eE]([-+−]?)(\d+)\b", _scientific, 'Piper says "one E five"'),
    _rule(r"(?:√|\bsqrt\b)\s*\(([^()]*)\)", r" the square root of \1 ", "√(d_k), sqrt(d)"),
    _rule(r"√\s*", " the square root of ", 'Piper says "square root d"'),
    _rule(r"\b([A-Za-z]+)\(", r"\1 of (", 'softmax(x) is "softmax of x"'),
    _rule(r"(?<=\w)\s*[·⋅]\s*(?=\w)", " dot ", "Piper drops the dot of q·k"),
    _rule(r"\s*[×∙]\s*", " times ", "a multiplication sign"),
    _rule(r"(?i)\band/or\b", "and or", '"and/or"'),
    _rule(r"(?<=[A-Za-z]{2})/(?=[A-Za-z]{2})", " or ", '"input/output"'),
    _rule(r"(?<=[\w)])\s*/\s*(?=[\w(])", " over ", 'a fraction: Piper says "slash"'),
    _rule(r"\s*≈\s*", " is approximately ", "Piper: approximately, festival: nothing"),
    _rule(r"\s*(?:→|⟶|->)\s*", " gives ", 'Piper says "right arrow"'),
    _rule(r"\s*≠\s*", " is not ", "relations as words"),
    _rule(r"\s*≤\s*", " is at most ", "relations as words"),
    _rule(r"\s*≥\s*", " is at least ", "relations as words"),
    _rule(r"\s*±\s*", " plus or minus ", "relations as words"),
    _rule(r"\s*∈\s*", " in ", 'Piper reads "letter 2208"'),
    _rule(r"\s*=\s*", " equals ", 'festival says nothing for "="'),
    _rule(r"(?<=\w)\s*\|\s*(?=\w)", " given ", "P(A|B)"),
    _rule(r"\s*&\s*", " and ", "an ampersand"),
    _rule(r"(?<=\d)\s*°", " degrees", "a degree sign"),
    _rule(r"(?<=\d)\s*%", " percent", "a percent sign"),
    _rule(r"(?<=[\w)])\s*\+\s*(?=[\w(])", " plus ", "a sum"),
    _rule(r"\[([A-Z]{2,6})\]", lambda m: " ".join(m[1]), '[CLS] is "C L S" (Piper says "sep")'),
    _rule(r"(?<=\w)_(?=\w)", " ", 'd_head is "d head": festival says "underscore"'),
    _rule(r"[()\[\]{}|*]", " ", 'brackets carry no words (Piper: "asterisk")'),
    _rule(r"(?<![\w.])[-−](?=\d)", "minus ", 'a number\'s sign: festival drops it from "-0.23"'),
)

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "θ": "theta",
    "λ": "lambda", "μ": "mu", "π": "pi", "σ": "sigma", "τ": "tau", "φ": "phi", "ω": "omega",
    "Σ": "sigma", "∑": "the sum", "ℝ": "R", "∞": "infinity",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9]")
_MAX_PASSES = 4


def _tidy(text: str) -> str:
    """One line, single spaces, none before punctuation."""
    return re.sub(r"\s+(?=[,.;:!?])", "", " ".join(text.split()))


def speakable(text: str) -> str:
    """``text`` with maths and symbols in words (:data:`SPEECH_RULES`), spaces collapsed.

    Examples
    --------
    >>> speakable("softmax(QKᵀ/√d)V, with you: -0.23")
    'softmax of Q K transposed over the square root of d, times V, with you: minus 0.23'
    >>> speakable("q·k for [CLS] and W_Q; GPT-2 reads 3-4 words")
    'q dot k for C L S and W Q; GPT-2 reads 3 to 4 words'
    """
    text = unicodedata.normalize("NFC", text)
    for _ in range(_MAX_PASSES):  # until nothing changes: "0/=" needs "=" in words first
        before = text
        for rule in SPEECH_RULES:
            text = rule.pattern.sub(rule.spoken, text)
        text = _tidy("".join(f" {_GREEK[ch]} " if ch in _GREEK else ch for ch in text))
        if text == before:
            break
    return text


def speakable_ascii(text: str) -> str:
    """:func:`speakable`, then plain ASCII: accents dropped, anything else unsayable removed.

    What every engine is given: festival and flite read Latin-1 only, and Piper reads a
    character it does not know as its code point ("letter 1F600").

    Examples
    --------
    >>> speakable_ascii("It’s “café” — 0.42…")
    'It\\'s "cafe", 0.42...'
    >>> speakable_ascii("Take the cat 😀 home")
    'Take the cat home'
    """
    for _ in range(_MAX_PASSES):  # a dropped character can bring two symbols together
        before = text
        text = unicodedata.normalize("NFKD", speakable(text)).encode("ascii", "ignore").decode()
        text = _tidy(text)
        if text == before:
            break
    return text


def has_words(text: str) -> bool:
    """Whether ``text`` has a letter or digit to say (Piper crashes on a line without one).

    Examples
    --------
    >>> has_words("... --"), has_words("0.5")
    (False, True)
    """
    return _WORD.search(text) is not None
