"""``explainer check`` without the command line: every problem a script has, nothing rendered.

The numbers each scene shows (:func:`explainer.pipeline.checks.scene_checks`), their
verification against the reference (:func:`explainer.pipeline.checks.check_numbers`), the
layout at the end of every beat, and whether the script's voice works on this machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from explainer.core.errors import ExplainerError, one_line
from explainer.pipeline.checks import check_numbers, scene_checks
from explainer.plan.script import Script
from explainer.voice.engines import parse_voice

__all__ = ["ScriptCheck", "check_script"]


@dataclass(frozen=True)
class ScriptCheck:
    """What checking a script found: its problems, and what it counted when there are none.

    Examples
    --------
    >>> found = ScriptCheck([], scenes=2, beats=5, on_screen=40, explored=12, spoken=3)
    >>> found.problems, found.on_screen + found.explored
    ([], 52)
    """

    problems: list[str]
    scenes: int
    beats: int
    on_screen: int  # numbers the scenes show, each verified
    explored: int  # numbers only the explorer page shows, each verified
    spoken: int  # numbers the narration says, each shown by its scene


def check_script(script: Script, ledger_dir: Path) -> ScriptCheck:
    """Check every number, layout and the voice of ``script``, keeping ledgers in ``ledger_dir``.

    A scene whose inputs are unchanged since the last check or render reuses its kept
    ledger; any other is built in Manim's dry-run mode. The problems come in order: the
    numbers', then the layouts' (scene by scene), then the voice's.
    """
    scenes = scene_checks(script.scenes, ledger_dir)
    checked = check_numbers(script, {scene_id: found.entries for scene_id, found in scenes.items()})
    problems = [*checked.problems, *(p for found in scenes.values() for p in found.layout)]
    try:
        parse_voice(script.settings.voice, script.settings.rate).check()
    except ExplainerError as error:
        problems.append(f"voice: {one_line(error)}")
    explored = sum(entry.scene == "explorer" for entry in checked.ledger.entries)
    return ScriptCheck(
        problems,
        scenes=len(script.scenes),
        beats=sum(len(plan.beats) for plan in script.scenes),
        on_screen=len(checked.ledger.entries) - explored - len(checked.ledger.blanks),
        explored=explored,
        spoken=len(checked.ledger.spoken),
    )
