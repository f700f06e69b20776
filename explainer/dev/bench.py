"""``make bench``: time cold, parallel, warm and no-op renders of the default script, and a
cold render of the trained-model script against it (the tables it prints:
:mod:`explainer.dev.bench_tables`); a decoder's numbers, warm (:mod:`explainer.dev.bench_decoder`);
then what a viewer meets in the default video and in new sentences
(:mod:`explainer.dev.bench_watch`)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from explainer.batch.runner import BatchOptions, BatchReport, run_batch
from explainer.batch.variants import Variant
from explainer.core.cache import write_atomic
from explainer.core.media import probe_video_frames
from explainer.core.quality import Quality
from explainer.dev.bench_decoder import decoder_numbers_measures
from explainer.dev.bench_edit import EDIT_BEAT, EDIT_SCENE, edit_beat, edit_loop_measures
from explainer.dev.bench_tables import Measure, bench_table, stages_table
from explainer.dev.bench_watch import watch_measures
from explainer.dev.local_cluster import local_cluster
from explainer.pipeline.conductor import VideoReport, render_video
from explainer.plan.script import DEFAULT_SCRIPT, Script, load_script
from scenes.catalogue import chapter_entry

__all__ = ["Measure", "edit_beat", "run_bench", "bench_table", "stages_table", "main"]

BENCH_DIR = Path("media/bench")
TRAINED_SCRIPT = Path("scripts/trained-model.toml")  # compared with the default script
NEXT_WORD_SCRIPT = Path("scripts/next-word.toml")  # the decoder's, compared the same way
# spoken before the edited beat's text (the beat: bench_edit's, a mid-video scene)
EDIT_PREFIX = "Now look closely at the bars, one for every token in the sentence: "

# the batch: the course's seed sentences, each with the word its video follows
BATCH_SENTENCES = (
    ("She sat on the bank of the river", "bank"),
    ("The bat flew out of the cave", "bat"),
    ("The hot dog was too cold to eat", "dog"),
    ("The trophy did not fit in the case because it was big", "it"),
)

_console = Console(width=max(120, shutil.get_terminal_size().columns))


def _render(script: Script, quality: Quality, out: Path, cache: Path, jobs: int) -> VideoReport:
    started = time.perf_counter()
    report = render_video(script, quality=quality, out_dir=out, cache_dir=cache, jobs=jobs)
    # the wall clock around the whole call, which the stage times must add up to
    report.stages["wall"] = time.perf_counter() - started
    return report


def _wall(report: VideoReport) -> float:
    return report.stages["wall"]


def _say(message: str) -> None:
    _console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {message}")


def _summary(report: VideoReport) -> dict[str, Any]:
    return {
        "wall_s": round(_wall(report), 3),
        "stages_s": {k: round(v, 3) for k, v in report.stages.items()},
        "duration_s": round(report.duration, 3),
        "rendered": report.rendered,
        "cached": report.cached,
        "voices_synthesised": len(report.voices_synthesised),
        "voices_cached": len(report.voices_cached),
        "assembled": report.assembled,
        "peak_child_rss_mb": round(report.peak_child_rss_mb, 1),
    }


def _require_cold(report: VideoReport, label: str) -> None:
    """A cold run must render every scene and assemble, or its time measures nothing."""
    if report.cached or not report.assembled:
        raise AssertionError(
            f"the {label} render was not cold: cached scenes {report.cached}, "
            f"assembled={report.assembled}"
        )


def _cold_high(script: Script, bench: Path, cache: Path, jobs: int) -> tuple[list[Measure], Any]:
    _say("cold render at 1080p60 (empty voice and clip caches)...")
    report = _render(script, Quality.high, bench / "high", cache, jobs)
    _require_cold(report, "1080p60")
    ratio = _wall(report) / report.duration
    measure = Measure(
        "cold full render 1080p60",
        ratio,
        "x",
        "<= 1.0x video",
        ratio <= 1.0,
        f"{_wall(report):.1f} s for {report.duration:.1f} s of video, voices cold",
    )
    return [measure], report


def _cold_low(
    script: Script, bench: Path, cache: Path, jobs: int
) -> tuple[list[Measure], VideoReport, VideoReport]:
    runs: dict[int, VideoReport] = {}
    for label, workers in ((f"jobs={jobs}", jobs), ("jobs=1", 1)):
        shutil.rmtree(cache, ignore_errors=True)  # voices and clips: cold means cold
        _say(f"cold render at 480p15, {label} (empty voice and clip caches)...")
        runs[workers] = _render(script, Quality.low, bench / f"low-j{workers}", cache, workers)
        _require_cold(runs[workers], f"480p15 {label}")
    parallel, serial = runs[jobs], runs[1]
    ratio = _wall(parallel) / parallel.duration
    speedup = _wall(serial) / _wall(parallel)
    measures = [
        Measure(
            "cold full render 480p15",
            ratio,
            "x",
            "<= 0.25x video",
            ratio <= 0.25,
            f"{_wall(parallel):.1f} s for {parallel.duration:.1f} s of video",
        ),
        Measure(
            f"parallel speed-up jobs=1 -> {jobs}",
            speedup,
            "x",
            ">= 1.7x",
            speedup >= 1.7,
            f"cold render {_wall(serial):.1f} s -> {_wall(parallel):.1f} s "
            f"(scene stage {serial.stages['scenes']:.1f} -> {parallel.stages['scenes']:.1f} s)",
        ),
    ]
    return measures, parallel, serial


def _warm_edit(
    bench: Path, cache: Path, jobs: int, cold: VideoReport
) -> tuple[list[Measure], VideoReport, Script]:
    edited_path = bench / "edited" / DEFAULT_SCRIPT.name  # same stem: same output names
    edit_beat(DEFAULT_SCRIPT, edited_path, EDIT_SCENE, EDIT_BEAT, EDIT_PREFIX)
    edited = load_script(edited_path)
    _say(f"warm re-render at 480p15 after editing beat {EDIT_SCENE}/{EDIT_BEAT}...")
    report = _render(edited, Quality.low, bench / "low-j1", cache, jobs)
    beat = f"{EDIT_SCENE}/{EDIT_BEAT}"
    if report.rendered != [EDIT_SCENE] or report.voices_synthesised != [beat]:
        raise AssertionError(
            f"the edit of {beat} re-rendered scenes {report.rendered} and re-voiced "
            f"{report.voices_synthesised}; expected exactly [{EDIT_SCENE!r}] and [{beat!r}]"
        )
    share = _wall(report) / _wall(cold)
    measure = Measure(
        "re-render in a new process, one beat edited (480p15)",
        share * 100,
        "%",
        "<= 20% of cold 480p15",
        share <= 0.20,
        f"{_wall(report):.1f} s; re-rendered only {EDIT_SCENE}, re-voiced only {beat}",
    )
    return [measure], report, edited


def _no_op(edited: Script, bench: Path, cache: Path, jobs: int) -> tuple[list[Measure], Any]:
    _say("no-op re-render at 480p15 (nothing changed)...")
    report = _render(edited, Quality.low, bench / "low-j1", cache, jobs)
    if report.rendered or report.voices_synthesised or report.assembled:
        raise AssertionError(
            f"a no-op render re-rendered {report.rendered}, re-voiced "
            f"{report.voices_synthesised}, assembled={report.assembled}"
        )
    wall = _wall(report)
    measure = Measure(
        "no-op re-render", wall, "s", "< 5 s", wall < 5.0, "nothing rendered, voiced or assembled"
    )
    return [measure], report


def _script_low(
    script: Path, label: str, bench: Path, cache: Path, jobs: int, default: VideoReport
) -> tuple[list[Measure], VideoReport]:
    """Another shipped script, cold at 480p15: its seconds per video-second against the
    default script's (the trained model: MiniLM's forward pass, 72 heads checked by loops;
    the decoder: SmolLM2's forward passes, its generation and heads checked by loops)."""
    shutil.rmtree(cache, ignore_errors=True)
    _say(f"cold render of {script} at 480p15, jobs={jobs}...")
    report = _render(load_script(script), Quality.low, bench / script.stem, cache, jobs)
    _require_cold(report, f"{label} 480p15")
    cost, base = _wall(report) / report.duration, _wall(default) / default.duration
    return [Measure(f"{label} script, cold 480p15", cost / base, "x",
                    "<= 1.5x default per video-s", cost / base <= 1.5,
                    f"{cost:.3f} vs {base:.3f} s per video-second")], report  # fmt: skip


