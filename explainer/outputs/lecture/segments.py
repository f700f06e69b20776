"""Beat segments cut frame-exact from the chapter clips, and each beat's last-frame still.

The chapter clips already start a new keyframe on every beat: Manim encodes each animation
as its own closed GOP and a beat always starts an animation. So a beat's video is a stream
copy, cut by ffmpeg's segment muxer at the beat's start frames (one pass per chapter, no
quality loss, ~0.1 s). If a clip lacks a keyframe where a beat starts (a scene that joins
animations some other way), the counts do not match and that chapter's segments are
re-encoded instead (libx264, trimmed by frame number). The audio is always cut
sample-exact from the clip's narration and encoded to AAC, so each segment plays its
beat's words and nothing of the next.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from explainer.core.errors import LectureError, RenderError
from explainer.core.media import probe_streams, probe_video_frames, run_ffmpeg
from explainer.core.names import output_name
from explainer.outputs.lecture.model import LectureBeat, LectureScene

__all__ = ["CutScene", "beat_stem", "beat_stems", "cut_scene", "cut_scenes", "beat_stills"]

_X264 = ("-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p")
_AAC = ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "96k")


@dataclass(frozen=True)
class CutScene:
    """One chapter's beat segments (in beat order) and how they were cut."""

    scene_id: str
    segments: tuple[Path, ...]
    method: str  # "copy" (stream copy at the keyframes) or "re-encode"


def beat_stem(scene: LectureScene, beat: LectureBeat) -> str:
    """The file name stem of a beat's segment and still: ``03-2-scores-term_by_term``.

    Examples
    --------
    >>> b = LectureBeat("split", "Take", 0, 67, 0.0)
    >>> beat_stem(LectureScene("tokens", "Tokens", 1, Path("c.mp4"), 67, (b,)), b)
    '01-1-tokens-split'
    """
    stems = beat_stems(scene.chapter, scene.id, [b.id for b in scene.beats])
    return stems[scene.beats.index(beat)]


def beat_stems(chapter: int, scene_id: str, beat_ids: Sequence[str]) -> list[str]:
    """The stems of a chapter's beats, in order (known before it renders).

    Examples
    --------
    >>> beat_stems(3, "scores", ["compare", "term_by_term"])
    ['03-1-scores-compare', '03-2-scores-term_by_term']
    """
    return [output_name(chapter, str(i), scene_id, b) for i, b in enumerate(beat_ids, 1)]


def _check_clip(scene: LectureScene) -> None:
    try:
        frames = probe_video_frames(scene.clip)
    except RenderError as error:
        raise LectureError(f"{scene.clip}: unreadable ({error}); render again") from None
    if frames != scene.frames or sum(b.frames for b in scene.beats) != frames:
        raise LectureError(
            f"{scene.clip} has {frames} frames but timeline.json gives the chapter "
            f"{scene.frames}; the folder mixes two renders, render again"
        )


def _audio_rate(clip: Path) -> int | None:
    for stream in probe_streams(clip):
        if stream.get("codec_type") == "audio":
            return int(str(stream["sample_rate"]))
    return None


def _copy_cut(scene: LectureScene, work: Path) -> list[Path] | None:
    """Stream-copy the chapter's video at the beats' start frames; None if not frame-exact."""
    pattern = work / f"{scene.id}-copy-%03d.mp4"
    starts = ",".join(str(b.offset_frame) for b in scene.beats[1:])
    args: list[str | Path] = ["-i", scene.clip, "-map", "0:v:0", "-c:v", "copy", "-an"]
    args += ["-f", "segment", "-reset_timestamps", "1"]
    if starts:
        args += ["-segment_frames", starts]
    else:  # one beat: one segment, the whole clip
        args += ["-segment_time", str(10 * scene.frames)]
    run_ffmpeg([*args, pattern], what=f"cutting the beats of {scene.id}")
    parts = sorted(work.glob(f"{scene.id}-copy-*.mp4"))
    counts = [probe_video_frames(p) for p in parts]
    if counts != [b.frames for b in scene.beats]:
        for part in parts:
            part.unlink()
        return None
    return parts


