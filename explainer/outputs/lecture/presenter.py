"""``slides/index.html``: the offline presenter, one step per beat, from the package's static files.

The page loads only what sits beside it (``presenter.css``, ``presenter.js``,
``segments/*.mp4``, ``posters/*.png``), so it works from ``file://`` with no network.
Every step is an ``<li class="step" data-beat="<scene>/<beat>">`` holding its speaker notes
and, when the render wrote the explorer, ``data-explore``: the page and view (``E`` opens
``../explorer.html#qkv`` for the chapter on screen).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from explainer.outputs.explore.views import view_for
from explainer.outputs.lecture.model import LectureInput, NumberShown
from explainer.outputs.lecture.segments import beat_stem

__all__ = ["PAGE", "STATIC_FILES", "write_presenter", "chapter_label"]

PAGE = "index.html"
STATIC_FILES = ("presenter.css", "presenter.js")


def chapter_label(chapter: int, title: str) -> str:
    """How a chapter is named everywhere: ``3 · Scores``."""
    return f"{chapter} · {title}"


def _numbers_html(numbers: Sequence[NumberShown], spoken: Sequence[NumberShown]) -> str:
    said = {n.label for n in spoken}
    rows = []
    for number in numbers:
        css = ' class="spoken"' if number.label in said else ""
        rows.append(
            f"<div{css}><dt>{escape(number.label)}</dt><dd>{escape(number.shown)}</dd></div>"
        )
    return "".join(rows)


def _step_html(lecture: LectureInput, index: int) -> str:
    scene, beat = lecture.beats()[index]
    stem = beat_stem(scene, beat)
    chapter = chapter_label(scene.chapter, scene.title)
    position = f"step {scene.beats.index(beat) + 1} of {len(scene.beats)}"
    said = ""
    if beat.spoken:
        listed = ", ".join(f"{escape(n.shown)} ({escape(n.label)})" for n in beat.spoken)
        said = f'<p class="said">said: {listed}</p>'
    numbers = ""
    if scene.numbers:
        numbers = (
            f"<h4>numbers on screen in this chapter ({len(scene.numbers)})</h4>"
            f'<dl class="numbers">{_numbers_html(scene.numbers, beat.spoken)}</dl>'
        )
    attrs = {
        "data-beat": f"{scene.id}/{beat.id}",
        "data-index": str(index),
        "data-chapter": str(scene.chapter),
        "data-chapter-title": chapter,
        "data-src": f"segments/{stem}.mp4",
        "data-poster": f"posters/{stem}.png",
        "data-frames": str(beat.frames),
        "data-fps": f"{lecture.fps:g}",
    }
    if lecture.explorer is not None:
        attrs["data-explore"] = f"../{lecture.explorer.name}#{view_for(scene.class_name)}"
    attr_text = " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<li class="step" {attr_text}>'
        f"<h3>{escape(chapter)} &middot; {position}</h3>"
        f'<p class="narration">{escape(beat.text)}</p>{said}{numbers}</li>'
    )


def write_presenter(lecture: LectureInput, slides_dir: Path) -> Path:
    """Write ``index.html``, ``presenter.css`` and ``presenter.js`` into ``slides_dir``.

    The segments and posters it names are written by :mod:`explainer.outputs.lecture.segments`
    into ``slides_dir/segments`` and ``slides_dir/posters``.

    Returns
    -------
    Path
        ``slides_dir/index.html``.
    """
    slides_dir.mkdir(parents=True, exist_ok=True)
    static = files("explainer.outputs.lecture") / "static"
    for name in STATIC_FILES:
        with (static / name).open("rb") as source, (slides_dir / name).open("wb") as target:
            shutil.copyfileobj(source, target)
    beats = lecture.beats()
    steps = "\n".join(_step_html(lecture, i) for i in range(len(beats)))
    chapters, ticks = [], []
    for scene in lecture.scenes:
        first = next(i for i, (s, _) in enumerate(beats) if s is scene)
        chapters.append(
            f'    <li value="{scene.chapter}"><a href="#{escape(scene.id)}/'
            f'{escape(scene.beats[0].id)}" data-index="{first}">{escape(scene.title)}</a></li>'
        )
        if first:
            ticks.append(f'<span class="tick" style="left:{100 * first / len(beats):.3f}%"></span>')
    template = Template((static / "presenter.html").read_text(encoding="utf-8"))
    page = template.substitute(
        title=escape(lecture.title),
        steps=steps,
        chapters="\n".join(chapters),
        ticks="".join(ticks),
        explore="" if lecture.explorer is not None else " hidden",
    )
    index = slides_dir / PAGE
    index.write_text(page, encoding="utf-8")
    return index
