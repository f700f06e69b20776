"""The outputs of a render, one stage each, written into the staging folder.

:data:`OUTPUTS` is the ordered list of output stages; :func:`assemble_outputs` runs them and
the render's up-to-date key covers exactly their code (:func:`explainer.plan.keys.outputs_key`),
so adding an output is a function naming its files, one writing them, and one row. The
names are known before anything renders (:func:`planned_outputs`), so a file in the way is
found before the user waits for a render.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from attention.numbers.ledger import NumbersLedger
from attention.worked.example import example_for
from explainer.audio.mix import Narration
from explainer.core.cache import file_sha256, prune_entries, write_atomic
from explainer.core.media import concat_list, run_ffmpeg
from explainer.core.names import output_name
from explainer.outputs.explore import EXPLORER_PAGE, explorer_html, static_paths
from explainer.outputs.subtitles import to_srt, to_vtt
from explainer.plan.keys import code_digest
from explainer.plan.timeline import Timeline
from scenes.plan import ScenePlan

__all__ = [
    "OUTPUTS",
    "Assembly",
    "ChapterMark",
    "OutputStage",
    "assemble_outputs",
    "concat_video",
    "mux_clip",
    "planned_outputs",
    "write_chapters",
]


@dataclass(frozen=True)
class ChapterMark:
    """A chapter marker in the video: title and its span in seconds."""

    title: str
    start: float
    end: float


def mux_clip(video: Path, audio: Path, out: Path, *, title: str | None = None) -> Path:
    """Put a silent video and an audio track in one mp4, copying both streams."""
    args: list[str | os.PathLike[str]] = [
        "-i", video, "-i", audio, "-map", "0:v:0", "-map", "1:a:0",
        "-c", "copy", "-movflags", "+faststart",
    ]  # fmt: skip
    if title:
        args += ["-metadata", f"title={title}"]
    run_ffmpeg([*args, out], what=f"muxing {out.name}")
    return out


def _escape_metadata(text: str) -> str:
    """Escape ffmetadata's special characters (=, ;, #, \\ and newlines)."""
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def write_chapters(
    chapters: Sequence[ChapterMark], path: Path, *, title: str | None = None
) -> Path:
    """Write an ffmetadata file with one chapter per scene (millisecond time base).

    Examples
    --------
    >>> import tempfile
    >>> p = write_chapters([ChapterMark("Tokens", 0.0, 1.5)], Path(tempfile.mkdtemp()) / "m.txt")
    >>> "START=0" in p.read_text() and "END=1500" in p.read_text()
    True
    """
    lines = [";FFMETADATA1"]
    if title:
        lines.append(f"title={_escape_metadata(title)}")
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start * 1000)}",
            f"END={round(chapter.end * 1000)}",
            f"title={_escape_metadata(chapter.title)}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def concat_video(
    clips: Sequence[Path], audio: Path, chapters_file: Path, out: Path, work_dir: Path
) -> Path:
    """Join silent clips (stream copy) and lay the full narration and chapters over them."""
    listing = concat_list(clips, work_dir / "concat.txt")
    run_ffmpeg(
        [
            "-f", "concat", "-safe", "0", "-i", listing, "-i", audio, "-i", chapters_file,
            "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
            "-c", "copy", "-movflags", "+faststart", out,
        ],
        what=f"joining the scenes into {out.name}",
    )  # fmt: skip
    return out


@dataclass(frozen=True)
class Assembly:
    """What every output stage reads: the render's pieces and where its outputs go.

    ``clips`` holds one silent clip per scene of ``timeline``, in order, each exactly as
    long as its scene; ``staging`` receives the outputs under their final relative names;
    ``work_dir`` is scratch space; ``jobs`` the cores a stage may use.
    """

    timeline: Timeline
    clips: tuple[Path, ...]
    narration: Narration
    numbers: NumbersLedger
    staging: Path
    name: str
    work_dir: Path
    jobs: int = 1
    mux_cache: Path | None = None  # muxed clips kept by their inputs' bytes (None: none)


def clip_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """``clips/03-scores.mp4``: one per scene."""
    return ["clips/" + output_name(plan.chapter, plan.scene_id, suffix=".mp4") for plan in plans]


def write_clips(a: Assembly, targets: Sequence[Path]) -> None:
    """Each scene's clip with its narration, titled."""
    for folder in {target.parent for target in targets}:
        folder.mkdir(parents=True, exist_ok=True)
    scenes = zip(a.timeline.scenes, a.clips, a.narration.scenes, targets, strict=True)
    recipe = code_digest([__name__]) if a.mux_cache is not None else ""
    with ThreadPoolExecutor(max_workers=a.jobs or os.cpu_count() or 1) as pool:
        muxed = [
            pool.submit(_mux_or_reuse, a.mux_cache, recipe, scene.id, silent, audio, target,
                        scene.title)  # fmt: skip
            for scene, silent, audio, target in scenes
        ]
        for future in muxed:
            future.result()