def _encode_cut(scene: LectureScene, work: Path, fps: float) -> list[Path]:
    """Re-encode each beat's frames (the fallback, and the measured alternative)."""
    parts = []
    for index, beat in enumerate(scene.beats):
        part = work / f"{scene.id}-encode-{index:03d}.mp4"
        trim = f"trim=start_frame={beat.offset_frame}:end_frame={beat.end_frame}"
        trim += ",setpts=PTS-STARTPTS"
        rate = str(Fraction(fps).limit_denominator(1001))
        args: list[str | Path] = ["-i", scene.clip, "-map", "0:v:0", "-vf", trim, "-r", rate]
        run_ffmpeg([*args, *_X264, "-an", part], what=f"encoding the beat {scene.id}/{beat.id}")
        parts.append(part)
    return parts


def _finish(
    part: Path, scene: LectureScene, beat: LectureBeat, target: Path, fps: float, rate: int | None
) -> Path:
    """Give a video-only segment its slice of the chapter's narration (or none)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if rate is None:
        run_ffmpeg(
            ["-i", part, "-c", "copy", "-movflags", "+faststart", target],
            what=f"writing the segment {target.name}",
        )
        return target
    first = round(Fraction(beat.offset_frame) * rate / Fraction(fps).limit_denominator(1001))
    count = round(Fraction(beat.frames) * rate / Fraction(fps).limit_denominator(1001))
    trim = f"atrim=start_sample={first}:end_sample={first + count},asetpts=N/SR/TB"
    run_ffmpeg(
        ["-i", part, "-i", scene.clip, "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
         "-af", trim, *_AAC, "-ar", str(rate), "-movflags", "+faststart", target],
        what=f"writing the segment {target.name}",
    )  # fmt: skip
    return target


def cut_scene(
    scene: LectureScene,
    out_dir: Path,
    work: Path,
    fps: float,
    *,
    silent: bool = False,
    method: str = "auto",
) -> CutScene:
    """Cut one chapter clip into one mp4 per beat, named by :func:`beat_stem`.

    Parameters
    ----------
    scene
        The chapter; its clip must have exactly the timeline's frames.
    out_dir
        Where the segments go.
    work
        Scratch space.
    fps
        The timeline's frame rate.
    silent
        Leave the narration out.
    method
        ``auto`` (stream copy, re-encode if the keyframes do not allow it), ``copy`` or
        ``re-encode``.
    """
    _check_clip(scene)
    scratch = work / f"cut-{scene.id}"
    scratch.mkdir(parents=True, exist_ok=True)
    parts = _copy_cut(scene, scratch) if method in ("auto", "copy") else None
    used = "copy"
    if parts is None:
        if method == "copy":
            raise LectureError(f"{scene.clip}: no keyframe at every beat start; cannot copy")
        parts, used = _encode_cut(scene, scratch, fps), "re-encode"
    rate = None if silent else _audio_rate(scene.clip)
    segments = tuple(
        _finish(part, scene, beat, out_dir / f"{beat_stem(scene, beat)}.mp4", fps, rate)
        for part, beat in zip(parts, scene.beats, strict=True)
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return CutScene(scene.id, segments, used)


def cut_scenes(
    scenes: Sequence[LectureScene],
    out_dir: Path,
    work: Path,
    fps: float,
    *,
    silent: bool = False,
    jobs: int | None = None,
    method: str = "auto",
) -> list[CutScene]:
    """:func:`cut_scene` for every chapter, ``jobs`` chapters at a time."""
    with ThreadPoolExecutor(max_workers=max(1, jobs or 2)) as pool:
        futures = [
            pool.submit(cut_scene, s, out_dir, work, fps, silent=silent, method=method)
            for s in scenes
        ]
        return [future.result() for future in futures]


def beat_stills(scene: LectureScene, out_dir: Path) -> list[Path]:
    """Write each beat's last frame as ``<beat stem>.png`` (one decode of the clip)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    last = [beat.end_frame - 1 for beat in scene.beats]
    select = "+".join(f"eq(n\\,{n})" for n in last)
    pattern = out_dir / f".{scene.id}-still-%03d.png"
    run_ffmpeg(
        ["-i", scene.clip, "-map", "0:v:0", "-vf", f"select={select}", "-fps_mode", "passthrough",
         "-frames:v", str(len(last)), "-start_number", "0", pattern],
        what=f"taking the stills of {scene.id}",
    )  # fmt: skip
    stills = []
    for index, beat in enumerate(scene.beats):
        made = out_dir / f".{scene.id}-still-{index:03d}.png"
        if not made.is_file():
            raise LectureError(f"{scene.clip}: no frame {last[index]}; render again")
        final = out_dir / f"{beat_stem(scene, beat)}.png"
        made.replace(final)
        stills.append(final)
    return stills
