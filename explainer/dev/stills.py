"""``make stills``: one PNG per chapter of a rendered video, and one chapter's motion as
a GIF, for the README (``docs/``).

Each still is a chapter's last frame, when its picture is complete (the snapshot tests
compare the same frame), found from the timeline the render wrote beside the video. The
GIF plays the beats where chapter 5's values scale by their weights and pour into the
output: the README's picture of motion that is the computation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from explainer.core.media import run_ffmpeg
from explainer.core.names import output_name

__all__ = ["MOTION", "extract_motion", "extract_stills", "main"]

# the chapter and beats the README's GIF plays
MOTION = ("blend", ("weigh", "add"))


def extract_stills(video: Path, out_dir: Path, *, width: int = 960) -> list[Path]:
    """Write ``NN-<scene id>.png`` for every chapter of ``video`` into ``out_dir``.

    Examples
    --------
    >>> extract_stills(Path("media/attention/attention.mp4"), Path("docs"))  # doctest: +SKIP
    [PosixPath('docs/01-tokens.png'), ...]
    """
    timeline = json.loads((video.parent / "timeline.json").read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for scene in timeline["scenes"]:
        last_frame = scene["start"] + scene["duration"] - 1.5 / timeline["fps"]
        still = out_dir / output_name(scene["chapter"], scene["id"], suffix=".png")
        run_ffmpeg(
            ["-ss", f"{last_frame:.3f}", "-i", video, "-frames:v", "1",
             "-vf", f"scale={width}:-2:flags=lanczos", still],
            what=f"taking a still of {scene['id']}",
        )  # fmt: skip
        written.append(still)
    return written


def extract_motion(
    video: Path,
    out_dir: Path,
    *,
    scene_id: str = MOTION[0],
    beats: tuple[str, ...] = MOTION[1],
    width: int = 640,
    fps: int = 12,
) -> Path:
    """Write ``NN-<scene id>-motion.gif``: ``beats`` of chapter ``scene_id``, end to end.

    One 128-colour palette made from those frames keeps the GIF small and the role colours
    true; no dithering, so flat fills stay flat.

    Examples
    --------
    >>> extract_motion(Path("media/attention/attention.mp4"), Path("docs"))  # doctest: +SKIP
    PosixPath('docs/05-blend-motion.gif')
    """
    timeline = json.loads((video.parent / "timeline.json").read_text(encoding="utf-8"))
    scene = next((s for s in timeline["scenes"] if s["id"] == scene_id), None)
    if scene is None:
        raise ValueError(f"{video} has no chapter {scene_id!r}")
    played = [b for b in scene["beats"] if b["id"] in beats]
    if [b["id"] for b in played] != list(beats):
        raise ValueError(f"chapter {scene_id!r} of {video} has not the beats {', '.join(beats)}")
    start, end = played[0]["start"], played[-1]["start"] + played[-1]["duration"]
    gif = out_dir / output_name(scene["chapter"], scene_id, "motion", suffix=".gif")
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = (
        f"fps={fps},scale={width}:-2:flags=lanczos,split[a][b];"
        "[a]palettegen=max_colors=128:stats_mode=full[p];[b][p]paletteuse=dither=none"
    )
    run_ffmpeg(
        ["-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", video,
         "-filter_complex", graph, "-loop", "0", gif],
        what=f"making the motion GIF of {scene_id}",
    )  # fmt: skip
    return gif


def main(
    video: Annotated[Path, typer.Argument(help="A rendered video.")] = Path(
        "media/attention/attention.mp4"
    ),
    out_dir: Annotated[Path, typer.Option("--out", help="Where the PNGs go.")] = Path("docs"),
) -> None:
    """Extract one still per chapter and chapter 5's motion as a GIF.

    Example: python -m explainer.dev.stills
    """
    for picture in [*extract_stills(video, out_dir), extract_motion(video, out_dir)]:
        typer.echo(picture)


if __name__ == "__main__":
    typer.run(main)
