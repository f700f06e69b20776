"""The ``[[scene.beat]]`` tables of one scene: ids, narration text and its placeholders
filled, each line a :class:`scenes.plan.Beat` with its speech estimated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attention.story.placeholders import PlaceholderError
from explainer.core.errors import one_line
from explainer.plan.script_checks import CONTROL, TableChecks
from explainer.plan.script_source import ScriptLines
from explainer.plan.script_video import VideoSettings
from scenes.plan import Beat, spoken_beat

__all__ = ["BeatChecks"]

_BEAT_KEYS = ("id", "text")
_MAX_TEXT = 2000


class BeatChecks(TableChecks):
    """Checks a scene's beats, raising ScriptError at the first problem; ``settings``
    gives the pause after each beat.

    Examples
    --------
    >>> text = '[[scene]]\\nid = "a"\\n[[scene.beat]]\\nid = "hi"\\ntext = "Hello."\\n'
    >>> settings = VideoSettings("Hi", "espeak", 60.0, 0.3, 0.8)
    >>> checks = BeatChecks(Path("hi.toml"), ScriptLines(text), settings)
    >>> table = {"beat": [{"id": "hi", "text": "Hello."}]}
    >>> [(b.id, b.text, b.pause) for b in checks.beats(0, table, 1, "a", {})]
    [('hi', 'Hello.', 0.8)]
    """

    def __init__(self, path: Path, where: ScriptLines, settings: VideoSettings) -> None:
        super().__init__(path, where)
        self.settings = settings

    def beats(
        self,
        scene_index: int,
        table: dict[str, Any],
        line: int,
        scene_id: str,
        values: dict[str, str],
    ) -> tuple[Beat, ...]:
        """The beats of the scene ``table`` (header on ``line``), placeholders filled."""
        raw = table.get("beat")
        if raw is None or raw == []:
            raise self.fail(
                line,
                f"scene {scene_id!r} has no beats; add [[scene.beat]] tables with id and text",
            )
        if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
            raise self.fail(
                self.where.key("beat", line),
                f"scene {scene_id!r}: beat must be an array of tables; write [[scene.beat]]",
            )
        beats: list[Beat] = []
        seen: dict[str, int] = {}
        for beat_index, beat_table in enumerate(raw):
            beat_line = self.where.beat(scene_index, beat_index)
            last = beat_index == len(raw) - 1
            beat = self.beat(beat_table, beat_line, scene_id, last, values)
            if beat.id in seen:
                raise self.fail(
                    self.where.key("id", beat_line),
                    f"duplicate beat id {beat.id!r} in scene {scene_id!r} "
                    f"(first on line {seen[beat.id]}); give every beat its own id",
                )
            seen[beat.id] = self.where.key("id", beat_line)
            beats.append(beat)
        return tuple(beats)

    def beat(
        self, table: dict[str, Any], line: int, scene_id: str, last: bool, values: dict[str, str]
    ) -> Beat:
        """One beat: its id, its text spoken (placeholders filled) and its pause."""
        self.unknown_keys(table, _BEAT_KEYS, line, "[[scene.beat]]")
        beat_id = self.slug(table, "id", line, "[[scene.beat]]")
        text = " ".join(self.string(table, "text", line, "[[scene.beat]]").split())
        text_line = self.where.key("text", line)
        if not text:
            raise self.fail(
                text_line,
                f"beat {beat_id!r} of scene {scene_id!r} has empty text; "
                "write what the narrator says",
            )
        if CONTROL.search(text) or len(text) > _MAX_TEXT:
            raise self.fail(
                text_line,
                f"beat {beat_id!r} text has a control character or is over {_MAX_TEXT} "
                "characters; use plain text and split long lines into beats",
            )
        pause = self.settings.scene_pause if last else self.settings.beat_pause
        try:
            return spoken_beat(beat_id, text, values, pause)
        except PlaceholderError as error:  # its message lists the known names
            raise self.fail(
                text_line, f"beat {beat_id!r} of scene {scene_id!r}: {one_line(error)}"
            ) from None
