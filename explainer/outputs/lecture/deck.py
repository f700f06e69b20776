"""``<name>.pptx``: one 16:9 slide per beat with its segment embedded and its words as notes.

Made with python-pptx. Each movie's poster frame is the beat's last-frame still, so the
slide shows the finished picture before it plays; PowerPoint and LibreOffice Impress both
play the embedded mp4 (H.264 + AAC).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from explainer.outputs.lecture.model import LectureInput
from explainer.outputs.lecture.presenter import chapter_label

__all__ = ["write_deck"]


def write_deck(
    lecture: LectureInput, segments: Sequence[Path], stills: Sequence[Path], path: Path
) -> Path:
    """Write the deck: per beat, a chapter title, the movie and the narration as notes.

    Parameters
    ----------
    lecture
        The render's beats and chapters.
    segments, stills
        Each beat's segment (mp4) and last-frame still (PNG), in beat order.
    path
        The ``.pptx`` to write.
    """
    # python-pptx (0.2 s) loads only when this export is made, not with every `explainer` command
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    deck = Presentation()
    width, height = Inches(13.333), Inches(7.5)
    deck.slide_width, deck.slide_height = width, height
    deck.core_properties.title = lecture.title
    deck.core_properties.author = "attention-explainer"
    blank = deck.slide_layouts[6]
    bar = Inches(0.6)
    # the movie fills the slide below the title bar, 16:9, centred
    movie_h = height - bar
    movie_w = movie_h * 16 // 9
    beats = lecture.beats()
    for (scene, beat), segment, still in zip(beats, segments, stills, strict=True):
        slide = deck.slides.add_slide(blank)
        background = slide.background.fill
        background.solid()
        background.fore_color.rgb = RGBColor.from_string("0D1117")  # type: ignore[no-untyped-call]
        title = slide.shapes.add_textbox(Inches(0.3), Emu(0), width - Inches(0.6), bar)
        frame = title.text_frame
        frame.word_wrap = False
        run = frame.paragraphs[0].add_run()
        position = scene.beats.index(beat) + 1
        chapter = chapter_label(scene.chapter, scene.title)
        run.text = f"{chapter}  ·  step {position} of {len(scene.beats)}"
        run.font.size = Pt(18)
        run.font.color.rgb = RGBColor.from_string("E6EDF3")  # type: ignore[no-untyped-call]
        slide.shapes.add_movie(
            str(segment),
            (width - movie_w) // 2,
            bar,
            movie_w,
            movie_h,
            poster_frame_image=str(still),
            mime_type="video/mp4",
        )
        notes = beat.text
        if beat.spoken:
            notes += "\n\nSaid on screen: " + ", ".join(
                f"{n.shown} ({n.label})" for n in beat.spoken
            )
        if scene.numbers:
            shown = ", ".join(f"{n.label} = {n.shown}" for n in scene.numbers)
            notes += f"\n\nNumbers on screen in this chapter: {shown}"
        slide.notes_slide.notes_text_frame.text = notes
    path.parent.mkdir(parents=True, exist_ok=True)
    deck.save(str(path))
    return path
