"""``explainer batch``: one video per sentence of a variants file, and a page to browse them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from explainer.cli.boundary import checked_script_path, friendly_errors, stderr, stdout
from explainer.cli.options import (
    DEFAULT_CACHE,
    AllowLayoutOpt,
    CacheOpt,
    ClusterOpt,
    ForceOpt,
    JobsOpt,
    QualityOpt,
    QuietOpt,
    ScriptArg,
)
from explainer.cli.progress import batch_progress
from explainer.core.quality import Quality
from explainer.plan.script import DEFAULT_SCRIPT

__all__ = ["batch"]

VariantsArg = Annotated[
    Path,
    typer.Argument(
        help="One sentence per line (`sentence | focus`; blank lines and # comments "
        "skipped), or a .toml file of \\[\\[variant]] tables (sentence, focus, voice, model)."
    ),
]
BatchOutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="Folder of the videos, batch.json, index.html.")
]


@friendly_errors
def batch(
    variants: VariantsArg,
    script: ScriptArg = DEFAULT_SCRIPT,
    out: BatchOutOpt = Path("media/batch"),
    quality: QualityOpt = Quality.high,
    jobs: JobsOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    cluster: ClusterOpt = None,
    quiet: QuietOpt = False,
    allow_layout_issues: AllowLayoutOpt = False,
    force: ForceOpt = False,
) -> None:
    """Render one video per sentence into OUT/<slug>/, with OUT/index.html to browse them.

    A variant that fails is recorded in OUT/batch.json with its error and the others go
    on; a re-run skips the variants that finished.

    Example: explainer batch scripts/sentences.txt --quality low
    """
    from explainer.batch.runner import BatchOptions, run_batch  # the render pipeline: see render
    from explainer.batch.variants import read_variants

    options = BatchOptions(quality, cluster, jobs, cache, allow_layout_issues, force)
    with batch_progress(quiet) as on_progress:
        report = run_batch(
            read_variants(variants), checked_script_path(script), out, options, on_progress
        )
    if not quiet:
        stdout.print(
            f"wrote {report.out_dir / 'index.html'}: {len(report.ok)} videos, "
            f"{len(report.failed)} failed, {len(report.skipped)} already done, "
            f"in {report.seconds:.1f} s"
        )
    for record in report.records:
        if record["status"] != "ok":
            stderr.print(f"failed: {record['slug']}: {record['error']}", markup=False)
    if report.failed:
        raise typer.Exit(1)
