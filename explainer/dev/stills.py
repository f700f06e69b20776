"""``make stills``: one PNG per chapter of a rendered video, for the README (``docs/``).

Each still is a chapter's last frame, when its picture is complete (the snapshot tests
compare the same frame), found from the timeline the render wrote beside the video.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from explainer.core.media import run_ffmpeg
from explainer.core.names import output_name

__all__ = ["extract_stills", "main"]


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


def main(
    video: Annotated[Path, typer.Argument(help="A rendered video.")] = Path(
        "media/attention/attention.mp4"
    ),
    out_dir: Annotated[Path, typer.Option("--out", help="Where the PNGs go.")] = Path("docs"),
) -> None:
    """Extract one still per chapter. Example: python -m explainer.dev.stills"""
    for still in extract_stills(video, out_dir):
        typer.echo(still)


if __name__ == "__main__":
    typer.run(main)
