"""Checks shared by the test modules: ffmpeg's loudness meter, the CLI's error line, a
softmax by numpy's own operations, the nearest rounding of a number, computed here with
:mod:`decimal` (not the project's code), and a mono 16-bit WAV written with :mod:`wave`."""

from __future__ import annotations

import re
import subprocess
import wave
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np


def nearest(x: float, decimals: int) -> str:
    """``x`` rounded to the nearest value at ``decimals`` places, by decimal arithmetic.

    The exact binary value is snapped to 9 decimals (as the project documents, so two float
    computations of one number agree), then rounded half to even. An exact tie of the
    snapped value (0.165 at two decimals) may go either way in the project; everywhere else
    this is the one right text.
    """
    snapped = Decimal(x).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    text = f"{snapped.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN):f}"
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def nearest_row(values: Iterable[float], decimals: int = 2) -> list[str]:
    """Every value of a row as :func:`nearest` shows it."""
    return [nearest(float(v), decimals) for v in values]


def nearest_rows(matrix: Iterable[Iterable[float]], decimals: int = 2) -> list[list[str]]:
    """Every row of a matrix as :func:`nearest_row` shows it."""
    return [nearest_row(row, decimals) for row in matrix]


def softmax(scores: Any) -> np.ndarray:
    """Softmax along the last axis by the definition, ``exp(x - max) / sum exp(x - max)``,
    with numpy's own operations (a score of -inf gets weight 0)."""
    z = np.asarray(scores, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ffmpeg_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak of ``path``'s audio, by ffmpeg's ebur128 filter.

    The independent meter the project's own loudness code is checked against.
    """
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a",
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated is not None, summary
    assert peak is not None, summary
    return float(integrated.group(1)), float(peak.group(1))


def one_error_line(result_or_stderr: Any) -> str:
    """The single ``error: ...`` line the CLI must print on stderr for a user error.

    Takes a typer ``Result`` or a process's stderr text.
    """
    stderr = getattr(result_or_stderr, "stderr", result_or_stderr)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in getattr(result_or_stderr, "output", stderr)
    return lines[0]


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """``samples`` (floats in [-1, 1], clipped) as a mono 16-bit WAV at ``rate``."""
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path
