"""Each voice on the narration scripts: voice stage time, speech rate, recogniser WER, loudness.

A development tool (``make voice-report``), the source of README's voice table. For every
script and engine it voices every beat into an empty cache, as a render does, and measures:

* the voice stage's wall time, cold (the median of ``--repeats`` runs);
* words per minute: the words said (numbers spelled out) over the beats' speech time;
* the word error rate of an offline recogniser (``dev/wer.py``, pocketsphinx) against the
  text the engine was given (after :func:`explainer.speech_text.speakable_ascii`);
* loudness: the engine's raw output (integrated LUFS, true peak, the spread of the beats'
  own loudness), and the narration as a render makes it (each scene at -16 LUFS, AAC,
  measured by ffmpeg).

Run the timing under the machine's CPU lock for numbers worth comparing::

    flock /work/cpu.lock python dev/voice_report.py --json media/voice-report.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "dev")]  # this checkout's packages, then wer.py

import wer  # noqa: E402

from explainer.loudness import integrated_loudness, true_peak  # noqa: E402
from explainer.mix import MIX_RATE, _read_mono, prepare_narration  # noqa: E402
from explainer.script import load_script  # noqa: E402
from explainer.speech_text import speakable_ascii  # noqa: E402
from explainer.timeline import build_timeline  # noqa: E402
from explainer.voice_cache import synthesize_beats  # noqa: E402
from explainer.voices import parse_voice  # noqa: E402

SCRIPTS = {
    "default": ROOT / "scripts/attention.toml",
    "lecture": ROOT / "scripts/attention-lecture.toml",
}
ENGINES = ("festival", "piper", "flite", "espeak")


@dataclass
class VoiceMeasure:
    """One engine on one script."""

    script: str
    engine: str
    beats: int
    voice_seconds: float  # the voice stage, cold
    speech_seconds: float
    words: int
    words_per_minute: float
    wer: float  # the mean over the repeats
    wer_runs: list[float]
    raw_lufs: float
    raw_true_peak: float
    beat_lufs_spread: float  # standard deviation of the beats' own loudness, dB
    mixed_lufs: float
    mixed_true_peak: float
    errors: list[str]


def measure(script_name: str, engine: str, work: Path, repeats: int = 1) -> VoiceMeasure:
    """Voice ``script_name`` with ``engine`` into an empty cache under ``work``; measure it.

    The voice stage is timed ``repeats`` times, each into an empty cache, and the median
    kept (a shared machine's load moves single runs by a factor of two); the word error
    rate is the mean over those voicings; the rest is measured on the last.
    """
    script = load_script(SCRIPTS[script_name], voice=engine)
    voice = parse_voice(engine)
    voice.check()
    times, rates = [], []
    for run in range(repeats):
        started = time.perf_counter()
        plans = synthesize_beats(script.scenes, voice, work / f"voice-{run}")
        times.append(time.perf_counter() - started)
        # Piper's noise makes each voicing differ: score every one, keep the mean
        beats = [(plan.scene_id, beat) for plan in plans for beat in plan.beats]
        pairs = [(f"{s}/{b.id}", speakable_ascii(b.text), b.audio) for s, b in beats if b.audio]
        results = wer.score(pairs)
        rates.append(wer.word_error_rate(results))
    voice_seconds = statistics.median(times)
    speech = sum(b.speech for _, b in beats)
    words = sum(r.ref_words for r in results)
    samples = [_read_mono(b.audio, MIX_RATE) for _, b in beats if b.audio]
    joined = np.concatenate(samples)
    timeline = build_timeline(script.with_scenes(plans), 30)
    (work / "mix").mkdir()
    mixed = prepare_narration(timeline, work / "mix").loudness
    return VoiceMeasure(
        script_name, engine, len(beats), round(voice_seconds, 2), round(speech, 1), words,
        round(words / speech * 60, 1), round(statistics.mean(rates), 3),
        [round(rate, 3) for rate in rates],
        round(integrated_loudness(joined, MIX_RATE), 1), round(true_peak(joined), 1),
        round(statistics.pstdev(integrated_loudness(s, MIX_RATE) for s in samples), 2),
        mixed.integrated, mixed.true_peak, [e for r in results for e in r.errors],
    )  # fmt: skip


def table(rows: list[VoiceMeasure]) -> str:
    """The measurements as a Markdown table."""
    lines = [
        "| script | voice | voice stage, cold | speech | words/min | WER | raw loudness "
        "| beats' spread | after the mix |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.script} | {r.engine} | {r.voice_seconds:.1f} s ({r.beats} beats) "
            f"| {r.speech_seconds:.0f} s | {r.words_per_minute:.0f} | {r.wer:.2f} "
            f"| {r.raw_lufs:.1f} LUFS, {r.raw_true_peak:.1f} dBTP | {r.beat_lufs_spread:.1f} dB "
            f"| {r.mixed_lufs:.1f} LUFS, {r.mixed_true_peak:.1f} dBTP |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=ENGINES)
    parser.add_argument("--scripts", nargs="+", default=list(SCRIPTS), choices=list(SCRIPTS))
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--repeats", type=int, default=3, help="cold voice stages timed")
    args = parser.parse_args()
    rows = []
    for script_name in args.scripts:
        for engine in args.engines:
            with tempfile.TemporaryDirectory(prefix="voice-report-") as work:
                rows.append(measure(script_name, engine, Path(work), args.repeats))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))


if __name__ == "__main__":
    main()
