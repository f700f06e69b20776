"""Token chips and the token row that keeps the same look and place in every scene."""

from __future__ import annotations

from collections.abc import Sequence

from manim import RIGHT, UP, Mobject, RoundedRectangle, VGroup

from scenes.kit.palette import CHIP_FILL, CHIP_STROKE, QUERY, TEXT
from scenes.kit.style import (
    BODY,
    NUMBER,
    SAFE_WIDTH,
    SMALL_NUMBER,
    TOKEN_ROW_Y,
    fit_width,
    text,
)

__all__ = ["TokenChip", "TokenRow", "abbreviate"]

# a chip's word never shrinks below this (a 16-point word: capitals about 10 px tall at
# 480p); a row that would needs shorter words instead (the full words are said, and shown
# in chapter 1 and on the heat maps' axes)
MIN_WORD_SCALE = 16 / BODY
SHORTEST = 4  # abbreviations keep at least this many characters (3 letters and "…")
CROWDED_CHIP = 1.0  # a row that must shrink: chips at least this wide, so a short word
# between long ones still leaves its column room for a number
TIGHT_PAD = 0.08  # a crowded row's chips: less padding and gap, more room for the words
TIGHT_GAP = 0.1

CHIP_HEIGHT = 0.56
CHIP_PAD = 0.2  # horizontal padding between a word and its chip's edge
CHIP_GAP = 0.16  # space between neighbouring chips


class TokenChip(VGroup):
    """One token: a rounded dark chip with the word in it.

    Parameters
    ----------
    word
        The token as written.
    size
        Font size of the word.

    Examples
    --------
    >>> chip = TokenChip("cat")
    >>> chip.word.text, bool(chip.box.height > chip.word.height)
    ('cat', True)
    """

    def __init__(
        self, word: str, size: float = BODY, pad: float = CHIP_PAD, min_width: float = CHIP_HEIGHT
    ) -> None:
        self.word = text(word, size=size, color=TEXT)
        width = max(self.word.width + 2 * pad, min_width)
        self.box = RoundedRectangle(
            corner_radius=0.12,
            width=width,
            height=CHIP_HEIGHT,
            fill_color=CHIP_FILL,
            fill_opacity=1.0,
            stroke_color=CHIP_STROKE,
            stroke_width=1.5,
        )
        # every chip's word sits on the same baseline ("on" level with "The"): centre a
        # capital H in the box and keep the word where it sits next to that H
        self.word.move_to(self.box).shift(_baseline_offset(word, size) * UP)
        super().__init__(self.box, self.word)

    def outline(self, color: str = QUERY, width: float = 3.0) -> RoundedRectangle:
        """A coloured outline the size of the chip, to mark it (e.g. as the query)."""
        ring = self.box.copy().set_fill(opacity=0).set_stroke(color=color, width=width)
        return ring.move_to(self.box)


def _baseline_offset(word: str, size: float) -> float:
    """How far above a centred H's centre the word's own centre sits on the same line."""
    probe = text("H" + word, size=size)
    if len(probe) < 2:
        return 0.0
    return float(VGroup(*probe[1:]).get_center()[1] - probe[0].get_center()[1])


def abbreviate(word: str, limit: int) -> str:
    """``word`` cut to ``limit`` characters, the last one an ellipsis, if that saves two.

    Examples
    --------
    >>> abbreviate("Extraordinarily", 6), abbreviate("cat", 6), abbreviate("quick", 4)
    ('Extra…', 'cat', 'quick')
    """
    return word if len(word) <= limit + 1 else word[: limit - 1] + "…"


