"""``make bench``'s decoder rows: ``explainer numbers --model smollm2 --json`` on a 16-token
prompt, warm (the dequantized weights already cached), its wall time and peak memory.

Run alone: ``python -m explainer.dev.bench_decoder`` prints the two rows as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from typing import Any

from explainer.dev.bench_tables import Measure

__all__ = ["DECODER_PROMPT", "decoder_numbers_measures", "timed_numbers"]

# 16 tokens for SmolLM2 (the PyTorch fixture's third prompt, tests/reference/)
DECODER_PROMPT = "When Mary and John went to the store, John gave a bottle of milk to"
TARGET_S, TARGET_MB = 5.0, 1536.0


def timed_numbers(prompt: str = DECODER_PROMPT) -> tuple[float, float, int]:
    """One ``explainer numbers --model smollm2 --json --sentence prompt`` in a fresh process:
    (wall seconds, that process's own peak resident memory in MB, bytes of JSON printed).

    The peak is the kernel's for that child alone (``os.wait4``), not the running maximum
    of every child the bench started.

    Examples
    --------
    >>> seconds, mb, size = timed_numbers()                              # doctest: +SKIP
    """
    command = [sys.executable, "-m", "explainer", "numbers", "--model", "smollm2", "--json",
               "--sentence", prompt]  # fmt: skip
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        printed, problem = out.read(), err.read().decode(errors="replace").strip()
    if child.returncode != 0:
        raise RuntimeError(f"explainer numbers failed: {problem}")
    json.loads(printed)  # it printed one JSON document
    return seconds, usage.ru_maxrss / 1024, len(printed)  # ru_maxrss: KiB on Linux


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
