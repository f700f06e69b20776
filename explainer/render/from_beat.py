"""A chapter rendered from beat k to its end, and joined to the frames before it.

Every beat starts a new segment (a closed GOP: :mod:`explainer.render.segment_encoder`), so
the frames of beats ``0..k-1`` of an earlier render of the same chapter can be kept as
they are and the rest rendered anew. :func:`from_beat_class` runs ``construct`` whole, so
every number is recorded and the scene's state at beat k is the one a whole render has,
but with Manim's skipping on until beat k (each skipped animation jumps to its end, no
frame is drawn or encoded); at beat k it turns drawing on and sets the renderer's clock
to the beat's first frame. :func:`join_clips` then puts the earlier frames and the new
ones end to end without re-encoding. Measured (``tests/test_from_beat.py``, and by hand on
the default script's ``qkv`` at 480p15 for k = 1, 2): the joined clip's decoded frames are
those of a whole render, frame for frame (ffmpeg framemd5).

The clip cache records each clip's beat-prefix keys (:func:`explainer.plan.keys.prefix_keys`);
on a miss :func:`explainer.pipeline.scenes.reusable_prefix` finds the longest shared prefix
and the job renders from there (``SceneJob.from_beat``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from explainer.core.errors import RenderError
from explainer.core.media import concat_list, probe_video_frames, run_ffmpeg

__all__ = ["from_beat_class", "join_clips"]


def from_beat_class(scene_class: type[Any], start_beat: int) -> type[Any]:
    """``scene_class`` drawing only from beat ``start_beat`` on (0: the class itself).

    The clip it writes holds the frames of beats ``start_beat..`` alone.

    Examples
    --------
    >>> class Narrated:  # stands in for a NarratedScene
    ...     pass
    >>> from_beat_class(Narrated, 0) is Narrated, from_beat_class(Narrated, 2).__name__
    (True, 'Narrated')
    """
    if start_beat <= 0:
        return scene_class

    class FromBeat(scene_class):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.renderer._original_skipping_status = True  # Manim resets to it every play
            self.renderer.skip_animations = True

        @contextmanager
        def beat(self, beat_id: str) -> Iterator[Any]:
            index = self._cursor.index
            if index == start_beat:  # draw from here, the clock on this beat's first frame
                self.renderer._original_skipping_status = False
                self.renderer.skip_animations = False
                self.renderer.time = self.beat_start_frame(index) / self.fps
            with super().beat(beat_id) as slot:
                yield slot

    FromBeat.__name__ = FromBeat.__qualname__ = scene_class.__name__
    return FromBeat


def join_clips(
    before: Path, frames: int, after: Path, out: Path, after_frames: int | None = None
) -> Path:
    """The first ``frames`` frames of ``before`` then all of ``after`` (``after_frames``
    frames, counted here if not given), into ``out``, copied (no re-encoding); both must
    come from the same encoder settings.

    Raises
    ------
    RenderError
        If the joined clip does not have ``frames`` + ``after``'s frames.
    """
    want = frames + (probe_video_frames(after) if after_frames is None else after_frames)
    with tempfile.TemporaryDirectory(prefix="join-", dir=out.parent) as tmp:
        head = Path(tmp) / "head.mp4"
        run_ffmpeg(["-i", before, "-map", "0:v", "-frames:v", str(frames), "-c", "copy", head],
                   what=f"cutting the first {frames} frames of {before.name}")  # fmt: skip
        listing = concat_list([head, after], Path(tmp) / "list.txt")
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", listing, "-c", "copy", out],
                   what=f"joining {before.name} and {after.name}")  # fmt: skip
    got = probe_video_frames(out)
    if got != want:
        raise RenderError(f"joining {before.name} and {after.name} gave {got} frames, not {want}")
    return out