class TokenRow(VGroup):
    """The sentence's tokens as chips in one centred row at ``y`` (the same in every scene).

    Rows wider than ``max_width`` are scaled down to fit, but a word never below
    ``MIN_WORD_SCALE``: a row of 16 long words abbreviates its longest words instead
    (``Extraordinarily`` -> ``Extraor…``), as few as keeps every word legible at 480p.
    ``tokens`` stays the full words; ``words_shown`` is what the chips say.

    Parameters
    ----------
    tokens
        The tokens, e.g. ``example.tokens``.
    y
        Vertical centre of the row.
    max_width
        Widest the row may be.

    Examples
    --------
    >>> row = TokenRow(("The", "cat", "sat"))
    >>> len(row.chips), float(round(row.get_center()[1], 6))
    (3, 2.6)
    >>> bool(row.x_of(0) < row.x_of(2))
    True
    """

    def __init__(
        self,
        tokens: Sequence[str],
        y: float = TOKEN_ROW_Y,
        max_width: float = SAFE_WIDTH,
        size: float = BODY,
    ) -> None:
        self.tokens = tuple(tokens)
        widths = [text(token, size=size).width for token in self.tokens]
        pad, gap, limit = CHIP_PAD, CHIP_GAP, max(len(token) for token in self.tokens)
        even = False  # a crowded row: tight chips, all as wide as the widest (even columns)
        least = CHIP_HEIGHT

        def chip_widths() -> list[float]:  # estimated, before any chip is made
            words = [
                w * len(abbreviate(t, limit)) / len(t)
                for w, t in zip(widths, self.tokens, strict=True)
            ]
            chips = [max(w + 2 * pad, least) for w in words]
            return [max(chips)] * len(chips) if even else chips

        def fits(scale: float = MIN_WORD_SCALE) -> bool:  # the row at word scale ``scale``
            return (sum(chip_widths()) + gap * (len(widths) - 1)) * scale <= max_width

        if not fits(1.0):
            least = CROWDED_CHIP
        if not fits():
            pad, gap, even = TIGHT_PAD, TIGHT_GAP, True
        while not fits() and limit > SHORTEST:
            limit -= 1
        self.words_shown = tuple(abbreviate(token, limit) for token in self.tokens)
        self.chips = [
            TokenChip(word, size=size, pad=pad, min_width=least) for word in self.words_shown
        ]
        if even:
            widest = max(chip.width for chip in self.chips)
            self.chips = [
                TokenChip(word, size=size, pad=pad, min_width=widest) for word in self.words_shown
            ]
        super().__init__(*self.chips)
        self.arrange(RIGHT, buff=gap)
        fit_width(self, max_width)
        self.move_to([0, y, 0])

    def chip(self, index: int) -> TokenChip:
        """The chip of token ``index``."""
        return self.chips[index]

    def x_of(self, index: int) -> float:
        """The horizontal centre of token ``index``'s chip (to line things up under it)."""
        return float(self.chips[index].get_center()[0])

    def xs(self) -> list[float]:
        """The horizontal centres of all chips, left to right."""
        return [self.x_of(i) for i in range(len(self.chips))]

    def slot_width(self) -> float:
        """The narrowest distance between neighbouring chip centres (room per column)."""
        xs = self.xs()
        if len(xs) < 2:
            return self.width
        return min(b - a for a, b in zip(xs, xs[1:], strict=False))

    def outline(self, index: int, color: str = QUERY) -> RoundedRectangle:
        """An outline around chip ``index`` in ``color`` (query yellow: it asks)."""
        ring = self.chips[index].outline(color)
        ring.stretch_to_fit_width(self.chips[index].width).stretch_to_fit_height(
            self.chips[index].height
        )
        return ring.move_to(self.chips[index])

    def under(self, items: Sequence[Mobject], y: float, gap: float = 0.1) -> VGroup:
        """``items`` (one per token, e.g. a row of numbers) centred under the chips at ``y``.

        When the widest item leaves less than ``gap`` between neighbours, all items shrink
        by one factor, never below SMALL_NUMBER / NUMBER (digits stay legible at 480p);
        crowded 16-token rows keep their two decimals this way.

        Examples
        --------
        >>> row = TokenRow(("a", "b"))
        >>> numbers = row.under([text("0.50"), text("0.50")], y=1.0)
        >>> a, b = numbers
        >>> float(round(a.get_center()[1], 6)), bool(a.get_x() < b.get_x())
        (1.0, True)
        """
        group = VGroup(*items)
        widest = max(item.width for item in items)
        room = self.slot_width() - gap
        if widest > room:
            factor = max(room / widest, SMALL_NUMBER / NUMBER)
            for item in items:
                item.scale(factor)
        for i, item in enumerate(items):
            item.move_to([self.x_of(i), y, 0])
        return group
