"""Many coloured cells drawn as one image each: a trained head's 32-entry vectors as colour
strips, an attention matrix as a heat map, and every head of a model as one mosaic.

A trained model has far more cells than a designed one (72 heads of 16 x 16 weights, keys of
32 entries for every token), and one Manim square per cell would make every frame slow. Each
visual here is a single :class:`manim.ImageMobject` scaled with nearest-neighbour sampling,
so its cells stay crisp squares at any size and a frame composites one image, not thousands
of paths. Colours follow the palette's roles: a weight is violet (as :func:`weight_color`), a
query, key, value or output vector is a ramp from near the background (its most negative
entry) to its role's colour (its most positive).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, RIGHT, UL, Group, Rectangle, VGroup
from numpy.typing import ArrayLike, NDArray

from scenes.kit.palette import BACKGROUND, MUTED, TEXT
from scenes.kit.pixels import Pixels, color_rgb, heat_pixels, ramp_pixels, sharp_image
from scenes.kit.style import LABEL, SMALL_NUMBER, text

__all__ = [
    "ColorStrip",
    "StripRow",
    "HeadMosaic",
    "HeatImage",
    "heat_pixels",
    "ramp_pixels",
    "sharp_image",
]


class ColorStrip(Group):
    """A vector of many entries (a trained head's 32) as one strip of coloured cells.

    Parameters
    ----------
    values
        The entries, first to last (top to bottom when ``vertical``, else left to right).
    color
        The vector's role colour (QUERY, KEY, VALUE, OUTPUT).
    vmax
        The magnitude drawn as the full colour; pass one value to strips that are compared.
    length, thickness
        The strip's size along and across its entries.
    vertical
        Entries top to bottom (under a token chip) or left to right.

    Examples
    --------
    >>> from scenes.kit.palette import KEY
    >>> strip = ColorStrip(np.linspace(-1, 1, 32), KEY, vmax=1.0, length=3.2)
    >>> float(round(strip.height, 6)), bool(strip.cell(0)[1] > strip.cell(31)[1])
    (3.2, True)
    """

    def __init__(
        self,
        values: ArrayLike,
        color: str,
        vmax: float,
        *,
        length: float = 3.2,
        thickness: float = 0.22,
        vertical: bool = True,
    ) -> None:
        v = np.asarray(values, dtype=np.float64)
        self.size = len(v)
        self.vertical = vertical
        px = ramp_pixels(v, color, vmax)[:, None, :]  # (d, 1, 3): one column
        if not vertical:
            px = px.transpose(1, 0, 2)
        w, h = (thickness, length) if vertical else (length, thickness)
        self.image = sharp_image(px, w, h)
        self.frame = Rectangle(width=w, height=h, stroke_color=color, stroke_width=1.5)
        super().__init__(self.image, self.frame)

    def cell(self, c: int) -> NDArray[np.float64]:
        """The centre of entry ``c`` (wherever the strip now is)."""
        start, along = (self.frame.get_top(), DOWN) if self.vertical else (self.frame.get_left(),
                                                                            RIGHT)  # fmt: skip
        step = (self.frame.height if self.vertical else self.frame.width) / self.size
        return np.asarray(start + along * step * (c + 0.5), dtype=np.float64)

    def cell_box(self, c: int, color: str = TEXT, pad: float = 0.03) -> Rectangle:
        """An outline around entry ``c`` (to point at the entries shown as numbers)."""
        step = (self.frame.height if self.vertical else self.frame.width) / self.size
        across = self.frame.width if self.vertical else self.frame.height
        w, h = (across, step) if self.vertical else (step, across)
        return Rectangle(
            width=w + 2 * pad, height=h + 2 * pad, stroke_color=color, stroke_width=2.5
        ).move_to(self.cell(c))


class StripRow(Group):
    """One vertical strip per token (its key or value), at the tokens' x, as one image.

    A row of sixteen strips is one image to composite, not sixteen: fading or moving the row
    costs a frame what one strip would. Each strip keeps an outline in its role colour.

    Parameters
    ----------
    vectors
        ``(tokens, d)``: each token's vector, entries top to bottom.
    xs
        The strips' horizontal centres (the chips' centres).
    top, length, thickness
        The strips' top edge, height and width.
    color, vmax
        The role colour and the magnitude drawn as the full colour (one for every strip).
    opacities
        One per strip (a value weighted by its token's weight fades with it), default 1.

    Examples
    --------
    >>> from scenes.kit.palette import KEY
    >>> row = StripRow(np.ones((3, 32)), [-1.0, 0.0, 1.0], top=1.0, length=1.6, color=KEY,
    ...                vmax=1.0)
    >>> len(row.frames), float(round(row.frames[2].get_center()[0], 6))
    (3, 1.0)
    """

    def __init__(
        self,
        vectors: ArrayLike,
        xs: Sequence[float],
        *,
        top: float,
        length: float,
        color: str,
        vmax: float,
        thickness: float = 0.2,
        opacities: Sequence[float] | None = None,
        px_per_unit: int = 60,
    ) -> None:
        v = np.asarray(vectors, dtype=np.float64)  # (tokens, d)
        alphas = np.ones(len(v)) if opacities is None else np.asarray(opacities, dtype=float)
        left = min(xs) - thickness / 2
        width_px = int(np.ceil((max(xs) + thickness / 2 - left) * px_per_unit))
        canvas = np.zeros((v.shape[1], width_px, 4), dtype=np.uint8)  # transparent between
        strip_px = max(1, round(thickness * px_per_unit))
        for vector, x, alpha in zip(v, xs, alphas, strict=True):
            x0 = min(width_px - strip_px, round((x - thickness / 2 - left) * px_per_unit))
            canvas[:, x0 : x0 + strip_px, :3] = ramp_pixels(vector, color, vmax)[:, None, :]
            canvas[:, x0 : x0 + strip_px, 3] = round(255 * float(alpha))
        self.image = sharp_image(canvas, width_px / px_per_unit, length)
        self.image.move_to([left + self.image.width / 2, top - length / 2, 0])
        self.frames = VGroup(*(
            Rectangle(width=thickness, height=length, stroke_color=color, stroke_width=1.5,
                      stroke_opacity=float(alpha)).move_to([x, top - length / 2, 0])
            for x, alpha in zip(xs, alphas, strict=True)
        ))  # fmt: skip
        super().__init__(self.image, self.frames)


class HeatImage(Group):
    """One head's attention matrix as a heat map image: rows are queries, columns keys.

    Parameters
    ----------
    weights
        The ``(n, n)`` matrix.
    side
        The image's width and height.
    vmax, vmin
        The weights drawn as full violet and as the faintest tint (default: 1 and 0, so
        maps side by side compare).

    Examples
    --------
    >>> heat = HeatImage(np.eye(4), side=2.0)
    >>> float(round(heat.cell_size, 6)), float(round(heat.cell(0, 0)[0], 6))
    (0.5, -0.75)
    """

    def __init__(
        self, weights: ArrayLike, side: float, vmax: float = 1.0, vmin: float = 0.0
    ) -> None:
        w = np.asarray(weights, dtype=np.float64)
        self.n = w.shape[0]
        self.image = sharp_image(heat_pixels(w, vmax, vmin), side, side)
        super().__init__(self.image)

    @property
    def cell_size(self) -> float:
        """The side of one cell, at the image's present size."""
        return float(self.image.width) / self.n

    def cell(self, i: int, j: int) -> NDArray[np.float64]:
        """The centre of the cell of query ``i`` and key ``j``."""
        s = self.cell_size
        return np.asarray(self.image.get_corner(UL) + s * np.array([j + 0.5, -(i + 0.5), 0]))

    def row_box(self, i: int, color: str, pad: float = 0.03) -> Rectangle:
        """An outline around query row ``i``."""
        s = self.cell_size
        box = Rectangle(width=self.image.width + 2 * pad, height=s + 2 * pad, stroke_color=color,
                        stroke_width=3)  # fmt: skip
        return box.move_to([self.image.get_center()[0], self.cell(i, 0)[1], 0])

    def columns_box(self, columns: Sequence[int], color: str, pad: float = 0.03) -> Rectangle:
        """An outline around the key columns ``columns`` (consecutive: a word's pieces)."""
        s = self.cell_size
        left, right = self.cell(0, min(columns))[0] - s / 2, self.cell(0, max(columns))[0] + s / 2
        box = Rectangle(width=right - left + 2 * pad, height=self.image.height + 2 * pad,
                        stroke_color=color, stroke_width=3)  # fmt: skip
        return box.move_to([(left + right) / 2, self.image.get_center()[1], 0])


class HeadMosaic(Group):
    """Every head of a model as one image: a ``layers x heads`` grid of tiles, labelled.

    Each tile is a head's heat map (``tiles`` from :meth:`of_weights`) or a flat colour (a
    head's kind, from :meth:`of_colors`); tiles are separated by a clear gap. Layers are
    labelled down the left, heads across the top, both from 1.

    Examples
    --------
    >>> mosaic = HeadMosaic.of_weights(np.full((2, 3, 4, 4), 0.25), width=6.0)
    >>> mosaic.layers, mosaic.heads, bool(mosaic.tile_center(1, 2)[0] > mosaic.tile_center(0, 0)[0])
    (2, 3, True)
    """

    def __init__(self, tiles: Pixels, width: float, height: float | None = None) -> None:
        self.layers, self.heads, side = tiles.shape[0], tiles.shape[1], tiles.shape[2]
        gap = max(1, side // 6)
        self.pitch_px, self.side_px = side + gap, side
        h_px, w_px = self.layers * self.pitch_px - gap, self.heads * self.pitch_px - gap
        canvas = np.zeros((h_px, w_px, 4), dtype=np.uint8)  # transparent gaps
        for layer in range(self.layers):
            for head in range(self.heads):
                y, x = layer * self.pitch_px, head * self.pitch_px
                canvas[y : y + side, x : x + side, :3] = tiles[layer, head]
                canvas[y : y + side, x : x + side, 3] = 255
        self.layer_labels = VGroup(*(text(f"layer {i + 1}", size=LABEL, color=MUTED)
                                     for i in range(self.layers)))  # fmt: skip
        self.head_labels = VGroup(*(text(str(h + 1), size=SMALL_NUMBER, color=MUTED)
                                    for h in range(self.heads)))  # fmt: skip
        self.head_caption = text("head", size=LABEL, color=MUTED)
        label_w = self.layer_labels.width + 0.2
        label_h = self.head_labels.height + 0.15
        image_w = width - label_w
        if height is not None:
            image_w = min(image_w, (height - label_h) * w_px / h_px)
        self.image = sharp_image(canvas, image_w, image_w * h_px / w_px)
        super().__init__(self.image, self.layer_labels, self.head_labels, self.head_caption)
        self._place_labels()

    @classmethod
    def of_weights(
        cls, weights: ArrayLike, width: float, height: float | None = None, vmax: float = 1.0
    ) -> HeadMosaic:
        """The mosaic of every head's heat map; ``weights`` is ``(layers, heads, n, n)``."""
        w = np.asarray(weights, dtype=np.float64)
        n = w.shape[-1]
        scale = max(1, -(-24 // n))  # whole pixels per cell, tiles at least 24 px
        tiles = heat_pixels(np.repeat(np.repeat(w, scale, axis=-2), scale, axis=-1), vmax)
        return cls(tiles, width, height)

    @classmethod
    def of_colors(
        cls, colors: Sequence[Sequence[str]], width: float, height: float | None = None
    ) -> HeadMosaic:
        """A mosaic of flat tiles, ``colors[layer][head]`` each."""
        rgb = np.array([[color_rgb(c) for c in row] for row in colors])  # (L, H, 3)
        tiles = np.round(np.broadcast_to(rgb[:, :, None, None, :], (*rgb.shape[:2], 12, 12, 3))
                         * 255).astype(np.uint8)  # fmt: skip
        return cls(tiles, width, height)

    def _place_labels(self) -> None:
        """Put the layer and head labels beside the image (they move with it afterwards)."""
        for layer, label in enumerate(self.layer_labels):
            label.next_to(self.tile_center(layer, 0), np.array([-1.0, 0, 0]),
                          buff=self.tile_size / 2 + 0.15)  # fmt: skip
        for head, label in enumerate(self.head_labels):
            label.move_to(self.tile_center(0, head)).set_y(
                float(self.image.get_top()[1]) + 0.12 + label.height / 2
            )
        self.head_caption.next_to(self.head_labels, np.array([-1.0, 0, 0]), buff=0.25)
        self.head_caption.align_to(self.layer_labels, RIGHT).match_y(self.head_labels)

    @property
    def tile_size(self) -> float:
        """A tile's side at the image's present size."""
        return (
            float(self.image.width)
            * self.side_px
            / (self.heads * self.pitch_px - (self.pitch_px - self.side_px))
        )

    def tile_center(self, layer: int, head: int) -> NDArray[np.float64]:
        """The centre of the tile of ``layer``, ``head`` (0-based)."""
        unit = self.tile_size / self.side_px  # scene units per pixel
        x = (head * self.pitch_px + self.side_px / 2) * unit
        y = (layer * self.pitch_px + self.side_px / 2) * unit
        return np.asarray(self.image.get_corner(UL) + np.array([x, -y, 0]))

    def tile_box(self, layer: int, head: int, color: str = TEXT, width: float = 3.0) -> Rectangle:
        """An outline around one head's tile."""
        side = self.tile_size * (1 + 2 / self.side_px) + 0.04
        return Rectangle(width=side, height=side, stroke_color=color,
                         stroke_width=width).move_to(self.tile_center(layer, head))  # fmt: skip

    def tile_veil(self, layer: int, head: int, opacity: float = 0.72) -> Rectangle:
        """A square of the background over one tile, to fade it behind the others."""
        side = self.tile_size
        return Rectangle(width=side, height=side, stroke_width=0, fill_color=BACKGROUND,
                         fill_opacity=opacity).move_to(self.tile_center(layer, head))  # fmt: skip