def _mux_or_reuse(
    cache: Path | None, recipe: str, scene_id: str, video: Path, audio: Path, out: Path, title: str
) -> None:
    """:func:`mux_clip`, or a copy of the same mux made before.

    Kept in ``cache`` as ``<scene>-<key>.mp4`` with its SHA-256 beside it (``.json``), the
    key a hash of both inputs' bytes, the title and ``recipe`` (this module's code); the
    newest four of a scene are kept. An edit re-muxes only its own chapter.
    """
    if cache is None:
        mux_clip(video, audio, out, title=title)
        return
    inputs = [file_sha256(video), file_sha256(audio), title, recipe]
    key = hashlib.sha256(repr(inputs).encode()).hexdigest()[:32]
    kept, check = cache / f"{scene_id}-{key}.mp4", cache / f"{scene_id}-{key}.json"
    try:
        if json.loads(check.read_text(encoding="utf-8"))["mp4"] == file_sha256(kept):
            shutil.copyfile(kept, out)
            return
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not kept yet, or damaged: mux it again
    mux_clip(video, audio, out, title=title)
    muxed = out.read_bytes()
    write_atomic(kept, muxed)
    write_atomic(check, json.dumps({"mp4": hashlib.sha256(muxed).hexdigest()}).encode())
    prune_entries(cache, scene_id, (".mp4", ".json"))


def video_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """``<name>.mp4``."""
    return [f"{name}.mp4"]


def write_video(a: Assembly, targets: Sequence[Path]) -> None:
    """The clips joined, the whole narration over them, chapter markers."""
    chapters = [
        ChapterMark(scene.title, scene.start, scene.start + scene.duration)
        for scene in a.timeline.scenes
    ]
    metadata = write_chapters(chapters, a.work_dir / "chapters.txt", title=a.timeline.title)
    concat_video(a.clips, a.narration.full, metadata, targets[0], a.work_dir)


def subtitle_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """``<name>.srt`` and ``<name>.vtt``."""
    return [f"{name}.srt", f"{name}.vtt"]


def write_subtitles(a: Assembly, targets: Sequence[Path]) -> None:
    """One cue per beat, as SubRip and as WebVTT."""
    srt, vtt = targets
    srt.write_text(to_srt(a.timeline), encoding="utf-8")
    vtt.write_text(to_vtt(a.timeline), encoding="utf-8")


def timeline_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """``timeline.json``."""
    return ["timeline.json"]


def write_timeline(a: Assembly, targets: Sequence[Path]) -> None:
    """Every scene's and beat's start and length."""
    write_atomic(targets[0], a.timeline.to_json().encode("utf-8"))


def numbers_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """``numbers.json``."""
    return ["numbers.json"]


def write_numbers(a: Assembly, targets: Sequence[Path]) -> None:
    """Every number shown, with its source, and every number spoken."""
    spec = a.timeline.spec
    own = {s.id: s.plan.spec for s in a.timeline.scenes if s.plan.spec != spec}
    write_atomic(targets[0], a.numbers.to_json(spec, own).encode("utf-8"))


def explorer_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """``explorer.html``."""
    return [EXPLORER_PAGE]


def write_explorer(a: Assembly, targets: Sequence[Path]) -> None:
    """The interactive explorer of the same example, showing the texts of
    ``numbers.json``'s ``explorer`` entries (verified with the scenes' numbers).
    """
    page = explorer_html(example_for(a.timeline.spec), a.numbers, title=a.timeline.title)
    write_atomic(targets[0], page.encode("utf-8"))


OutputFiles = Callable[[str, Sequence[ScenePlan]], list[str]]


@dataclass(frozen=True)
class OutputStage:
    """One output of a render: its name, the files it makes (relative paths, from the
    video's name and the scenes), the function that writes exactly those, and the files
    besides Python code that shape it (they key the outputs' cache with the code).
    """

    name: str
    files: OutputFiles
    write: Callable[[Assembly, Sequence[Path]], None]
    assets: tuple[Path, ...] = ()

    @property
    def module(self) -> str:
        """The module whose code makes this output (it keys the outputs' cache)."""
        return self.write.__module__


# every output of a render, in the order they are written
OUTPUTS: tuple[OutputStage, ...] = (
    OutputStage("clips", clip_files, write_clips),
    OutputStage("video", video_files, write_video),
    OutputStage("subtitles", subtitle_files, write_subtitles),
    OutputStage("timeline", timeline_files, write_timeline),
    OutputStage("numbers", numbers_files, write_numbers),
    OutputStage("explorer", explorer_files, write_explorer, tuple(static_paths())),
)


def planned_outputs(
    name: str, plans: Sequence[ScenePlan], stages: Sequence[OutputStage] = OUTPUTS
) -> list[str]:
    """Every file a render of ``plans`` named ``name`` writes, relative to its folder.

    Examples
    --------
    >>> from scenes.scripts import default_plan
    >>> planned_outputs("talk", [default_plan("Tokens")])[:3]
    ['clips/01-tokens.mp4', 'talk.mp4', 'talk.srt']
    """
    return [file for stage in stages for file in stage.files(name, plans)]


def assemble_outputs(assembly: Assembly, stages: Sequence[OutputStage] = OUTPUTS) -> list[Path]:
    """Write every output of ``stages`` into ``assembly.staging``; return the paths."""
    plans = [scene.plan for scene in assembly.timeline.scenes]
    written = []
    for stage in stages:
        targets = [assembly.staging / file for file in stage.files(assembly.name, plans)]
        stage.write(assembly, targets)
        written += targets
    return written
