"""The lecture stage's typed input, read from a finished render's folder, and its report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainer.core.errors import LectureError
from explainer.core.names import output_name
from explainer.outputs.explore.make import EXPLORER_PAGE

__all__ = ["NumberShown", "LectureBeat", "LectureScene", "LectureInput", "LectureReport"]


@dataclass(frozen=True)
class NumberShown:
    """One number on screen (a ``numbers.json`` entry): its label and the text shown."""

    label: str
    shown: str
    spoken: bool = False  # the narration of this beat says it


@dataclass(frozen=True)
class LectureBeat:
    """One beat: a step of the presenter, a page of the handout, a slide of the deck.

    ``offset_frame`` and ``frames`` locate it in its chapter clip; ``start`` is its
    absolute start in the full video, in seconds.
    """

    id: str
    text: str
    offset_frame: int
    frames: int
    start: float
    spoken: tuple[NumberShown, ...] = ()

    @property
    def end_frame(self) -> int:
        """The first frame after this beat, counted in its chapter clip."""
        return self.offset_frame + self.frames


@dataclass(frozen=True)
class LectureScene:
    """One chapter: its clip in ``clips/``, its beats and the numbers it shows."""

    id: str
    title: str
    chapter: int
    clip: Path
    frames: int
    beats: tuple[LectureBeat, ...]
    numbers: tuple[NumberShown, ...] = ()
    class_name: str = ""  # the chapter's class (scenes.catalogue), for the explorer's view


@dataclass(frozen=True)
class LectureInput:
    """Everything the lecture exports are made from: a finished render's output folder.

    Built by :meth:`from_render` from ``timeline.json``, ``numbers.json``, ``clips/*.mp4``
    and ``<name>.mp4`` only, so the stage knows nothing of how the render was made.

    Examples
    --------
    >>> lecture = LectureInput.from_render(Path("media/attention"))  # doctest: +SKIP
    >>> [s.id for s in lecture.scenes][:2]                          # doctest: +SKIP
    ['tokens', 'qkv']
    """

    name: str
    out_dir: Path
    title: str
    sentence: str
    fps: float
    video: Path
    scenes: tuple[LectureScene, ...]
    silent: bool = False
    explorer: Path | None = None  # the render's explorer.html, if it wrote one

    def beats(self) -> list[tuple[LectureScene, LectureBeat]]:
        """Every beat in order, with its chapter."""
        return [(scene, beat) for scene in self.scenes for beat in scene.beats]

    @classmethod
    def from_render(
        cls,
        out_dir: Path,
        *,
        name: str | None = None,
        scene_ids: Sequence[str] = (),
        silent: bool = False,
    ) -> LectureInput:
        """Read a render's output folder (``media/<name>/``).

        Parameters
        ----------
        out_dir
            The folder ``explainer render`` wrote.
        name
            The video's name (``<name>.mp4``); default the only ``.mp4`` in ``out_dir``.
        scene_ids
            Keep only these chapters (in video order); empty means every chapter rendered.
        silent
            Make the exports without narration audio.

        Raises
        ------
        LectureError
            If the folder is not a finished render, or a file in it is missing or damaged.
        """
        out_dir = Path(out_dir)
        if not out_dir.is_dir():
            raise LectureError(f"{out_dir}: no such render folder; run `explainer render` first")
        timeline = _read_json(out_dir / "timeline.json")
        numbers = _read_json(out_dir / "numbers.json")
        if name is None:
            videos = sorted(out_dir.glob("*.mp4"))
            if len(videos) != 1:
                raise LectureError(
                    f"{out_dir}: expected one video (<name>.mp4), found {len(videos)}; "
                    "pass the script so its name picks the video"
                )
            name = videos[0].stem
        video = out_dir / f"{name}.mp4"
        if not video.is_file():
            raise LectureError(f"{video}: missing; render the script again")
        try:
            fps = float(timeline["fps"])
            scene_dicts = list(timeline["scenes"])
            entries = list(numbers.get("entries", []))
            spoken = list(numbers.get("spoken", []))
            scenes = tuple(
                _scene(out_dir, raw, entries, spoken)
                for raw in scene_dicts
                if not scene_ids or raw["id"] in scene_ids
            )
            title = str(timeline.get("title", name))
            sentence = str(timeline.get("sentence", ""))
        except (KeyError, TypeError, ValueError) as error:
            raise LectureError(
                f"{out_dir}/timeline.json or numbers.json is not what a render writes "
                f"({type(error).__name__}: {error}); render again"
            ) from None
        missing = [s for s in scene_ids if s not in {scene.id for scene in scenes}]
        if missing:
            known = ", ".join(raw.get("id", "?") for raw in scene_dicts)
            raise LectureError(
                f"scene {missing[0]!r} is not in the render in {out_dir} (it has: {known}); "
                "render it first or pick another --scene"
            )
        if not scenes:
            raise LectureError(f"{out_dir}/timeline.json has no scenes; render again")
        explorer = out_dir / EXPLORER_PAGE
        return cls(
            name, out_dir, title, sentence, fps, video, scenes, silent,
            explorer if explorer.is_file() else None,
        )  # fmt: skip


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LectureError(
            f"{path}: missing; the folder is not a finished render, run `explainer render` first"
        ) from None
    except (OSError, ValueError) as error:
        raise LectureError(f"{path}: unreadable ({error}); render again") from None
    if not isinstance(data, dict):
        raise LectureError(f"{path}: not a JSON object; render again")
    return data


def _scene(
    out_dir: Path, raw: dict[str, Any], entries: list[dict[str, Any]], spoken: list[dict[str, Any]]
) -> LectureScene:
    scene_id = str(raw["id"])
    chapter = int(raw["chapter"])
    clip = out_dir / "clips" / output_name(chapter, scene_id, suffix=".mp4")
    if not clip.is_file():
        raise LectureError(f"{clip}: missing; render the chapter {scene_id!r} again")
    said = {(s["beat"], s["label"]) for s in spoken if s.get("scene") == scene_id}
    shown = [e for e in entries if e.get("scene") == scene_id]
    beats = []
    for beat in raw["beats"]:
        beat_id = str(beat["id"])
        beats.append(
            LectureBeat(
                id=beat_id,
                text=str(beat["text"]),
                offset_frame=int(beat["offset_frame"]),
                frames=int(beat["frames"]),
                start=float(beat["start"]),
                spoken=tuple(
                    NumberShown(str(e["label"]), str(e["shown"]), True)
                    for e in shown
                    if (beat_id, e["label"]) in said
                ),
            )
        )
    return LectureScene(
        id=scene_id,
        title=str(raw["title"]),
        chapter=chapter,
        clip=clip,
        frames=int(raw["frames"]),
        beats=tuple(beats),
        numbers=tuple(NumberShown(str(e["label"]), str(e["shown"])) for e in shown),
        class_name=str(raw.get("class", "")),
    )


@dataclass
class LectureReport:
    """What :func:`explainer.outputs.lecture.make_lecture` wrote (final paths) and how."""

    out_dir: Path
    presenter: Path
    handout: Path
    deck: Path
    thumbnail: Path
    segments: list[Path] = field(default_factory=list)
    posters: list[Path] = field(default_factory=list)
    cut: dict[str, str] = field(default_factory=dict)  # scene id -> "copy" or "re-encode"
    seconds: float = 0.0

    @property
    def written(self) -> list[Path]:
        """Every file written, the four headline outputs first."""
        return [self.presenter, self.handout, self.deck, self.thumbnail,
                *self.segments, *self.posters]  # fmt: skip
