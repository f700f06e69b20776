"""``make bench``'s decoder rows: ``explainer numbers --model smollm2 --json`` on a 16-token
prompt, warm (the dequantized weights already cached), its wall time and peak memory.

Run alone: ``python -m explainer.dev.bench_decoder`` prints the two rows as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from explainer.dev.bench_tables import Measure

__all__ = ["DECODER_PROMPT", "decoder_numbers_measures", "timed_numbers"]

# 16 tokens for SmolLM2 (the PyTorch fixture's third prompt, tests/reference/)
DECODER_PROMPT = "When Mary and John went to the store, John gave a bottle of milk to"
TARGET_S, TARGET_MB = 5.0, 1536.0


# runs argv[2:] and writes its peak resident set (KiB) to argv[1]: a small process between
# the bench and the measured one, because a process started by vfork and exec inherits its
# parent's peak (Linux carries the old memory's high-water mark over exec), so the bench's
# own peak, over 2 GB once it has rendered the decoder's script, was read as the child's
_MEASURED = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def timed_numbers(prompt: str = DECODER_PROMPT) -> tuple[float, float, int]:
    """One ``explainer numbers --model smollm2 --json --sentence prompt`` in a fresh process:
    (wall seconds, that process's own peak resident memory in MB, bytes of JSON printed).

    The peak is the kernel's for that process alone (``os.wait4`` in a small process that
    starts it: see :data:`_MEASURED`), not the running maximum of every child the bench
    started, nor the bench's own.

    Examples
    --------
    >>> seconds, mb, size = timed_numbers()                              # doctest: +SKIP
    """
    command = [sys.executable, "-m", "explainer", "numbers", "--model", "smollm2", "--json",
               "--sentence", prompt]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _MEASURED, str(peak), *command],
                              capture_output=True, check=False)  # fmt: skip
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            problem = done.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"explainer numbers failed: {problem}")
        kib = int(peak.read_text())
    json.loads(done.stdout)  # it printed one JSON document
    return seconds, kib / 1024, len(done.stdout)


def decoder_numbers_measures() -> tuple[list[Measure], dict[str, Any]]:
    """The decoder rows: a first run warms the weight cache, the second is timed."""
    timed_numbers()
    seconds, mb, size = timed_numbers()
    rows = [
        Measure("decoder numbers, 16-token prompt (warm)", seconds, "s", f"< {TARGET_S:g} s",
                seconds < TARGET_S, f"explainer numbers --model smollm2 --json: {size:,} bytes"),
        Measure("decoder numbers, peak memory", mb, "MB", f"< {TARGET_MB:g} MB",
                mb < TARGET_MB, "the numbers process alone (its own peak resident set)"),
    ]  # fmt: skip
    return rows, {"decoder_numbers_s": round(seconds, 2), "decoder_numbers_mb": round(mb, 1)}


if __name__ == "__main__":
    measures, _ = decoder_numbers_measures()
    print(json.dumps([asdict(m) for m in measures], indent=2))
