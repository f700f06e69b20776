"""The shipped narration scripts, and the plan plain Manim renders from them.

``manim -ql scenes/s3_scores.py Scores`` has no pipeline to hand the scene a plan, so
:func:`default_plan` reads the chapter's beats from the shipped scripts (the default
script, else the lecture script), fills them as the command line does and estimates their
speech from the words. It trusts those files: the command line's loader
(``explainer.plan.script``) validates every script, the shipped ones included, and a test checks
that both make the same plan for every chapter.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from attention.spec import DEFAULT_MODEL, DEFAULT_SENTENCE, ExampleSpec
from attention.story.placeholders import narration_values, scene_values
from attention.worked.example import checked_spec, example_for
from scenes.catalogue import chapter_entry, chapter_spec
from scenes.plan import ScenePlan, spoken_beat

__all__ = [
    "BEAT_PAUSE",
    "DEFAULT_SCRIPT",
    "LECTURE_SCRIPT",
    "PROJECT_ROOT",
    "SCENE_PAUSE",
    "default_plan",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCRIPT = Path("scripts/attention.toml")
LECTURE_SCRIPT = Path("scripts/attention-lecture.toml")
NEXT_WORD_SCRIPT = Path("scripts/next-word.toml")
BEAT_PAUSE = 0.35  # seconds of silence after a beat, unless the script says otherwise
SCENE_PAUSE = 0.8  # after a scene's last beat


def default_plan(class_name: str) -> ScenePlan:
    """The plan of chapter ``class_name`` in the default script (or, for a decoder's
    chapters, the next-word script; for the chapters only the lecture tells, the lecture
    script), speech estimated from its words.

    Examples
    --------
    >>> plan = default_plan("Scores")
    >>> plan.chapter, [b.id for b in plan.beats][:2], plan.spec.focus
    (3, ['compare', 'term_by_term'], 'sat')
    """
    for script in (DEFAULT_SCRIPT, NEXT_WORD_SCRIPT, LECTURE_SCRIPT):
        data = tomllib.loads((PROJECT_ROOT / script).read_text(encoding="utf-8"))
        for chapter, table in enumerate(data["scene"], start=1):
            if table["class"] == class_name:
                return _plan(data["video"], table, chapter)
    raise LookupError(f"no shipped script has a scene of class {class_name}")


def _plan(video: dict[str, Any], table: dict[str, Any], chapter: int) -> ScenePlan:
    spec = checked_spec(
        ExampleSpec(
            video.get("sentence", DEFAULT_SENTENCE),
            video.get("focus"),
            video.get("model", DEFAULT_MODEL),
        )
    )
    entry = chapter_entry(table["class"])
    declared = {param.name: param for param in entry.params}
    params = {name: param.default for name, param in declared.items()}
    params.update({k: declared[k].check(v) for k, v in table.get("params", {}).items()})
    spec = checked_spec(chapter_spec(spec, entry, params))
    example = example_for(spec)
    values = scene_values(example, params, narration_values(example))
    lines = table["beat"]
    beats = tuple(
        spoken_beat(
            line["id"],
            " ".join(line["text"].split()),
            values,
            video.get("scene_pause", SCENE_PAUSE)
            if i == len(lines) - 1
            else video.get("beat_pause", BEAT_PAUSE),
        )
        for i, line in enumerate(lines)
    )
    title = table.get("title", entry.title).strip()
    return ScenePlan(table["id"], title, chapter, entry.class_name, beats, spec, params)
