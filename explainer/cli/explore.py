"""``explainer explore``: the offline explorer page of the example, without a render."""

from __future__ import annotations

from explainer.cli.boundary import checked_script_path, friendly_errors, stdout
from explainer.cli.options import FocusOpt, ForceOpt, ModelOpt, OutOpt, ScriptArg, SentenceOpt
from explainer.core.staging import default_out_dir
from explainer.outputs.explore import make_explorer
from explainer.plan.script import DEFAULT_SCRIPT, load_video

__all__ = ["explore"]


@friendly_errors
def explore(
    script: ScriptArg = DEFAULT_SCRIPT,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the interactive explorer of the example without rendering the video.

    One offline page, explorer.html (every view, data and code inline; open it in a
    browser), and its numbers, explorer-numbers.json, each verified. A render writes the
    same page beside its video.

    Example: explainer explore --sentence "The river bank flooded" --focus bank
    """
    settings, spec = load_video(checked_script_path(script), sentence=sentence, focus=focus,
                                model=model)  # fmt: skip
    report = make_explorer(
        spec, out or default_out_dir(script.stem), title=settings.title, force=force
    )
    stdout.print(
        f"wrote {report.page} ({report.bytes / 1000:.0f} kB, {report.entries} numbers verified) "
        f"and {report.numbers.name}"
    )
