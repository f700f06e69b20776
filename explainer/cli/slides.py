"""``explainer slides``: lecture mode, the render plus presenter, handout, deck, thumbnail."""

from __future__ import annotations

from typing import Annotated

import typer

from explainer.cli.boundary import friendly_errors, load, stdout
from explainer.cli.options import (
    DEFAULT_CACHE,
    AllowLayoutOpt,
    CacheOpt,
    ClusterOpt,
    FocusOpt,
    ForceOpt,
    JobsOpt,
    ModelOpt,
    OutOpt,
    QualityOpt,
    QuietOpt,
    RateOpt,
    SceneOpt,
    ScriptArg,
    SentenceOpt,
    VoiceOpt,
)
from explainer.cli.progress import render_progress
from explainer.core.quality import Quality
from explainer.plan.script import DEFAULT_SCRIPT

__all__ = ["slides"]

SilentOpt = Annotated[
    bool, typer.Option("--silent", help="Segments, presenter and deck without narration.")
]


@friendly_errors
def slides(
    script: ScriptArg = DEFAULT_SCRIPT,
    quality: QualityOpt = Quality.high,
    scene: SceneOpt = None,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    voice: VoiceOpt = None,
    rate: RateOpt = None,
    silent: SilentOpt = False,
    jobs: JobsOpt = None,
    out: OutOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    quiet: QuietOpt = False,
    allow_layout_issues: AllowLayoutOpt = False,
    cluster: ClusterOpt = None,
    force: ForceOpt = False,
) -> None:
    """Lecture mode: render (cached), then an offline presenter, PDF handout, deck, thumbnail.

    Writes beside the video: slides/index.html (one step per beat; open it in a browser,
    no network needed), <name>-handout.pdf, <name>.pptx and thumbnail.png.

    Example: explainer slides scripts/attention.toml --quality low
    """
    from explainer.pipeline.conductor import LectureOptions, render_video  # see render

    loaded = load(script, sentence, focus, voice, model, rate)
    with render_progress(quiet) as on_progress:
        video = render_video(
            loaded, quality=quality, out_dir=out, scene_ids=scene or (), jobs=jobs,
            cache_dir=cache, on_progress=on_progress, lecture=LectureOptions(silent=silent),
            allow_layout_issues=allow_layout_issues, cluster=cluster, force=force,
        )  # fmt: skip
    report = video.lecture
    if report is not None and not quiet:
        stdout.print(
            f"wrote {report.presenter} ({len(report.segments)} steps), {report.handout.name}, "
            f"{report.deck.name}, {report.thumbnail.name} in {report.seconds:.1f} s "
            f"(render {video.stages['total'] - video.stages['lecture']:.1f} s)"
        )
