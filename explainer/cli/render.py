"""``explainer render``: the narrated video, its clips, subtitles and numbers."""

from __future__ import annotations

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

__all__ = ["render"]


@friendly_errors
def render(
    script: ScriptArg = DEFAULT_SCRIPT,
    quality: QualityOpt = Quality.high,
    scene: SceneOpt = None,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    voice: VoiceOpt = None,
    rate: RateOpt = None,
    jobs: JobsOpt = None,
    out: OutOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    quiet: QuietOpt = False,
    allow_layout_issues: AllowLayoutOpt = False,
    cluster: ClusterOpt = None,
    force: ForceOpt = False,
) -> None:
    """Render the narrated video, its per-scene clips, subtitles and number ledger.

    Example: explainer render scripts/attention.toml --quality low --scene scores
    """
    # the render pipeline (with scipy, 0.5 s) loads only for the commands that render
    from explainer.pipeline.conductor import render_video

    loaded = load(script, sentence, focus, voice, model, rate)
    with render_progress(quiet) as on_progress:
        report = render_video(
            loaded, quality=quality, out_dir=out, scene_ids=scene or (), jobs=jobs,
            cache_dir=cache, on_progress=on_progress, allow_layout_issues=allow_layout_issues,
            cluster=cluster, force=force,
        )  # fmt: skip
    if not quiet:
        rendered = ", ".join(report.rendered) or "none"
        stdout.print(
            f"wrote {report.video} ({report.duration:.1f} s, {len(report.clips)} clips; "
            f"rendered: {rendered}; from cache: {len(report.cached)}) "
            f"in {report.stages['total']:.1f} s"
        )
