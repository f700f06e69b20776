"""What a viewer meets in a render, in four numbers: printed zeros, stillness while the
narrator speaks, the lower third's use, and the narration's pace.

The same rules as the issue "Good to watch" judges a render folder by:

- **zeros**: the ledger's printed numbers (explorer entries aside) whose shown text is a
  zero (``0``, ``0.0``, ``-0.00``); blank cells are not printed, so they do not count;
- **still**: the video sampled at 10 frames a second at 192x108 in grey; a frame whose mean
  change from the one before is at most 0.05 grey levels is still; the share of the
  narrated time (subtitle cues) that is still, and the longest still stretch inside it;
- **lower third**: a chapter is empty there when the median share of pixels brighter than
  40 in the frame's bottom third, over the chapter (half a second trimmed at each end), is
  under 1 %;
- **pace**: subtitle words over the cues' total time, in words a minute.

``make bench`` measures the default video and two new sentences with it.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "SAMPLE_FPS",
    "WatchMeasures",
    "measure_render",
    "parse_cues",
    "read_cues",
    "subtitle_pace",
]

SAMPLE_FPS = 10
SAMPLE_SIZE = (192, 108)
STILL_CHANGE = 0.05  # mean grey levels between two samples
INK_LEVEL = 40
EMPTY_INK = 0.01
ZERO = re.compile(r"-?0(\.0+)?")


@dataclass(frozen=True)
class WatchMeasures:
    """The four measures of one render folder (see the module docstring)."""

    zeros: int
    printed: int
    still_share: float
    longest_still: float  # seconds
    empty_lower_third: tuple[str, ...]  # scene ids
    words_per_minute: float

    @property
    def zero_share(self) -> float:
        return self.zeros / max(1, self.printed)

    def meets_targets(self) -> bool:
        """Zeros <= 20 %, still <= 30 % and never > 4 s, every lower third used, 135-165 wpm.

        Examples
        --------
        >>> WatchMeasures(1, 10, 0.25, 2.0, (), 150.0).meets_targets()
        True
        >>> WatchMeasures(1, 10, 0.25, 4.5, (), 150.0).meets_targets()
        False
        """
        return (self.zero_share <= 0.20 and self.still_share <= 0.30
                and self.longest_still <= 4.0 and not self.empty_lower_third
                and 135 <= self.words_per_minute <= 165)  # fmt: skip

    def summary(self) -> str:
        """One line, as the judge prints it.

        Examples
        --------
        >>> WatchMeasures(17, 155, 0.36, 2.3, (), 151.2).summary()
        'zeros 17/155 = 11%; still 36% of speech (longest 2.3 s); empty lower third: none; 151 wpm'
        """
        return (f"zeros {self.zeros}/{self.printed} = {self.zero_share:.0%}; "
                f"still {self.still_share:.0%} of speech (longest {self.longest_still:.1f} s); "
                f"empty lower third: {', '.join(self.empty_lower_third) or 'none'}; "
                f"{self.words_per_minute:.0f} wpm")  # fmt: skip


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.strip().replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def parse_cues(srt: str) -> list[tuple[float, float, str]]:
    """Every cue of SubRip text: start and end in seconds, and its text on one line.

    Examples
    --------
    >>> parse_cues("1\\n00:00:01,500 --> 00:00:03,000\\nTwo words\\nmore\\n")
    [(1.5, 3.0, 'Two words more')]
    """
    cues = []
    for block in srt.strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        cues.append((_seconds(start), _seconds(end), " ".join(lines[2:])))
    return cues


def read_cues(srt: Path) -> list[tuple[float, float, str]]:
    """Every cue of a SubRip file (:func:`parse_cues`)."""
    return parse_cues(srt.read_text(encoding="utf-8"))


def subtitle_pace(srt: str) -> float:
    """Words a minute of SubRip text: its words over its cues' total time.

    Examples
    --------
    >>> subtitle_pace("1\\n00:00:00,000 --> 00:00:02,000\\nThe cat sat.\\n\\n"
    ...               "2\\n00:00:03,000 --> 00:00:05,000\\nOn the mat, 0.35.\\n")
    105.0
    """
    return _pace(parse_cues(srt))


def _pace(cues: list[tuple[float, float, str]]) -> float:
    words = sum(len(text.split()) for _, _, text in cues)
    spoken = sum(end - start for start, end, _ in cues)
    return words / spoken * 60 if spoken else 0.0


def _grey_samples(video: Path) -> NDArray[np.int16]:  # -> (frames, height, width)
    width, height = SAMPLE_SIZE
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video),
         "-vf", f"fps={SAMPLE_FPS},scale={width}:{height},format=gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width).astype(np.int16)


def _longest_run(flags: NDArray[np.bool_]) -> int:
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def measure_render(folder: Path) -> WatchMeasures:
    """The four measures of a render folder (its video, .srt, timeline.json, numbers.json)."""
    video = next(folder.glob("*.mp4"))
    cues = read_cues(next(folder.glob("*.srt")))
    frames = _grey_samples(video)
    moving = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2)) > STILL_CHANGE
    times = (np.arange(len(moving)) + 1) / SAMPLE_FPS  # each change ends on a sample
    speaking = np.zeros(len(moving), bool)
    for start, end, _ in cues:
        speaking |= (times >= start) & (times < end)
    still = ~moving & speaking
    height = frames.shape[1]
    empty = []
    for scene in json.loads((folder / "timeline.json").read_text(encoding="utf-8"))["scenes"]:
        first, last = scene["start"] + 0.5, scene["start"] + scene["duration"] - 0.5
        inside = [i for i in range(len(frames)) if first <= i / SAMPLE_FPS < last]
        lower = frames[inside, 2 * height // 3 :, :] > INK_LEVEL
        if inside and np.median(lower.mean(axis=(1, 2))) < EMPTY_INK:
            empty.append(scene["id"])
    ledger = json.loads((folder / "numbers.json").read_text(encoding="utf-8"))
    shown = [e["shown"] for e in ledger["entries"]
             if e.get("scene") != "explorer" and "shown" in e]  # fmt: skip
    return WatchMeasures(
        zeros=sum(1 for s in shown if ZERO.fullmatch(s)),
        printed=len(shown),
        still_share=float(still.sum() / max(1, speaking.sum())),
        longest_still=_longest_run(still) / SAMPLE_FPS,
        empty_lower_third=tuple(empty),
        words_per_minute=_pace(cues),
    )


def main(folders: list[Path]) -> None:
    """Print the four measures of each render folder.

    Example: python -m explainer.dev.watch media/attention
    """
    for folder in folders:
        print(f"{folder}: {measure_render(folder).summary()}")


if __name__ == "__main__":
    import typer

    typer.run(main)
