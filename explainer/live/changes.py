"""The first beat a new render changed: where the preview starts playing.

Two ``timeline.json`` documents are compared beat by beat in video order; a beat is changed
when its scene or id differs from the one at the same place before, or its narration text
or its length in frames does. Everything before the first changed beat looks and sounds as
it did, so the preview jumps there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ChangedBeat", "first_changed_beat"]


@dataclass(frozen=True)
class ChangedBeat:
    """The first changed beat of a new timeline: its scene, id and start in seconds."""

    scene_id: str
    beat_id: str
    start: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the preview's status file."""
        return {"scene": self.scene_id, "beat": self.beat_id, "start": self.start}


def _beats(timeline: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for scene in timeline.get("scenes", ()):
        for beat in scene.get("beats", ()):
            yield str(scene["id"]), beat


def _same(old: tuple[str, Mapping[str, Any]], new: tuple[str, Mapping[str, Any]]) -> bool:
    (old_scene, a), (new_scene, b) = old, new
    fields = ("id", "text", "frames")
    return old_scene == new_scene and all(a.get(f) == b.get(f) for f in fields)


def first_changed_beat(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> ChangedBeat | None:
    """The first beat of ``new`` that differs from ``old`` (None if none does, or no old).

    A beat removed at the end changes nothing that is still played, so it gives None too;
    a frame rate change makes every beat differ, and the answer is the first beat.

    Examples
    --------
    >>> old = {"scenes": [{"id": "a", "beats": [
    ...     {"id": "x", "text": "Hi.", "frames": 15, "start": 0.0},
    ...     {"id": "y", "text": "Bye.", "frames": 20, "start": 1.0}]}]}
    >>> new = {"scenes": [{"id": "a", "beats": [
    ...     {"id": "x", "text": "Hi.", "frames": 15, "start": 0.0},
    ...     {"id": "y", "text": "So long.", "frames": 30, "start": 1.0}]}]}
    >>> first_changed_beat(old, new)
    ChangedBeat(scene_id='a', beat_id='y', start=1.0)
    >>> first_changed_beat(new, new) is None
    True
    """
    if old is None:
        return None
    before = list(_beats(old))
    same_rate = old.get("fps") == new.get("fps")
    for index, (scene_id, beat) in enumerate(_beats(new)):
        if not same_rate or index >= len(before) or not _same(before[index], (scene_id, beat)):
            return ChangedBeat(scene_id, str(beat["id"]), float(beat["start"]))
    return None
