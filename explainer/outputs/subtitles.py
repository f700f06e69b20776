"""SRT and WebVTT subtitles from the timeline: one cue per beat, long beats split readably."""

from __future__ import annotations

import re
from dataclasses import dataclass

from explainer.plan.timeline import Timeline

__all__ = ["Cue", "LINE_CHARS", "CUE_CHARS", "CUE_SECONDS", "cues", "wrap", "to_srt", "to_vtt"]

LINE_CHARS = 42  # the BBC/Netflix guideline for one subtitle line
CUE_CHARS = 2 * LINE_CHARS  # two lines at most
CUE_SECONDS = 6.0  # longer cues are split so a viewer never reads one for too long

# break after a sentence end first, then after a clause mark, then between words
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE = re.compile(r"(?<=[,;:—–])\s+|\s+(?=[—–]\s)")


@dataclass(frozen=True)
class Cue:
    """One subtitle: seconds from the start of the video, and its (wrapped) lines."""

    start: float
    end: float
    lines: tuple[str, ...]


def wrap(text: str, width: int = LINE_CHARS) -> tuple[str, ...] | None:
    """``text`` as one line, or two balanced lines of at most ``width``; None if it can't fit.

    Examples
    --------
    >>> wrap("Attention lets every token look at every other token in the sentence.")
    ('Attention lets every token look at', 'every other token in the sentence.')
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return (text,)
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    fitting = [i for i in spaces if i <= width and len(text) - i - 1 <= width]
    if not fitting:
        return None
    middle = min(fitting, key=lambda i: abs(i - len(text) / 2))
    return (text[:middle], text[middle + 1 :])


def _fits(text: str, seconds: float) -> bool:
    return wrap(text) is not None and (seconds <= CUE_SECONDS or " " not in text.strip())


def _split_once(text: str) -> list[str]:
    """Split ``text`` at the coarsest boundary that gives more than one piece."""
    for pattern in (_SENTENCE, _CLAUSE):
        pieces = [p for p in pattern.split(text) if p.strip()]
        if len(pieces) > 1:
            return pieces
    words = text.split()
    if len(words) > 1:
        return words
    # one word longer than a line: cut it into line-sized pieces
    return [text[i : i + LINE_CHARS] for i in range(0, len(text), LINE_CHARS)]


def _chunks(text: str, seconds_per_char: float) -> list[str]:
    """Pieces of ``text``, each fitting one cue, packed greedily from the finest split needed."""
    if _fits(text, len(text) * seconds_per_char) or len(text) <= 1:
        return [text]
    pieces: list[str] = []
    for piece in _split_once(text):
        pieces.extend(_chunks(piece, seconds_per_char))
    packed: list[str] = []
    for piece in pieces:
        joined = f"{packed[-1]} {piece}" if packed else piece
        if packed and _fits(joined, len(joined) * seconds_per_char):
            packed[-1] = joined
        else:
            packed.append(piece)
    return packed


def _beat_cues(text: str, start: float, speech: float) -> list[Cue]:
    """Cues covering one beat's speech; each piece's time is proportional to its characters."""
    text = " ".join(text.split())
    if not text or speech <= 0:
        return []
    per_char = speech / len(text)
    chunks = _chunks(text, per_char)
    total = sum(len(c) for c in chunks) or 1
    out: list[Cue] = []
    done = 0
    for chunk in chunks:
        lines = wrap(chunk) or (chunk,)
        t0 = start + speech * done / total
        done += len(chunk)
        out.append(Cue(t0, start + speech * done / total, lines))
    return out


def cues(timeline: Timeline) -> list[Cue]:
    """Every cue of the video in order: each beat's speech, split when long.

    A cue lasts while its words are spoken (not through the pause after them).

    Examples
    --------
    >>> [c.lines for c in cues(timeline)][:1]                  # doctest: +SKIP
    [('Take the sentence: The cat sat on the mat.',)]
    """
    return [
        cue
        for _scene, beat in timeline.beats()
        for cue in _beat_cues(beat.text, beat.start, beat.speech)
    ]


def _stamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _millis(cue_list: list[Cue]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Cue times in whole milliseconds, each at least 1 ms long and never overlapping."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    previous_end = 0
    for cue in cue_list:
        start = max(previous_end, round(cue.start * 1000))
        end = max(start + 1, round(cue.end * 1000))
        out.append((start, end, cue.lines))
        previous_end = end
    return out


def _clean(line: str) -> str:
    # "-->" inside cue text would be read as a timing line by some players
    return line.replace("-->", "->")


def to_srt(timeline: Timeline) -> str:
    """SubRip subtitles: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``.

    Examples
    --------
    >>> print(to_srt(timeline).splitlines()[:3])              # doctest: +SKIP
    ['1', '00:00:00,000 --> 00:00:02,680', 'Take the sentence: The cat sat on the mat.']
    """
    blocks = [
        f"{number}\n{_stamp(start / 1000, ',')} --> {_stamp(end / 1000, ',')}\n"
        + "\n".join(_clean(line) for line in lines)
        for number, (start, end, lines) in enumerate(_millis(cues(timeline)), start=1)
    ]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _vtt_escape(line: str) -> str:
    return _clean(line).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(timeline: Timeline) -> str:
    """WebVTT subtitles: a ``WEBVTT`` header and ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` cues.

    Examples
    --------
    >>> to_vtt(timeline).splitlines()[0]                       # doctest: +SKIP
    'WEBVTT'
    """
    blocks = [
        f"{_stamp(start / 1000, '.')} --> {_stamp(end / 1000, '.')}\n"
        + "\n".join(_vtt_escape(line) for line in lines)
        for start, end, lines in _millis(cues(timeline))
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")
