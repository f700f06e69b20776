"""Each voice on the narration scripts: word error rate, pace, loudness, synthesis time.

A development tool (``make voice-report``), the source of README's voice table. For every
script and engine it voices every beat into an empty cache, as a render does, at the
engine's default rate or at ``--rate``, and measures:

* the word error rate of Whisper base (``dev/wer.py``: faster-whisper, greedy) against the
  text each engine was given (after :func:`explainer.voice.speech_text.speakable_ascii`); the
  beats are heard in order, packed into pieces of one 30 s window each;
* the pace two ways: the words said (numbers spelled out) over the beats' speech time, and
  as a viewer's subtitles show it, exactly as ``shared/tools/watch-measures`` computes it:
  the words of the ``.srt`` a 1080p60 render writes over its cues' total time;
* the voice stage's wall time, cold (the median of ``--repeats`` voicings into an empty
  cache; a voicing identical to an earlier one is not heard again);
* loudness: the engine's raw output (integrated LUFS, true peak, the spread of the beats'
  own loudness, the shortest and longest beat) and the narration as a render makes it
  (each scene at -16 LUFS).

``--calm 150`` finds, for each engine, the rate at which the default script's subtitles run
at that many words a minute (by the pace alone, a few voicings), then measures both scripts
at that rate and at the natural one, and applies the rule for the default voice.

Run it under the machine's lock, one at a time::

    flock /tmp/heavy.lock python dev/voice_report.py --calm 150 --json media/voice-report.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "dev")]  # this checkout's packages, then wer.py

import wer  # noqa: E402

from explainer.audio.loudness import integrated_loudness, true_peak  # noqa: E402
from explainer.audio.mix import MIX_RATE, _read_mono, prepare_narration  # noqa: E402
from explainer.audio.voice_cache import synthesize_beats  # noqa: E402
from explainer.dev.watch import subtitle_pace  # noqa: E402  (the judge's parse of an .srt)
from explainer.outputs.subtitles import to_srt  # noqa: E402
from explainer.plan.script import Script, load_script  # noqa: E402
from explainer.plan.timeline import build_timeline  # noqa: E402
from explainer.voice.engines import parse_voice  # noqa: E402
from explainer.voice.speech_text import speakable_ascii  # noqa: E402
from scenes.plan import ScenePlan  # noqa: E402

SCRIPTS = {
    "default": ROOT / "scripts/attention.toml",
    "lecture": ROOT / "scripts/attention-lecture.toml",
}
ENGINES = ("festival", "piper", "espeak", "flite")
JUDGED_FPS = 60  # the pace is judged on the 1080p60 render's subtitles
RULE = 1.1  # Piper becomes the default unless its WER is more than this times festival's


@dataclass
class VoiceMeasure:
    """One engine at one rate on one script."""

    script: str
    engine: str
    rate: float
    beats: int
    voice_seconds: float  # the voice stage, cold
    speech_seconds: float
    words: int  # spoken words, numbers spelled out
    words_per_minute: float  # spoken words over speech time
    subtitle_wpm: float  # subtitle words over cue time, as the judge measures it
    wer: float | None  # the mean over the distinct voicings
    wer_runs: list[float]
    errors: int
    raw_lufs: float
    raw_true_peak: float
    beat_lufs_spread: float  # standard deviation of the beats' own loudness, dB
    shortest_beat: float
    longest_beat: float
    mixed_lufs: float
    mixed_true_peak: float
    misheard: list[str] = field(default_factory=list)
    heard: list[tuple[str, str, str]] = field(default_factory=list)  # (ids, text, transcript)


def _heard(plans: list[ScenePlan], memo: dict[str, list[wer.Result]]) -> list[wer.Result]:
    """Whisper's results for every beat of a voicing; the same samples are heard once."""
    utterances = [
        (f"{plan.scene_id}/{beat.id}", speakable_ascii(beat.text),
         _read_mono(beat.audio, wer.EAR_RATE))
        for plan in plans for beat in plan.beats if beat.audio
    ]  # fmt: skip
    key = hashlib.sha256(b"".join(a.tobytes() for _, _, a in utterances)).hexdigest()
    if key not in memo:
        memo[key] = wer.score(list(wer.pack(utterances)))
    return memo[key]


