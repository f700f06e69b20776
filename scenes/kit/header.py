"""The chapter header every scene opens with: "1 · A sentence as tokens" at the top-left."""

from __future__ import annotations

from xml.sax.saxutils import escape

from manim import LEFT, MarkupText

from scenes.kit.palette import MUTED, TEXT
from scenes.kit.style import FONT, FRAME_WIDTH, HEADER_Y, LABEL, MARGIN

__all__ = ["ChapterHeader"]


class ChapterHeader(MarkupText):
    """A muted chapter number and the chapter title on one baseline, top-left of the frame.

    Parameters
    ----------
    chapter
        The chapter number (1-based).
    title
        The chapter title (plain text; markup characters are escaped).
    size
        Font size; the type scale's LABEL by default.

    Examples
    --------
    >>> header = ChapterHeader(1, "A sentence as tokens")
    >>> bool(header.get_left()[0] < 0 < header.get_top()[1])
    True
    """

    def __init__(self, chapter: int, title: str, size: float = LABEL) -> None:
        # one MarkupText keeps number and title on the same baseline
        markup = f'<span foreground="{MUTED}">{chapter} ·</span>  {escape(title)}'
        super().__init__(markup, font=FONT, font_size=size, color=TEXT)
        self.chapter = chapter
        self.title = title
        self.move_to([0, HEADER_Y, 0]).align_to([-FRAME_WIDTH / 2 + MARGIN, 0, 0], LEFT)
