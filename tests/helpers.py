"""Checks shared by the test modules: ffmpeg's loudness meter and the CLI's error line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any


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