def _peak_memory(child_mb: float, quality: Quality) -> Measure:
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    largest = max(child_mb, parent_mb)
    return Measure(
        f"peak memory, largest process ({quality.value})",
        largest,
        "MB",
        "< 1536 MB at 1080p",
        largest < 1536,
        f"largest worker/child {child_mb:.0f} MB, bench process {parent_mb:.0f} MB",
    )


def plain_manim_serial(script: Script, media: Path) -> tuple[float, float]:
    """Render each chapter with ``manim -qh``, one after another, no voice (the reference
    of "plain Manim"); return (wall seconds, seconds of video).
    """
    started = time.perf_counter()
    frames = 0
    for plan in script.scenes:
        module = chapter_entry(plan.class_name).module
        source = Path(*module.split(".")).with_suffix(".py")
        subprocess.run(
            [sys.executable, "-m", "manim", "render", "-qh", "--disable_caching",
             "--media_dir", str(media), "--progress_bar", "none", "-v", "WARNING",
             str(source), plan.class_name],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        movie = media / "videos" / source.stem / "1080p60" / f"{plan.class_name}.mp4"
        frames += probe_video_frames(movie)
    return time.perf_counter() - started, frames / Quality.high.fps


def _against_plain_manim(script: Script, bench: Path, ours: VideoReport) -> list[Measure]:
    _say("plain Manim at 1080p60, chapter after chapter (manim -qh, no voice)...")
    wall, video = plain_manim_serial(script, bench / "plain-manim")
    theirs, mine = wall / video, _wall(ours) / ours.duration
    speed = theirs / mine
    return [
        Measure(
            "speed per video-second vs plain Manim, 1080p60",
            speed,
            "x",
            ">= 2.5x",
            speed >= 2.5,
            f"plain Manim serial {wall:.1f} s for {video:.1f} s = {theirs:.2f} s/s; "
            f"ours cold {_wall(ours):.1f} s for {ours.duration:.1f} s = {mine:.2f} s/s",
        )
    ]


def _batch(bench: Path, label: str, options: BatchOptions) -> BatchReport:
    variants = [Variant(sentence, focus) for sentence, focus in BATCH_SENTENCES]
    _say(f"batch of {len(variants)} sentences at 480p15, {label} (empty caches)...")
    report = run_batch(variants, DEFAULT_SCRIPT, bench / f"batch-{label}", options)
    if report.failed or report.skipped:
        raise AssertionError(f"the {label} batch failed {report.failed}, skipped {report.skipped}")
    return report


def _batch_throughput(bench: Path) -> tuple[list[Measure], dict[str, Any]]:
    """The same batch on one core in local processes, then on a local 2-worker cluster."""
    serial = _batch(bench, "serial", BatchOptions(Quality.low, None, 1, bench / "cache-serial"))
    with local_cluster(bench / "dask", workers=2) as cluster:  # the README's commands
        options = BatchOptions(Quality.low, cluster.address, None, bench / "cache-cluster")
        parallel = _batch(bench, "cluster", options)
    speedup = serial.seconds / parallel.seconds
    measure = Measure(
        "batch throughput, 1 worker -> 2 workers (480p15)",
        speedup,
        "x",
        ">= 1.8x",
        speedup >= 1.8,
        f"{len(BATCH_SENTENCES)} videos: --jobs 1 {serial.seconds:.1f} s -> "
        f"2 Dask workers {parallel.seconds:.1f} s",
    )
    runs = {
        "batch_serial_s": round(serial.seconds, 2),
        "batch_cluster_s": round(parallel.seconds, 2),
    }
    return [measure], runs


def run_bench(*, skip_high: bool = False, jobs: int = 2, bench: Path = BENCH_DIR) -> dict[str, Any]:
    """Run every measurement in one go; return them as the ``bench.json`` structure.

    Parameters
    ----------
    skip_high
        Skip the 1080p60 cold render (the slowest part) for a quick check.
    jobs
        Worker processes for the parallel renders.
    bench
        Output folder, wiped first (outputs and its ``cache``) so "cold" means cold.

    Examples
    --------
    >>> run_bench(skip_high=True)["measures"][0]["name"]  # doctest: +SKIP
    'cold full render 480p15'
    """
    cache = bench / "cache"
    # outputs too: a finished video from the last bench would turn "cold" into a no-op
    shutil.rmtree(bench, ignore_errors=True)
    bench.mkdir(parents=True)
    script = load_script(DEFAULT_SCRIPT)
    high_measures: list[Measure] = []
    runs: dict[str, Any] = {}
    started = time.perf_counter()
    if not skip_high:
        high_measures, high = _cold_high(script, bench, cache, jobs)
        high_measures += _against_plain_manim(script, bench, high)
        # measured now: RUSAGE_CHILDREN is a running maximum, and 1080p is the largest
        memory = _peak_memory(high.peak_child_rss_mb, Quality.high)
        runs["cold_high"] = _summary(high)
    low_measures, low, serial = _cold_low(script, bench, cache, jobs)
    runs["cold_low"], runs["cold_low_jobs1"] = _summary(low), _summary(serial)
    if skip_high:
        memory = _peak_memory(low.peak_child_rss_mb, Quality.low)
    warm_measures, warm, edited = _warm_edit(bench, cache, jobs, low)
    runs["warm_edit_low"] = _summary(warm)
    noop_measures, noop = _no_op(edited, bench, cache, jobs)
    runs["noop_low"] = _summary(noop)
    edit_measures, runs["watch_edits"] = edit_loop_measures(bench, jobs, say=_say)
    defaults = {"default 480p15": bench / f"low-j{jobs}"}
    if not skip_high:
        defaults = {"default 1080p60": bench / "high", **defaults}
    watch_rows = watch_measures(bench, cache, jobs, defaults, say=_say)
    cold_low = (bench, cache, jobs, low)
    # each of the two empties the cache first
    trained_measures, trained = _script_low(TRAINED_SCRIPT, "trained-model", *cold_low)
    runs["trained_low"] = _summary(trained)
    next_measures, next_word = _script_low(NEXT_WORD_SCRIPT, "next-word", *cold_low)
    runs["next_word_low"] = _summary(next_word)
    batch_measures, runs["batch"] = _batch_throughput(bench)
    decoder_measures, runs["decoder"] = decoder_numbers_measures()
    # cold high (and against plain Manim), cold low, speed-up, warm, the watch's edits,
    # no-op, memory, trained, next word, batch, the decoder's numbers, what a viewer meets
    measures = high_measures + low_measures + warm_measures + edit_measures + noop_measures
    measures += [memory]
    measures += trained_measures + next_measures + batch_measures + decoder_measures + watch_rows
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cores": os.cpu_count(),
        "jobs": jobs,
        "load_average": list(os.getloadavg()),
        "bench_seconds": round(time.perf_counter() - started, 1),
        "measures": [asdict(m) for m in measures],
        "runs": runs,
    }


def main(
    skip_high: Annotated[
        bool, typer.Option("--skip-high", help="Skip the 1080p60 cold render (quick check).")
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=2, help="Parallel workers.")] = 2,
) -> None:
    """Measure cold, parallel, warm and no-op renders; print a table, write bench.json.

    Exits 0 even when a target is missed: this is a measurement, and the table says so.

    Example: python -m explainer.dev.bench --skip-high
    """
    result = run_bench(skip_high=skip_high, jobs=jobs)
    write_atomic(BENCH_DIR / "bench.json", (json.dumps(result, indent=2) + "\n").encode())
    _console.print(stages_table(result))
    _console.print(bench_table(result))
    missed = [m["name"] for m in result["measures"] if not m["passed"]]
    if missed:
        _console.print(f"[bold red]targets missed:[/bold red] {', '.join(missed)}")
    _console.print(f"wrote {BENCH_DIR / 'bench.json'} (load average {result['load_average']})")


if __name__ == "__main__":
    typer.run(main)
