"""``<name>-handout.pdf``: a title page, then one page per beat (still, narration, numbers).

Made with fpdf2 and Debian's DejaVu fonts (``fonts-dejavu-core``), embedded as subsets, so
the ``·``, ``√`` and ``ᵀ`` the scenes use print as on screen. Each chapter is a bookmark.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from explainer.core.errors import LectureError
from explainer.outputs.lecture.model import LectureBeat, LectureInput, LectureScene, NumberShown
from explainer.outputs.lecture.presenter import chapter_label

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["FONT_DIR", "font_path", "write_handout"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_MONO = "DejaVuSansMono.ttf"
_INK, _MUTED, _ACCENT = (20, 24, 30), (100, 106, 115), (150, 105, 0)
_MARGIN = 15.0


def font_path(name: str) -> Path:
    """A DejaVu font file, or a one-line error naming the package that installs it."""
    path = FONT_DIR / name
    if not path.is_file():
        raise LectureError(
            f"font {path} is missing; install it with: sudo apt-get install fonts-dejavu-core"
        )
    return path


def _numbers_block(
    pdf: FPDF, numbers: Sequence[NumberShown], said: set[str], bottom: float
) -> None:
    """The chapter's numbers in columns, sized to fit between the cursor and ``bottom``."""
    if not numbers:
        return
    width = pdf.w - 2 * _MARGIN
    pdf.set_font("dejavu", size=8)
    label_width = max(pdf.get_string_width(n.label) for n in numbers) + 2
    pdf.set_font("mono", size=8)
    value_width = max(pdf.get_string_width(n.shown) for n in numbers) + 2
    # as many columns as the longest label allows (labels are never cut), at most four
    columns = max(1, min(4, int(width // (label_width + value_width + 6))))
    rows = math.ceil(len(numbers) / columns)
    top = pdf.get_y()
    line = min(4.6, max(2.2, (bottom - top) / rows))
    size = min(8.0, line * 2.0)
    column_width = width / columns
    for index, number in enumerate(numbers):
        column, row = divmod(index, rows)
        x = _MARGIN + column * column_width
        y = top + row * line
        spoken = number.label in said
        pdf.set_text_color(*(_ACCENT if spoken else _MUTED))
        pdf.set_font("dejavu", size=size)
        pdf.set_xy(x, y)
        pdf.cell(w=label_width, h=line, text=number.label)
        pdf.set_text_color(*(_ACCENT if spoken else _INK))
        pdf.set_font("mono", size=size)
        pdf.cell(w=value_width, h=line, text=number.shown, align="R")
    pdf.set_xy(_MARGIN, top + rows * line)


def write_handout(lecture: LectureInput, stills: Sequence[Path], path: Path) -> Path:
    """Write the handout PDF: a title page, then one A4 page per beat.

    Parameters
    ----------
    lecture
        The render's beats, chapters and numbers.
    stills
        Each beat's last frame (PNG), in beat order.
    path
        The PDF to write.
    """
    beats = lecture.beats()
    if len(stills) != len(beats):  # pragma: no cover - the stage's own invariant
        raise ValueError("one still per beat expected")
    pdf = _new_pdf(lecture.title)
    _title_page(pdf, lecture)
    for index, ((scene, beat), still) in enumerate(zip(beats, stills, strict=True)):
        _beat_page(pdf, scene, beat, still)
        _footer(pdf, f"{lecture.title} · page {index + 2} of {len(beats) + 1}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # fontTools logs every glyph it keeps at INFO, and Manim's handler shows INFO
    fonttools = logging.getLogger("fontTools")
    level = fonttools.level
    fonttools.setLevel(logging.WARNING)
    try:
        pdf.output(str(path))
    finally:
        fonttools.setLevel(level)
    return path


def _new_pdf(title: str) -> FPDF:
    """An empty A4 document with the fonts embedded and no automatic page breaks."""
    # fpdf2 (0.4 s) loads only when this export is made, not with every `explainer` command
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_author("attention-explainer")
    pdf.set_creator("attention-explainer (fpdf2)")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    for style, name in _FONTS.items():
        pdf.add_font("dejavu", style=style, fname=str(font_path(name)))
    pdf.add_font("mono", fname=str(font_path(_MONO)))
    return pdf


def _footer(pdf: FPDF, text: str) -> None:
    pdf.set_font("dejavu", size=8)
    pdf.set_text_color(*_MUTED)
    pdf.set_xy(_MARGIN, pdf.h - 10)
    pdf.cell(w=pdf.w - 2 * _MARGIN, h=4, text=text, align="C")


def _title_page(pdf: FPDF, lecture: LectureInput) -> None:
    """The title, the sentence, and the chapters with the page each starts on."""
    width = pdf.w - 2 * _MARGIN
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("dejavu", "B", 26)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(w=width, h=12, text=lecture.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("dejavu", size=12)
    pdf.set_text_color(*_MUTED)
    pdf.multi_cell(w=width, h=7, text=f"The worked example: “{lecture.sentence}”", align="C",
                   new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(14)
    page = 2
    for scene in lecture.scenes:
        pdf.set_x(_MARGIN + 25)
        pdf.set_font("dejavu", size=13)
        pdf.set_text_color(*_INK)
        pdf.cell(w=width - 70, h=9, text=chapter_label(scene.chapter, scene.title))
        pdf.set_text_color(*_MUTED)
        plural = "s" if len(scene.beats) > 1 else ""
        pdf.cell(w=20, h=9, text=f"page {page}", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(_MARGIN + 25)
        pdf.set_font("dejavu", size=9)
        pdf.cell(w=width - 50, h=5, text=f"{len(scene.beats)} step{plural}",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        page += len(scene.beats)
    _footer(pdf, "One page per step: the step's last frame, what the narrator says, the numbers.")


def _beat_page(pdf: FPDF, scene: LectureScene, beat: LectureBeat, still: Path) -> None:
    """One step: the chapter and step, the beat's last frame, its narration, the numbers."""
    width = pdf.w - 2 * _MARGIN
    pdf.add_page()
    position = scene.beats.index(beat)
    if position == 0:
        pdf.start_section(chapter_label(scene.chapter, scene.title))
    pdf.set_font("dejavu", "B", 15)
    pdf.set_text_color(*_INK)
    pdf.cell(w=width - 40, h=8, text=chapter_label(scene.chapter, scene.title))
    pdf.set_font("dejavu", size=9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(w=40, h=8, text=f"step {position + 1} of {len(scene.beats)}", align="R",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(2)
    image_height = width * 9 / 16
    pdf.image(str(still), x=_MARGIN, y=pdf.get_y(), w=width, h=image_height)
    pdf.set_y(pdf.get_y() + image_height + 6)
    pdf.set_font("dejavu", size=12.5)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(w=width, h=6.4, text=beat.text, new_x="LMARGIN", new_y="NEXT")
    if beat.spoken:
        pdf.ln(1.5)
        pdf.set_font("dejavu", size=10)
        pdf.set_text_color(*_ACCENT)
        said = ", ".join(f"{n.shown} ({n.label})" for n in beat.spoken)
        pdf.multi_cell(w=width, h=5.5, text=f"Said on screen: {said}", new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip
    if scene.numbers:
        pdf.ln(4)
        pdf.set_font("dejavu", "B", 9)
        pdf.set_text_color(*_MUTED)
        pdf.cell(w=width, h=5, text=f"Numbers on screen in this chapter ({len(scene.numbers)})",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.ln(1)
        _numbers_block(pdf, scene.numbers, {n.label for n in beat.spoken}, pdf.h - 16)
