"""Type scale, fonts, frame geometry and small text helpers shared by every scene."""

from __future__ import annotations

from manim import MarkupText, Mobject, Text

from scenes.kit.palette import MUTED, TEXT
from scenes.kit.typeset import KitMarkupText, KitText

__all__ = [
    "FONT",
    "NUMBER_FONT",
    "TITLE",
    "BODY",
    "LABEL",
    "NUMBER",
    "SMALL_NUMBER",
    "FRAME_WIDTH",
    "FRAME_HEIGHT",
    "MARGIN",
    "SAFE_WIDTH",
    "HEADER_Y",
    "TOKEN_ROW_Y",
    "CONTENT_TOP",
    "CONTENT_BOTTOM",
    "text",
    "caption",
    "fit_width",
    "dim",
    "subscripted",
]

FONT = "DejaVu Sans"
# Numbers use the monospaced cut so columns of digits line up and do not jitter.
NUMBER_FONT = "DejaVu Sans Mono"

# Type scale (Manim font sizes). NUMBER 20 makes a digit about 12.6 px tall at 854x480;
# never scale numbers below SMALL_NUMBER / NUMBER (a digit must stay >= 11 px at 480p).
TITLE = 36
BODY = 26
LABEL = 22
NUMBER = 20
SMALL_NUMBER = 18

FRAME_WIDTH = 14.22
FRAME_HEIGHT = 8.0
MARGIN = 0.35
SAFE_WIDTH = 13.0  # widest row of content (token rows, equations)

HEADER_Y = 3.55  # the chapter header's centre line
TOKEN_ROW_Y = 2.6  # the token row sits here in every scene
CONTENT_TOP = 2.1  # below the token row
CONTENT_BOTTOM = -3.65


def text(content: str, size: float = BODY, color: str = TEXT, *, weight: str = "NORMAL") -> Text:
    """A Text in the video's font.

    Examples
    --------
    >>> bool(text("softmax", size=LABEL).height > 0)
    True
    """
    return KitText(content, font=FONT, font_size=size, color=color, weight=weight)


def subscripted(base: str, sub: str, size: float = BODY, color: str = TEXT) -> MarkupText:
    """A name with a subscript, e.g. W_Q or k_cat, without LaTeX.

    Examples
    --------
    >>> bool(subscripted("W", "Q").height > 0)
    True
    """
    from xml.sax.saxutils import escape

    return KitMarkupText(
        f"{escape(base)}<sub>{escape(sub)}</sub>", font=FONT, font_size=size, color=color
    )


def caption(content: str, size: float = LABEL) -> Text:
    """A muted one-line caption (an aside under a diagram).

    Examples
    --------
    >>> caption("rows = queries").color.to_hex().lower() == MUTED.lower()
    True
    """
    return text(content, size=size, color=MUTED)


def fit_width(mobject: Mobject, max_width: float = SAFE_WIDTH) -> Mobject:
    """Scale ``mobject`` down (never up) so it is at most ``max_width`` wide.

    Examples
    --------
    >>> float(round(fit_width(text("x" * 200), 4.0).width, 6))
    4.0
    """
    if mobject.width > max_width:
        mobject.scale_to_fit_width(max_width)
    return mobject


def dim(mobject: Mobject, opacity: float = 0.3) -> Mobject:
    """Fade ``mobject`` to ``opacity`` keeping outlines outlines (brackets stay unfilled).

    ``Mobject.set_opacity`` would also fill open strokes such as brackets; this sets the
    fill only where there is fill and the stroke only where there is stroke. To animate,
    dim a target: ``m.generate_target(); dim(m.target); self.play(MoveToTarget(m))``.

    Examples
    --------
    >>> float(round(dim(text("x"), 0.5)[0].get_fill_opacity(), 6))
    0.5
    """
    for part in mobject.family_members_with_points():
        if part.get_fill_opacity() > 0:
            part.set_fill(opacity=opacity)
        if part.get_stroke_width() > 0 and part.get_stroke_opacity() > 0:
            part.set_stroke(opacity=opacity)
    return mobject
