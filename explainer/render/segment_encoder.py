"""Manim's Cairo renderer and segment writer with a cheaper hand-off of frames to x264.

Profiled at 1080p60 (the default script, every scene serially in one process, under the
cpu lock): drawing took ~38 s of CPU and encoding ~75 s, and a good part of the encoding
was not x264 at all. For every frame Manim copies the camera's 8 MB RGBA pixels for the
encoder thread, which copies them again into a ``VideoFrame`` (``from_ndarray``, ~7 ms)
and has swscale convert them to yuv420p (~3 ms), once per *output* frame: every repeat
of a held frame again. Here the renderer converts each drawn frame once, straight from
the camera's pixels, with OpenCV (0.9 ms, no RGBA copy), and the encoder encodes that one
yuv420p frame ``repeat`` times. OpenCV's BT.601 limited-range conversion is swscale's up
to the rounding of a few chroma samples on edges (mean difference 0.02 levels): the
clips keep an SSIM of 0.995 or more per chapter against the previous encoder's. Each
animation is still its own segment (a closed GOP), so every beat still starts on a
keyframe.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder

__all__ = ["FastSceneFileWriter", "FastSegmentEncoder", "YuvCairoRenderer", "yuv_renderer"]

# scene workers fill the cores already: OpenCV's own thread pool would only add overhead
cv2.setNumThreads(1)


class YuvCairoRenderer(CairoRenderer):
    """Manim's Cairo renderer handing the frames it writes over as yuv420p planes.

    Only the two methods that write frames change: ``get_frame`` stays RGBA (Manim keeps
    the static background from it).
    """

    def yuv_frame(self) -> Any:
        """The camera's frame as yuv420p planes, ``(height * 3/2, width)``: Y, U, V."""
        return cv2.cvtColor(self.camera.pixel_array, cv2.COLOR_RGBA2YUV_I420)

    def render(self, scene: Any, time: float, moving_mobjects: Any = None) -> None:
        """Draw the frame and write it (as Manim's ``render``, converted once here)."""
        self.update_frame(scene, moving_mobjects)
        self.add_frame(self.yuv_frame())

    def freeze_current_frame(self, duration: float) -> None:
        """Write the current frame for ``duration`` (one conversion, however long)."""
        dt = 1 / self.camera.frame_rate  # Manim's own arithmetic: the same frame count
        self.add_frame(self.yuv_frame(), num_frames=int(duration / dt))


class FastSegmentEncoder(VideoSegmentEncoder):
    """Encodes frames that arrive as yuv420p planes, each repeat from one frame."""

    def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
        """Encode ``pixels`` (yuv420p planes, ``(height * 3/2, width)``) ``repeat`` times."""
        want = (self.spec.height * 3 // 2, self.spec.width)
        if getattr(pixels, "shape", None) != want or repeat < 1:
            raise ValueError(f"expected yuv420p planes of shape {want} and repeat >= 1")
        rate = self.spec.frame_rate
        stream = self._stream
        assert isinstance(stream, av.VideoStream)  # Manim opens a video stream
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="yuv420p")
            frame.time_base = Fraction(rate.denominator, rate.numerator)
            for _ in range(repeat):
                # the encoder copies the planes it keeps: one frame serves every repeat
                frame.pts = self._next_pts
                self._next_pts += 1
                for packet in stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error


class FastSceneFileWriter(SceneFileWriter):
    """Manim's file writer, its segments encoded by :class:`FastSegmentEncoder`."""

    def _create_segment_encoder(self, target: Path) -> VideoSegmentEncoder:
        spec = self.video_encoder
        if spec is None or spec.pixel_format != "yuv420p":
            raise RuntimeError("the fast segment writer encodes yuv420p video only (mp4)")
        return FastSegmentEncoder(target=target, spec=spec)


def yuv_renderer() -> YuvCairoRenderer:
    """A renderer whose frames go to :class:`FastSegmentEncoder` as yuv420p planes.

    Examples
    --------
    >>> type(yuv_renderer()).__name__
    'YuvCairoRenderer'
    """
    return YuvCairoRenderer(file_writer_class=FastSceneFileWriter)
