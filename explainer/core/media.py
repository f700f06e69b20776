"""ffmpeg and ffprobe, run with explicit arguments: the one place the project calls them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from explainer.core.errors import RenderError, one_line

__all__ = ["concat_list", "run_ffmpeg", "probe_streams", "probe_video_frames"]

_FFMPEG = ("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y")


def concat_list(clips: Sequence[Path], path: Path) -> Path:
    """Write ffmpeg's concat demuxer list of ``clips`` to ``path``: absolute paths (the
    demuxer reads relative ones from the list's folder), quoted as it unquotes them.

    Examples
    --------
    >>> import tempfile
    >>> listing = concat_list([Path("/v/it's.mp4")], Path(tempfile.mkdtemp()) / "list.txt")
    >>> print(listing.read_text(), end="")
    file '/v/it'\\''s.mp4'
    """
    # the concat demuxer's quoting: single quotes, with ' written as '\''
    lines = ["file '" + str(c.absolute()).replace("'", "'\\''") + "'" for c in clips]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise RenderError(f"{tool} is not installed; install it with: sudo apt-get install ffmpeg")
    return found


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) or "no message"


def run_ffmpeg(args: Sequence[str | os.PathLike[str]], *, what: str) -> str:
    """Run ffmpeg with explicit arguments; return its stderr; raise RenderError on failure.

    Examples
    --------
    >>> run_ffmpeg(["-f", "lavfi", "-i", "anullsrc", "-t", "0.1", "-f", "null", "-"],
    ...            what="test")
    ''
    """
    _need("ffmpeg")
    command = [*_FFMPEG, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(f"ffmpeg failed while {what}: {_last_lines(done.stderr)}")
    return done.stderr


def _ffprobe(args: Sequence[str | os.PathLike[str]]) -> str:
    _need("ffprobe")
    command = ["ffprobe", "-v", "error", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(f"ffprobe cannot read {args[-1]}: {_last_lines(done.stderr)}")
    return done.stdout


def probe_streams(path: Path) -> list[dict[str, object]]:
    """The streams of a media file as ffprobe reports them (codec_type, codec_name, ...)."""
    out = _ffprobe(["-show_streams", "-of", "json", path])
    return list(json.loads(out).get("streams", []))


def probe_video_frames(path: Path) -> int:
    """Video frames in ``path``, checked against the file size so truncation is caught.

    Every H.264 packet Manim writes is one frame; counting packets reads the index only,
    and a packet that ends past the end of the file means the file was cut short. Read
    in this process with FFmpeg's own demuxer (PyAV, which Manim encodes with): 5 ms for a
    chapter's clip, where starting ``ffprobe`` took 0.12 s.
    """
    import av  # FFmpeg's libraries; loaded only where clips are made or checked

    size = path.stat().st_size
    frames = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            indexed = stream.frames  # the frames the file's index lists (0: no count)
            for packet in container.demux(stream):
                if packet.size == 0:  # the demuxer's end-of-stream marker, not a frame
                    continue
                if packet.pos is not None and packet.pos >= 0 and packet.pos + packet.size > size:
                    raise RenderError(f"{path} is truncated: a frame ends past the end of the file")
                frames += 1
    except (av.FFmpegError, IndexError) as error:
        raise RenderError(f"cannot read the video in {path}: {one_line(error)}") from None
    if indexed and frames != indexed:
        raise RenderError(f"{path} is truncated: it holds {frames} of the {indexed} frames listed")
    return frames
