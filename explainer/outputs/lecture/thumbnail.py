"""``thumbnail.png`` (1280x720): the title over the still that best shows the idea.

The picture is the chapter with the most attention weights on screen (the heat map of
"many heads" in the default script), at the end of the first step that shows them; with
no weights on screen (``--scene tokens``), the middle chapter's first step.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from explainer.outputs.lecture.handout import font_path
from explainer.outputs.lecture.model import LectureInput, LectureScene
from explainer.outputs.lecture.presenter import chapter_label

__all__ = ["SIZE", "best_scene", "write_thumbnail"]

SIZE = (1280, 720)
_BG, _INK, _MUTED = (13, 17, 23), (230, 237, 243), (139, 148, 158)


def best_scene(lecture: LectureInput) -> LectureScene:
    """The chapter whose still shows the idea best: the most weights on screen.

    Examples
    --------
    >>> best_scene(LectureInput.from_render(Path("media/attention"))).id  # doctest: +SKIP
    'heads'
    """

    def weights(scene: LectureScene) -> int:
        return sum(n.label.startswith(("weights", "head_weights")) for n in scene.numbers)

    ranked = max(lecture.scenes, key=weights)
    if weights(ranked) == 0:
        return lecture.scenes[len(lecture.scenes) // 2]
    return ranked


def _wrap(draw: object, text: str, font: object, width: int) -> list[str]:
    # Pillow loads only when this export is made, not with every `explainer` command
    from PIL import ImageDraw

    assert isinstance(draw, ImageDraw.ImageDraw)
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font) <= width:  # type: ignore[arg-type]
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def write_thumbnail(lecture: LectureInput, stills: Sequence[Path], path: Path) -> Path:
    """Draw the thumbnail with Pillow: title and chapter on top, the chosen still below.

    Parameters
    ----------
    lecture
        The render's chapters (the title comes from ``timeline.json``).
    stills
        Each beat's last-frame still, in beat order.
    path
        The PNG to write.
    """
    # Pillow loads only when this export is made, not with every `explainer` command
    from PIL import Image, ImageDraw, ImageFont

    scene = best_scene(lecture)
    first = next(i for i, (s, _) in enumerate(lecture.beats()) if s is scene)
    with Image.open(stills[first]) as still:
        picture = still.convert("RGB")
    # the frame's own chapter label (top 11 %) would repeat the line under the title
    picture = picture.crop((0, round(picture.height * 0.11), picture.width, picture.height))
    background = picture.getpixel((1, picture.height - 2))  # the video's own background
    canvas = Image.new("RGB", SIZE, background if isinstance(background, tuple) else _BG)
    draw = ImageDraw.Draw(canvas)
    title_font = ImageFont.truetype(str(font_path("DejaVuSans-Bold.ttf")), 60)
    small_font = ImageFont.truetype(str(font_path("DejaVuSans.ttf")), 30)
    lines = _wrap(draw, lecture.title, title_font, SIZE[0] - 120)[:2]
    y = 36
    for line in lines:
        draw.text((60, y), line, font=title_font, fill=_INK)
        y += 72
    draw.text((62, y + 2), chapter_label(scene.chapter, scene.title), font=small_font, fill=_MUTED)
    top = y + 48
    height = SIZE[1] - top
    width = round(height * picture.width / picture.height)
    picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    canvas.paste(picture, ((SIZE[0] - width) // 2, top))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, format="PNG", optimize=True)
    return path
