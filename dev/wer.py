"""Word error rate of spoken WAVs against their texts, by an offline recogniser (pocketsphinx).

A development tool, not a test: pocketsphinx (its bundled US English model) is an old
recogniser and no judge of naturalness; it scores the CMU ARCTIC voices (festival's and
flite's SLT) best. Read its numbers as a warning about intelligibility, and listen.

Usage (``pip install -e '.[measure]'``; ffmpeg on PATH)::

    python dev/wer.py pairs.json [--json out.json] [-q]

``pairs.json`` is a list of ``[id, text, wav]``. Each WAV is resampled to 16 kHz mono by
ffmpeg and transcribed; the text and the transcript are normalised alike (numbers to words,
decimals digit by digit: 2.50 -> "two point five zero", a leading minus -> "minus",
lowercase, punctuation out) and compared by a word edit distance.
WER = (substitutions + deletions + insertions) / reference words, summed over all pairs.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?|\d+(?:\.\d+)?")
# words the recogniser's dictionary lacks, in its phone set (it could never output them)
EXTRA_WORDS = {"softmax": "S AO F T M AE K S", "token's": "T OW K AH N Z"}
COMPOUNDS = {"soft max": "softmax"}  # spelling variants of one spoken word


def int_words(n: int) -> str:
    """Cardinal words of a whole number below a billion.

    Examples
    --------
    >>> int_words(42), int_words(1005)
    ('forty two', 'one thousand five')
    """
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + int_words(rest))
    for size, name in ((1_000_000, "million"), (1000, "thousand")):
        if n >= size:
            rest = n % size
            return f"{int_words(n // size)} {name}" + ("" if rest == 0 else " " + int_words(rest))
    raise ValueError(n)


def number_words(token: str) -> str:
    """'2.50' -> 'two point five zero', '-0.23' -> 'minus zero point two three'.

    Examples
    --------
    >>> number_words("-0.23")
    'minus zero point two three'
    """
    sign = ""
    if token[0] in "-−":
        sign, token = "minus ", token[1:]
    whole, _, fraction = token.partition(".")
    words = int_words(int(whole)) if whole else "zero"
    if fraction:
        words += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return sign + words


def normalise(text: str) -> list[str]:
    """Lowercase words: numbers spelled out, apostrophes inside words kept, marks out.

    Examples
    --------
    >>> normalise("Sat gives cat 0.35, (the) <sil> soft max!")
    ['sat', 'gives', 'cat', 'zero', 'point', 'three', 'five', 'the', 'softmax']
    """
    text = text.replace("’", "'")
    text = _NUMBER.sub(lambda m: f" {number_words(m.group())} ", text)
    text = re.sub(r"\(\d+\)", " ", text)  # the recogniser's alternate-pronunciation marks
    text = re.sub(r"<[^>]*>|\[[a-z]+\]", " ", text)  # its <sil> and [noise] fillers
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower())
    joined = " ".join(w.strip("'") for w in text.split() if w.strip("'"))
    for parts, compound in COMPOUNDS.items():
        joined = re.sub(rf"\b{parts}\b", compound, joined)
    return joined.split()


def align(ref: list[str], hyp: list[str]) -> tuple[int, int, int, list[str]]:
    """Word edit distance: substitutions, deletions, insertions, and the errors as text.

    Examples
    --------
    >>> align("the cat sat".split(), "a cat sat down".split())
    (1, 0, 1, ['the->a', '-->down'])
    """
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0], d[0, :] = np.arange(n + 1), np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]), d[i - 1, j] + 1,
                          d[i, j - 1] + 1)  # fmt: skip
    counts, errors = {"S": 0, "D": 0, "I": 0}, []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] != hyp[j - 1]:
                counts["S"] += 1
                errors.append(f"{ref[i - 1]}->{hyp[j - 1]}")
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            counts["D"] += 1
            errors.append(f"{ref[i - 1]}->-")
            i -= 1
        else:
            counts["I"] += 1
            errors.append(f"-->{hyp[j - 1]}")
            j -= 1
    return counts["S"], counts["D"], counts["I"], errors[::-1]


def pcm16k(wav: Path) -> bytes:
    """The file as 16 kHz mono signed 16-bit samples (ffmpeg resamples)."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(wav), "-ac", "1", "-ar", "16000", "-f", "s16le",
         "-acodec", "pcm_s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


@functools.cache
def _decoder():  # type: ignore[no-untyped-def]
    from pocketsphinx import Config, Decoder  # the `measure` extra

    decoder = Decoder(Config(samprate=16000, loglevel="FATAL"))
    for word, phones in EXTRA_WORDS.items():
        if decoder.lookup_word(word) is None:
            decoder.add_word(word, phones, True)
    return decoder


def transcribe(wav: Path) -> str:
    """What the recogniser hears in ``wav``."""
    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(pcm16k(wav), full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return str(hypothesis.hypstr) if hypothesis is not None else ""


def unknown_words(words: list[str]) -> list[str]:
    """Reference words missing from the recogniser's dictionary (always errors)."""
    return sorted({w for w in words if _decoder().lookup_word(w) is None})


@dataclass
class Result:
    """One utterance's transcript and its errors."""

    id: str
    text: str
    hypothesis: str
    ref_words: int
    substitutions: int
    deletions: int
    insertions: int
    errors: list[str]

    @property
    def wrong(self) -> int:
        return self.substitutions + self.deletions + self.insertions


def score(pairs: list[tuple[str, str, Path]]) -> list[Result]:
    """Transcribe each ``(id, text, wav)`` and count its word errors."""
    results = []
    for ident, text, wav in pairs:
        heard = transcribe(wav)
        ref = normalise(text)
        s, d, i, errors = align(ref, normalise(heard))
        results.append(Result(ident, text, heard, len(ref), s, d, i, errors))
    return results


def word_error_rate(results: list[Result]) -> float:
    """All errors over all reference words."""
    return sum(r.wrong for r in results) / max(1, sum(r.ref_words for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, help="JSON list of [id, text, wav]")
    parser.add_argument("--json", type=Path, help="write every utterance's result here")
    parser.add_argument("-q", "--quiet", action="store_true", help="the summary only")
    args = parser.parse_args()
    pairs = [(i, t, Path(w)) for i, t, w in json.loads(args.pairs.read_text())]
    results = score(pairs)
    if not args.quiet:
        for r in results:
            print(f"{r.id}: {r.wrong}/{r.ref_words} {' '.join(r.errors) or 'ok'}\n  {r.hypothesis}")
    missing = unknown_words([w for _, text, _ in pairs for w in normalise(text)])
    if missing:
        print("not in the recogniser's dictionary:", " ".join(missing))
    print(f"WER {word_error_rate(results):.3f} over {sum(r.ref_words for r in results)} words")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    sys.exit(main())
