"""Pixels for the images of :mod:`scenes.kit.images`: colour ramps of the palette's roles as
8-bit RGB arrays, an image mobject that keeps its cells square-edged, and the camera's
compositing of upright images into their own box.
"""

from __future__ import annotations

import numpy as np
from manim import Camera, ImageMobject
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.utils.color import ManimColor
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from scenes.kit.heatmap import FLOOR
from scenes.kit.palette import GRID, WEIGHT

__all__ = ["Pixels", "heat_pixels", "ramp_pixels", "color_rgb", "sharp_image"]

Pixels = NDArray[np.uint8]

_manims_display = Camera.display_image_mobject


def _display_upright_image(
    camera: Camera, image_mobject: AbstractImageMobject, pixel_array: NDArray[np.uint8]
) -> None:
    """Draw an upright image into its own box of the frame, composited there only.

    Manim's :meth:`Camera.display_image_mobject` builds a whole-frame RGBA image for every
    image on every frame (a 1080p frame per strip), from a float array Pillow 12 and later
    refuse (``ValueError: Invalid mode for data type``). The images here are never rotated,
    so each is resized to its pixel box and blended into that box alone; anything else
    goes to Manim's own code.
    """
    ul, ur, dl, dr = camera.points_to_subpixel_coords(image_mobject, image_mobject.points)
    if abs(ul[1] - ur[1]) > 1e-6 or abs(ul[0] - dl[0]) > 1e-6:
        _manims_display(camera, image_mobject, pixel_array)  # rotated: Manim's way
        return
    left, top, right, bottom = (int(round(v)) for v in (ul[0], ul[1], dr[0], dr[1]))
    if right <= left or bottom <= top:
        return
    source = Image.fromarray(image_mobject.get_pixel_array()).convert("RGBA")
    sized = np.asarray(
        source.resize((right - left, bottom - top), resample=image_mobject.resampling_algorithm),
        dtype=np.float64,
    )
    height, width = pixel_array.shape[:2]
    x0, y0, x1, y1 = max(left, 0), max(top, 0), min(right, width), min(bottom, height)
    if x1 <= x0 or y1 <= y0:
        return
    src = sized[y0 - top : y1 - top, x0 - left : x1 - left] / 255
    dst = pixel_array[y0:y1, x0:x1].astype(np.float64) / 255
    alpha = src[..., 3:4]
    out_alpha = alpha + dst[..., 3:4] * (1 - alpha)
    rgb = src[..., :3] * alpha + dst[..., :3] * dst[..., 3:4] * (1 - alpha)
    rgb = np.divide(rgb, out_alpha, out=np.zeros_like(rgb), where=out_alpha > 0)
    pixel_array[y0:y1, x0:x1] = np.round(np.concatenate([rgb, out_alpha], axis=-1) * 255)


Camera.display_image_mobject = _display_upright_image  # type: ignore[method-assign]


def color_rgb(color: str) -> NDArray[np.float64]:
    return np.array(ManimColor(color).to_rgb(), dtype=np.float64)


def _as_pixels(fractions: NDArray[np.float64], low: str, high: str) -> Pixels:
    """Colours ``low`` + fraction x (``high`` - ``low``), as 8-bit RGB (one more axis)."""
    a, b = color_rgb(low), color_rgb(high)
    rgb = a + np.clip(fractions, 0.0, 1.0)[..., None] * (b - a)
    return np.round(rgb * 255).astype(np.uint8)


def heat_pixels(weights: ArrayLike, vmax: float, vmin: float = 0.0) -> Pixels:
    """The RGB pixels of an attention matrix, each cell the colour :func:`weight_color` gives.

    Examples
    --------
    >>> from scenes.kit.heatmap import weight_color
    >>> px = heat_pixels([[0.0, 0.5]], vmax=0.5)
    >>> px.shape, px[0, 1].tolist() == [round(255 * c) for c in weight_color(0.5, 0.5).to_rgb()]
    ((1, 2, 3), True)
    """
    w = np.asarray(weights, dtype=np.float64)
    span = vmax - vmin
    t = np.clip((w - vmin) / span, 0.0, 1.0) if span > 0 else np.ones_like(w)
    return _as_pixels(FLOOR + (1 - FLOOR) * t, GRID, WEIGHT)


def ramp_pixels(values: ArrayLike, color: str, vmax: float) -> Pixels:
    """A vector's entries as colours of its role: ``-vmax`` near the background, 0 halfway,
    ``+vmax`` the role colour itself.

    Examples
    --------
    >>> from scenes.kit.palette import QUERY
    >>> px = ramp_pixels([-1.0, 1.0], QUERY, 1.0)
    >>> px[1].tolist() == [round(255 * c) for c in ManimColor(QUERY).to_rgb()]
    True
    """
    v = np.asarray(values, dtype=np.float64)
    t = (v / vmax + 1) / 2 if vmax > 0 else np.full_like(v, 0.5)
    return _as_pixels(t, GRID, color)


def sharp_image(pixels: Pixels, width: float, height: float) -> ImageMobject:
    """An image of ``pixels`` stretched to ``width`` x ``height``, cells kept square-edged.

    Examples
    --------
    >>> image = sharp_image(np.zeros((2, 4, 3), dtype=np.uint8), 4.0, 1.0)
    >>> float(round(image.width, 6)), float(round(image.height, 6))
    (4.0, 1.0)
    """
    image = ImageMobject(pixels)
    image.set_resampling_algorithm(0)  # PIL's NEAREST: a cell is a block, never a blur
    image.stretch_to_fit_width(width).stretch_to_fit_height(height)
    return image