def _voicings(
    script: Script, engine: str, work: Path, repeats: int
) -> tuple[list[list[ScenePlan]], float, float]:
    """``repeats`` cold voicings of the script (each into an empty cache), their median
    wall time and the rate the voice spoke at (the script's, or the engine's default)."""
    voice = parse_voice(engine, script.settings.rate)
    voice.check()
    voicings, times = [], []
    for run in range(repeats):
        started = time.perf_counter()
        voicings.append(synthesize_beats(script.scenes, voice, work / f"voice-{run}"))
        times.append(time.perf_counter() - started)
    return voicings, statistics.median(times), float(getattr(voice, "rate", 1.0))


def measure(
    script_name: str,
    engine: str,
    work: Path,
    *,
    rate: float | None = None,
    repeats: int = 1,
    hear: bool = True,
) -> VoiceMeasure:
    """Voice ``script_name`` with ``engine`` at ``rate`` into empty caches under ``work``.

    The word error rate is the mean over the distinct voicings (Piper's noise makes each
    differ; festival's, flite's and espeak's are heard once); the rest is measured on the
    last. ``hear=False`` skips the recogniser (the pace alone, for calibrating a rate).
    """
    script = load_script(SCRIPTS[script_name], voice=engine, rate=rate)
    voicings, voice_seconds, spoken_rate = _voicings(script, engine, work, repeats)
    memo: dict[str, list[wer.Result]] = {}
    runs = [wer.word_error_rate(_heard(v, memo)) for v in voicings] if hear else []
    results = [r for heard in memo.values() for r in heard]
    plans = voicings[-1]
    beats = [beat for plan in plans for beat in plan.beats]
    speech = sum(b.speech for b in beats)
    words = sum(len(wer.normalise(speakable_ascii(b.text))) for b in beats)
    samples = [_read_mono(b.audio, MIX_RATE) for b in beats if b.audio]
    joined = np.concatenate(samples)
    timeline = build_timeline(script.with_scenes(plans), JUDGED_FPS)
    (work / "mix").mkdir()
    mixed = prepare_narration(timeline, work / "mix").loudness
    means = statistics.mean(runs) if runs else None
    return VoiceMeasure(
        script_name, engine, spoken_rate,
        len(beats), round(voice_seconds, 2), round(speech, 1), words,
        round(words / speech * 60, 1), round(subtitle_pace(to_srt(timeline)), 1),
        None if means is None else round(means, 3), [round(r, 3) for r in runs],
        sum(r.wrong for r in results),
        round(integrated_loudness(joined, MIX_RATE), 1), round(true_peak(joined), 1),
        round(statistics.pstdev(integrated_loudness(s, MIX_RATE) for s in samples), 2),
        round(min(b.speech for b in beats), 2), round(max(b.speech for b in beats), 2),
        mixed.integrated, mixed.true_peak, [e for r in results for e in r.errors],
        [(r.id, r.text, r.hypothesis) for r in results],
    )  # fmt: skip


def _measured(
    script_name: str, engine: str, rate: float | None, *, repeats: int = 1, hear: bool = True
) -> VoiceMeasure:
    with tempfile.TemporaryDirectory(prefix="voice-report-") as work:
        row = measure(script_name, engine, Path(work), rate=rate, repeats=repeats, hear=hear)
    print(table([row]).splitlines()[-1], flush=True)
    return row


