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
done (:func:`explainer.staging.staged_outputs`), so Ctrl-C leaves the old exports whole.
"""

from __future__ import annotations

import time
from pathlib import Path

from explainer.lecture.deck import write_deck
from explainer.lecture.handout import write_handout
from explainer.lecture.model import (
    LectureBeat,
    LectureInput,
    LectureReport,
    LectureScene,
    NumberShown,
)
from explainer.lecture.presenter import write_presenter
from explainer.lecture.segments import beat_stills, cut_scenes
from explainer.lecture.thumbnail import write_thumbnail
from explainer.staging import staged_outputs

__all__ = [
    "LectureBeat",
    "LectureInput",
    "LectureReport",
    "LectureScene",
    "NumberShown",
    "make_lecture",
]


def make_lecture(
    lecture: LectureInput, *, jobs: int | None = None, method: str = "auto"
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
    with staged_outputs(lecture.out_dir) as staging:
        slides = staging.path / "slides"
        cut = cut_scenes(
            lecture.scenes, slides / "segments", staging.work, lecture.fps,
            silent=lecture.silent, jobs=jobs, method=method,
        )  # fmt: skip
        segments = [path for scene in cut for path in scene.segments]
        stills = [p for scene in lecture.scenes for p in beat_stills(scene, slides / "posters")]
        write_presenter(lecture, slides)
        write_handout(lecture, stills, staging.path / f"{lecture.name}-handout.pdf")
        write_deck(lecture, segments, stills, staging.path / f"{lecture.name}.pptx")
        write_thumbnail(lecture, stills, staging.path / "thumbnail.png")
        final = staging.out_dir

        def moved(path: Path) -> Path:
            return final / path.relative_to(staging.path)

        report = LectureReport(
            out_dir=final,
            presenter=final / "slides" / "index.html",
            handout=final / f"{lecture.name}-handout.pdf",
            deck=final / f"{lecture.name}.pptx",
            thumbnail=final / "thumbnail.png",
            segments=[moved(p) for p in segments],
            posters=[moved(p) for p in stills],
            cut={scene.scene_id: scene.method for scene in cut},
        )
        # the slides folder belongs to this stage: a step of a removed beat goes with it
        staging.commit(prune=("slides", "slides/segments", "slides/posters"))
    report.seconds = time.perf_counter() - started
    return report
