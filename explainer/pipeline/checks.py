"""The numbers a video shows and says, collected per scene and checked in one place.

A render collects each scene's ledger as it renders it; ``explainer check`` collects
them without rendering (a dry run of each scene, or the ledger kept from an earlier run
whose inputs are unchanged). Both then call :func:`check_numbers`, and the render writes
its result as ``numbers.json`` (:func:`explainer.outputs.assemble.write_numbers`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from attention.numbers.ledger import LedgerEntry, NumbersLedger
from attention.numbers.spoken import spoken_numbers
from attention.numbers.verify import verify
from attention.spec import ExampleSpec
from attention.worked.example import example_for
from explainer.core.cache import prune_entries, write_atomic
from explainer.core.errors import RenderError, first_of
from explainer.core.quality import Quality
from explainer.outputs.explore.numbers import explorer_ledger
from explainer.plan.keys import ledger_key
from explainer.plan.script import Script
from explainer.render.scene_jobs import scene_failure
from scenes import load_scene_class
from scenes.kit.redraw import draw_no_frames
from scenes.plan import ScenePlan

__all__ = [
    "CheckedNumbers",
    "check_numbers",
    "SceneCheck",
    "scene_checks",
    "store_scene_check",
]

SceneLedgers = Mapping[str, Sequence[LedgerEntry]]


@dataclass(frozen=True)
class CheckedNumbers:
    """A script's numbers: the ledger (with its ``spoken`` list) and every problem found."""

    ledger: NumbersLedger
    problems: list[str]

    def raise_problems(self) -> None:
        """Raise RenderError naming the first problem, if there is any."""
        if self.problems:
            raise RenderError(
                f"a number does not verify: {first_of(self.problems)}; "
                "`explainer check` lists every problem"
            )


def check_numbers(script: Script, shown: SceneLedgers) -> CheckedNumbers:
    """Verify every number the scenes show and match every number the narration says.

    Parameters
    ----------
    script
        The script (its scenes in video order; beats' text as spoken).
    shown
        Each scene's ledger entries, by scene id.

    Returns
    -------
    CheckedNumbers
        The merged ledger in video order, then the explorer's numbers (scene
        ``explorer``: the render writes ``explorer.html`` from them), with its ``spoken``
        list; and one line per number that disagrees with the reference or is said but
        not shown.

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> script = load_script().select(["tokens"])
    >>> entry = LedgerEntry("tokens", "d_model", "8", "d_model", 0)
    >>> check_numbers(script, {"tokens": [entry]}).problems
    []
    """
    entries = [entry for plan in script.scenes for entry in shown[plan.scene_id]]
    words = example_for(script.spec).record.tokens.words
    # a number that is one of the sentence's own words ("3.5") is read out, not claimed
    spoken, unshown = spoken_numbers(script.spoken_lines(), entries, words)
    # each chapter's numbers are checked against the example it showed (its own model's);
    # the explorer, an output of the render, shows the video's own example
    explorer = explorer_ledger(example_for(script.spec)).entries
    by_spec: dict[ExampleSpec, list[LedgerEntry]] = {script.spec: list(explorer)}
    for plan in script.scenes:
        by_spec.setdefault(plan.spec, []).extend(shown[plan.scene_id])
    problems = [
        p for spec, own in by_spec.items() for p in verify(NumbersLedger(own), example_for(spec))
    ]
    return CheckedNumbers(NumbersLedger([*entries, *explorer], spoken), problems + unshown)


@dataclass(frozen=True)
class SceneCheck:
    """What one scene shows, known without rendering it: its ledger and layout problems."""

    entries: list[LedgerEntry]
    layout: list[str]


def _ledger_path(cache_dir: Path, plan: ScenePlan) -> Path:
    return cache_dir / f"{plan.scene_id}-{ledger_key(plan)}.json"


def store_scene_check(cache_dir: Path, plan: ScenePlan, check: SceneCheck) -> None:
    """Keep a scene's ledger and layout problems for the next ``check``.

    The cache (``media/cache/ledgers``) only saves time: a folder that cannot be written
    is no error.
    """
    data = {"entries": [asdict(entry) for entry in check.entries], "layout": check.layout}
    with suppress(OSError):
        write_atomic(_ledger_path(cache_dir, plan), json.dumps(data, ensure_ascii=False).encode())
        prune_entries(cache_dir, plan.scene_id, (".json",))


def _stored_check(cache_dir: Path, plan: ScenePlan) -> SceneCheck | None:
    try:
        data = json.loads(_ledger_path(cache_dir, plan).read_text(encoding="utf-8"))
        entries = [LedgerEntry(**entry) for entry in data["entries"]]
        return SceneCheck(entries, [str(problem) for problem in data["layout"]])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def scene_checks(
    plans: Sequence[ScenePlan],
    cache_dir: Path,
    on_scene: Callable[[str, bool], None] | None = None,
) -> dict[str, SceneCheck]:
    """Each scene's ledger and layout without rendering: kept from an earlier run (a
    render or a check whose inputs are unchanged), or found by a dry run.

    ``on_scene(scene_id, cached)`` is called once per scene.
    """
    found: dict[str, SceneCheck] = {}
    for plan in plans:
        stored = _stored_check(cache_dir, plan)
        if stored is None:
            found[plan.scene_id] = _dry_run(plan)
            store_scene_check(cache_dir, plan, found[plan.scene_id])
        else:
            found[plan.scene_id] = stored
        if on_scene is not None:
            on_scene(plan.scene_id, stored is not None)
    return found


def _dry_run(plan: ScenePlan) -> SceneCheck:
    """Construct a scene in Manim's dry-run mode (no frames written): ledger and layout."""
    # Manim (1 s to import) loads only when a scene's ledger is not kept from an earlier run
    from manim import tempconfig

    settings = {
        "dry_run": True,
        "quality": Quality.low.manim_name,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "log_to_file": False,
    }
    with (
        tempfile.TemporaryDirectory(prefix="explainer-check-") as tmp,
        tempconfig({**settings, "media_dir": tmp}),
    ):
        try:
            scene = load_scene_class(plan.class_name)(plan=plan)
            draw_no_frames(scene)  # the checks read geometry, not pixels
            scene.render()
        except Exception as error:
            raise scene_failure(plan, error) from None
    return SceneCheck(list(scene.ledger.entries), list(scene.layout_problems))
