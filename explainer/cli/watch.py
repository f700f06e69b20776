"""``explainer watch``: render, then re-render on every save, with a live preview page."""

from __future__ import annotations

from typing import Annotated

import typer

from explainer.cli.boundary import checked_script_path, friendly_errors
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
    RateOpt,
    SceneOpt,
    ScriptArg,
    SentenceOpt,
    VoiceOpt,
)
from explainer.core.quality import Quality
from explainer.core.staging import default_out_dir
from explainer.plan.script import DEFAULT_SCRIPT

__all__ = ["watch"]

PortOpt = Annotated[
    int,
    typer.Option(
        "--port", min=0, max=65535, help="The preview's port on 127.0.0.1 \\[default: a free one]."
    ),
]


@friendly_errors
def watch(
    script: ScriptArg = DEFAULT_SCRIPT,
    quality: QualityOpt = Quality.low,
    scene: SceneOpt = None,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    voice: VoiceOpt = None,
    rate: RateOpt = None,
    jobs: JobsOpt = None,
    out: OutOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    allow_layout_issues: AllowLayoutOpt = False,
    cluster: ClusterOpt = None,
    force: ForceOpt = False,
    port: PortOpt = 0,
) -> None:
    """Render the video, then again on every save of the script, its chapters' code or
    ``attention/``, with a live preview page on 127.0.0.1.

    Each save re-voices only the changed beats and re-renders each changed chapter from
    its first changed beat, in a render process kept warm between saves of the script (a
    save of code starts a new one); the page reloads when a render lands and plays from
    the first beat that changed. A bad edit prints its one line (and shows it on the
    page); the last good video stays. Ctrl-C stops it.

    Example: explainer watch scripts/attention.toml --port 8000
    """
    from explainer.live.session import run_watch  # watchfiles loads for this command only
    from explainer.live.warm import RenderOptions

    out_dir = out or default_out_dir(checked_script_path(script).stem)
    options = RenderOptions(
        script, out_dir, quality=quality, scene=tuple(scene or ()), sentence=sentence,
        focus=focus, model=model, voice=voice, rate=rate, jobs=jobs, cache=cache,
        allow_layout_issues=allow_layout_issues, cluster=cluster, force=force,
    )  # fmt: skip
    try:
        landed = run_watch(options, port=port, echo=typer.echo)
    except KeyboardInterrupt:  # Ctrl-C is how a watch ends: not an error
        typer.echo(f"stopped; the last good video is in {out_dir}")
        return
    typer.echo(f"stopped after {landed} render(s)")