def calm_rate(engine: str, target: float, tolerance: float = 2.0) -> float:
    """The rate (two decimals) at which the default script's subtitles run at ``target``
    words a minute: a secant search on log pace against log rate (pace is nearly a power
    of the rate: festival, flite and espeak in proportion, Piper less)."""
    points = [(1.0, _measured("default", engine, rate=1.0, hear=False).subtitle_wpm)]
    rate = round(target / points[0][1], 2)
    for _ in range(4):
        pace = _measured("default", engine, rate=rate, hear=False).subtitle_wpm
        if abs(pace - target) <= tolerance:
            break
        (r0, p0), points = points[-1], [*points, (rate, pace)]
        slope = math.log(pace / p0) / math.log(rate / r0) if rate != r0 else 1.0
        rate = round(rate * (target / pace) ** (1 / max(slope, 0.2)), 2)
    return rate


def table(rows: list[VoiceMeasure]) -> str:
    """The measurements as a Markdown table."""
    lines = [
        "| script | voice | rate | WER | subtitle wpm | spoken wpm | speech (beats) "
        "| voice stage, cold | raw loudness | beats' spread | after the mix |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        heard = "-" if r.wer is None else f"{r.wer:.3f}"
        lines.append(
            f"| {r.script} | {r.engine} | {r.rate:g} | {heard} | {r.subtitle_wpm:.0f} "
            f"| {r.words_per_minute:.0f} | {r.speech_seconds:.0f} s ({r.beats}: "
            f"{r.shortest_beat:.1f}-{r.longest_beat:.1f} s) | {r.voice_seconds:.1f} s "
            f"| {r.raw_lufs:.1f} LUFS, {r.raw_true_peak:.1f} dBTP | {r.beat_lufs_spread:.1f} dB "
            f"| {r.mixed_lufs:.1f} LUFS, {r.mixed_true_peak:.1f} dBTP |"
        )
    return "\n".join(lines)


def verdict(rows: list[VoiceMeasure], rates: dict[str, float]) -> str:
    """The default-voice rule applied to the rows at the calm rates, per script and overall."""

    def pooled(engine: str, script: str | None) -> float:
        chosen = [r for r in rows if r.engine == engine and r.rate == rates[engine]
                  and r.wer is not None and script in (None, r.script)]  # fmt: skip
        return sum(r.wer * r.words for r in chosen if r.wer is not None) / sum(
            r.words for r in chosen
        )

    lines = []
    for script in (*SCRIPTS, None):
        piper, festival = pooled("piper", script), pooled("festival", script)
        lines.append(
            f"{script or 'both'}: piper {piper:.3f} at rate {rates['piper']:g}, festival "
            f"{festival:.3f} at rate {rates['festival']:g}: {piper / festival:.2f}x"
        )
    ratio = pooled("piper", None) / pooled("festival", None)
    winner = "piper" if ratio <= RULE else "festival"
    lines.append(f"default voice by the rule (piper unless above {RULE}x festival): {winner}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=ENGINES)
    parser.add_argument("--scripts", nargs="+", default=list(SCRIPTS), choices=list(SCRIPTS))
    parser.add_argument("--rate", type=float, help="every engine at this rate")
    parser.add_argument(
        "--calm", type=float, metavar="WPM", help="find each engine's rate for this pace"
    )
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--repeats", type=int, default=3, help="cold voice stages timed")
    args = parser.parse_args()
    rows: list[VoiceMeasure] = []
    rates: dict[str, float] = {}
    for engine in args.engines:
        if args.calm:
            rates[engine] = calm_rate(engine, args.calm)
            print(f"{engine}: rate {rates[engine]:g} for {args.calm:g} wpm", flush=True)
        for script_name in args.scripts:
            for rate in [args.rate] if not args.calm else sorted({1.0, rates[engine]}):
                rows.append(_measured(script_name, engine, rate=rate, repeats=args.repeats))
    print(table(rows))
    if args.calm and {"piper", "festival"} <= set(rates):
        print(verdict(rows, rates))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))


if __name__ == "__main__":
    main()
