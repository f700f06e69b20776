"""``make bench``'s "good to watch" rows: the viewer's four measures
(:mod:`explainer.dev.watch`) on the default video and on new sentences a user types.

The default video is measured as the bench rendered it (1080p60 and 480p15); each new
sentence is rendered at 480p15 with the default script, its focus chosen as the command
line would choose it or as the seeds name it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from explainer.core.quality import Quality
from explainer.dev.bench_tables import Measure
from explainer.dev.watch import measure_render
from explainer.pipeline.conductor import render_video
from explainer.plan.script import DEFAULT_SCRIPT, load_script

__all__ = ["NEW_SENTENCES", "watch_measures"]

# new sentences of 6 to 16 words: two of the seeds' examples and a long one
NEW_SENTENCES: tuple[tuple[str, str | None], ...] = (
    ("She sat on the bank of the river", "bank"),
    ("The trophy did not fit in the case because it was big", "it"),
    ("The old man who lived by the river told the children a story about the sea", None),
)
TARGET = "zeros <= 20 %, still <= 30 % (<= 4 s), lower third used, 135-165 wpm"


def _row(label: str, folder: Path) -> Measure:
    measures = measure_render(folder)
    return Measure(
        f"good to watch: {label}",
        measures.still_share * 100,
        "% still",
        TARGET,
        measures.meets_targets(),
        measures.summary(),
    )


def watch_measures(
    bench: Path,
    cache: Path,
    jobs: int,
    default_folders: dict[str, Path],
    say: Callable[[str], None] = print,
) -> list[Measure]:
    """One row per render: the default video's folders already rendered (by label), then
    each of :data:`NEW_SENTENCES` rendered at 480p15 into ``bench/watch-N``."""
    rows = [_row(label, folder) for label, folder in default_folders.items()]
    for n, (sentence, focus) in enumerate(NEW_SENTENCES, start=1):
        say(f"new sentence at 480p15 for the viewer's measures: {sentence!r}...")
        script = load_script(DEFAULT_SCRIPT, sentence=sentence, focus=focus)
        out = bench / f"watch-{n}"
        started = time.perf_counter()
        render_video(script, quality=Quality.low, out_dir=out, cache_dir=cache, jobs=jobs)
        words = len(sentence.split())
        row = _row(f"{words} words, 480p15", out)
        row.note += f" ({sentence!r}, rendered in {time.perf_counter() - started:.0f} s)"
        rows.append(row)
    return rows
