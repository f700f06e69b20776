"""Lecture exports of a finished render: beat segments, offline presenter, handout, deck.

One stage with a typed input and output: :class:`LectureInput` is read from a render's
folder (``media/<name>/``) alone, :func:`make_lecture` writes beside the video and returns
a :class:`LectureReport`::

    media/<name>/slides/index.html        the offline presenter (+ presenter.css/js)
    media/<name>/slides/segments/*.mp4    one segment per beat, cut frame-exact
    media/<name>/slides/posters/*.png     each beat's last frame
    media/<name>/<name>-handout.pdf       title page + one page per beat
    media/<name>/<name>.pptx              one slide per beat, video embedded, notes
    media/<name>/thumbnail.png            1280x720

Everything is written into a scratch folder and moved into place only when all of it is
done (:func:`explainer.core.staging.staged_outputs`), so Ctrl-C leaves the old exports whole.
The names are known before the render (:func:`lecture_files`); only files explainer wrote
are replaced, and the steps of a removed beat are deleted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from explainer.core.staging import staged_outputs
from explainer.outputs.lecture.deck import write_deck
from explainer.outputs.lecture.handout import write_handout
from explainer.outputs.lecture.model import (
    LectureBeat,
    LectureInput,
    LectureReport,
    LectureScene,
    NumberShown,
)
from explainer.outputs.lecture.presenter import PAGE, STATIC_FILES, write_presenter
from explainer.outputs.lecture.segments import beat_stems, beat_stills, cut_scenes
from explainer.outputs.lecture.thumbnail import write_thumbnail
from scenes.plan import ScenePlan

__all__ = [
    "LectureBeat",
    "LectureInput",
    "LectureReport",
    "LectureScene",
    "NumberShown",
    "lecture_files",
    "make_lecture",
]

SLIDES, SEGMENTS, POSTERS = "slides", "segments", "posters"
THUMBNAIL = "thumbnail.png"


def _handout(name: str) -> str:
    return f"{name}-handout.pdf"


def _deck(name: str) -> str:
    return f"{name}.pptx"


def lecture_files(name: str, plans: Sequence[ScenePlan]) -> list[str]:
    """Every file :func:`make_lecture` writes beside a render of ``plans`` named ``name``.

    Examples
    --------
    >>> from scenes.scripts import default_plan
    >>> files = lecture_files("talk", [default_plan("Tokens")])
    >>> files[:2], files[-3:]
    (['slides/index.html', 'slides/presenter.css'], ['talk-handout.pdf', 'talk.pptx', \
'thumbnail.png'])
    """
    stems = [
        stem
        for plan in plans
        for stem in beat_stems(plan.chapter, plan.scene_id, [beat.id for beat in plan.beats])
    ]
    return [
        *(f"{SLIDES}/{file}" for file in (PAGE, *STATIC_FILES)),
        *(f"{SLIDES}/{SEGMENTS}/{stem}.mp4" for stem in stems),
        *(f"{SLIDES}/{POSTERS}/{stem}.png" for stem in stems),
        _handout(name),
        _deck(name),
        THUMBNAIL,
    ]


def make_lecture(
    lecture: LectureInput, *, jobs: int | None = None, method: str = "auto", force: bool = False
) -> LectureReport:
    """Write every lecture export of ``lecture`` into its render folder, atomically.

    Parameters
    ----------
    lecture
        The finished render (see :meth:`LectureInput.from_render`).
    jobs
        Chapters cut at once; default 2.
    method
        How segments are cut: ``auto`` (stream copy at the beats' keyframes, re-encoding
        a chapter whose clip lacks them), ``copy`` or ``re-encode``.
    force
        Replace files in the way that explainer did not write (``--force``).

    Returns
    -------
    LectureReport
        The final paths of everything written.

    Examples
    --------
    >>> report = make_lecture(LectureInput.from_render(Path("media/attention")))  # doctest: +SKIP
    >>> report.presenter.name                                                    # doctest: +SKIP
    'index.html'
    """
    started = time.perf_counter()
    with staged_outputs(lecture.out_dir, force=force) as staging:
        slides = staging.path / SLIDES
        cut = cut_scenes(
            lecture.scenes, slides / SEGMENTS, staging.work, lecture.fps,
            silent=lecture.silent, jobs=jobs, method=method,
        )  # fmt: skip
        segments = [path for scene in cut for path in scene.segments]
        stills = [p for scene in lecture.scenes for p in beat_stills(scene, slides / POSTERS)]
        write_presenter(lecture, slides)
        write_handout(lecture, stills, staging.path / _handout(lecture.name))
        write_deck(lecture, segments, stills, staging.path / _deck(lecture.name))
        write_thumbnail(lecture, stills, staging.path / THUMBNAIL)
        final = staging.out_dir

        def moved(path: Path) -> Path:
            return final / path.relative_to(staging.path)

        report = LectureReport(
            out_dir=final,
            presenter=final / SLIDES / PAGE,
            handout=final / _handout(lecture.name),
            deck=final / _deck(lecture.name),
            thumbnail=final / THUMBNAIL,
            segments=[moved(p) for p in segments],
            posters=[moved(p) for p in stills],
            cut={scene.scene_id: scene.method for scene in cut},
        )
        # a step of a removed beat goes with it (only what an earlier export wrote)
        staging.commit(by=f"lecture {lecture.name}", prune=True)
    report.seconds = time.perf_counter() - started
    return report
