"""The ``[[scene]]`` tables of a narration script: ids, titles, chapter classes and their
parameters, each scene a :class:`scenes.plan.ScenePlan` of its chapter (its beats checked
by :mod:`explainer.plan.script_beats`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attention.spec import ExampleSpec
from attention.story.lesson_narration import LESSON_PARAMS
from attention.story.placeholders import scene_values
from attention.worked.example import example_for
from explainer.core.errors import one_line
from explainer.plan.script_beats import BeatChecks
from explainer.plan.script_checks import TableChecks, closest
from explainer.plan.script_source import ScriptLines
from explainer.plan.script_video import VideoHeader
from scenes.catalogue import CHAPTERS, ChapterEntry, ChapterModelError, chapter_spec
from scenes.plan import SceneParam, ScenePlan

__all__ = ["SceneChecks"]

_SCENE_KEYS = ("id", "title", "class", "params", "beat")


class SceneChecks(TableChecks):
    """Checks the scenes against the checked ``[video]`` header, raising ScriptError at
    the first problem.

    Examples
    --------
    >>> from explainer.plan.script_source import read_script
    >>> from explainer.plan.script_video import VideoChecks
    >>> from scenes.scripts import DEFAULT_SCRIPT
    >>> path, text, data = read_script(DEFAULT_SCRIPT)
    >>> header = VideoChecks(path, ScriptLines(text)).header(data, {})
    >>> SceneChecks(path, ScriptLines(text), header).scenes(data)[0].class_name
    'Tokens'
    """

    def __init__(self, path: Path, where: ScriptLines, header: VideoHeader) -> None:
        super().__init__(path, where)
        self.header = header
        self.spec = header.spec
        self.beat_checks = BeatChecks(path, where, header.settings)

    def scenes(self, data: dict[str, Any]) -> tuple[ScenePlan, ...]:
        """One plan per ``[[scene]]`` of the parsed script ``data``, in order."""
        raw = data.get("scene")
        if raw is None:
            raise self.fail(
                len(self.where.lines) or 1,
                "the script has no scenes; add a [[scene]] with id, title, class and beats",
            )
        if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
            raise self.fail(
                self.where.top_key("scene"),
                "scene must be an array of tables; write each one as [[scene]]",
            )
        if not raw:
            raise self.fail(self.where.top_key("scene"), "the script has no scenes; add one")
        scenes: list[ScenePlan] = []
        seen: dict[str, int] = {}
        for index, table in enumerate(raw):
            scene = self.scene(index, table)
            line = self.where.key("id", self.where.scene(index))
            if scene.scene_id in seen:
                raise self.fail(
                    line,
                    f"duplicate scene id {scene.scene_id!r} (first on line "
                    f"{seen[scene.scene_id]}); give every scene its own id",
                )
            seen[scene.scene_id] = line
            scenes.append(scene)
        return tuple(scenes)

    def scene(self, index: int, table: dict[str, Any]) -> ScenePlan:
        """The plan of the ``index``-th scene, chapter ``index + 1``."""
        line = self.where.scene(index)
        self.unknown_keys(table, _SCENE_KEYS, line, "[[scene]]")
        scene_id = self.slug(table, "id", line, "[[scene]]")
        title = self.string(table, "title", line, "[[scene]]")
        self.check_title(title, self.where.key("title", line))
        class_name = self.string(table, "class", line, "[[scene]]")
        declared = self.scene_class(class_name, line)
        params = self.params(table, line, scene_id, declared.params)
        spec = self.chapter_spec(declared, params, scene_id, line)
        values = self.scene_values(spec, params, line, scene_id)
        beats = self.beat_checks.beats(index, table, line, scene_id, values)
        got = tuple(b.id for b in beats)
        if declared.beat_ids and got != declared.beat_ids:
            raise self.fail(
                line,
                f"scene {scene_id!r} (class {class_name}) has beats {', '.join(got)}; "
                f"{class_name} plays exactly these beats, in order: "
                f"{', '.join(declared.beat_ids)}",
            )
        return ScenePlan(
            scene_id=scene_id,
            title=title.strip(),
            chapter=index + 1,
            class_name=class_name,
            beats=beats,
            spec=spec,
            params=params,
        )

    def chapter_spec(
        self, entry: ChapterEntry, params: dict[str, Any], scene_id: str, line: int
    ) -> ExampleSpec:
        """The script's spec, or the chapter's own (a trained-model chapter in a video of
        the designed model reads the sentence with its ``model`` parameter)."""
        try:
            spec = chapter_spec(self.spec, entry, params)
        except ChapterModelError as error:
            raise self.fail(self.where.key("class", line), f"scene {scene_id!r}: {error}") from None
        if spec == self.spec:
            return self.spec
        at = self.where.param("model", line) if "model" in params else self.where.key("class", line)
        return self.example(spec, at).spec

    def scene_values(
        self, spec: ExampleSpec, params: dict[str, Any], line: int, scene_id: str
    ) -> dict[str, str]:
        """The placeholder values for this scene: its own example's, and the lecture
        chapters' numbers following its parameters."""
        own = spec == self.spec
        try:
            return scene_values(
                self.header.example if own else example_for(spec),
                params,
                self.header.values if own else None,
            )
        except ValueError as error:
            name = next(k for k in params if k in LESSON_PARAMS)
            raise self.fail(
                self.where.param(name, line), f"scene {scene_id!r} parameter {one_line(error)}"
            ) from None

    def scene_class(self, class_name: str, line: int) -> ChapterEntry:
        """The catalogue's entry for ``class_name``; ScriptError listing them otherwise."""
        if class_name not in CHAPTERS:
            raise self.fail(
                self.where.key("class", line),
                f"unknown scene class {class_name!r}; use one of: {', '.join(CHAPTERS)}",
            )
        return CHAPTERS[class_name]

    def params(
        self,
        table: dict[str, Any],
        line: int,
        scene_id: str,
        declared: tuple[SceneParam, ...],
    ) -> dict[str, Any]:
        """The scene's parameters: declared defaults, overridden by ``[scene.params]``."""
        values = {param.name: param.default for param in declared}
        given = table.get("params", {})
        at = self.where.key("params", line)
        if not isinstance(given, dict):
            raise self.fail(at, f"scene {scene_id!r}: params must be a table [scene.params]")
        by_name = {param.name: param for param in declared}
        for name, value in given.items():
            param = by_name.get(name)
            if param is None:
                known = ", ".join(by_name) or "none"
                hint = closest(name, tuple(by_name))
                fix = f"did you mean {hint!r}?" if hint else f"its parameters: {known}"
                raise self.fail(
                    self.where.param(name, line),
                    f"scene {scene_id!r} has no parameter {name!r}; {fix}",
                )
            try:
                values[name] = param.check(value)
            except ValueError as error:
                raise self.fail(
                    self.where.param(name, line),
                    f"scene {scene_id!r} parameter {name} {error} ({param.help})",
                ) from None
        return values
