"""One scene render as a job: plain data in, the clip's bytes and its ledger out.

A job is a pure function of its cache key, so any worker that has the project installed
can run it: a local process or a machine of a cluster. The worker renders into a folder of
its own and returns the clip as bytes; the client stores it in its cache, so no shared
filesystem is needed.
"""

from __future__ import annotations

import resource
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from attention.numbers.ledger import LedgerEntry
from explainer.core.errors import ExplainerError, RenderError, one_line
from explainer.core.media import probe_video_frames
from explainer.core.quality import Quality
from scenes import load_scene_class
from scenes.plan import ScenePlan

__all__ = [
    "ENCODER_OPTIONS",
    "RenderedScene",
    "SceneJob",
    "prepare_worker",
    "render_scene",
    "run_job",
    "scene_failure",
]

# x264 "ultrafast" on one thread per segment: measured on the default script at 1080p60
# (all seven scenes in one process, under the cpu lock), the render's CPU went from 92 s
# (veryfast) to 79 s (superfast) to 63 s (ultrafast), the drawing alone being ~38 s. The
# pictures keep an SSIM of 0.995-0.999 per chapter against the veryfast clips of before
# (ffmpeg's ssim filter, with segment_encoder's conversion), at about four times the bytes
# (2-6 MB per 1080p chapter). One thread: scene workers already fill the cores, and x264's
# frame threads cost a fifth more CPU.
ENCODER_OPTIONS = {"crf": "23", "preset": "ultrafast", "threads": "1"}
# encode an animation while the next one renders (uses a spare core when one is idle)
INFLIGHT_ENCODERS = 2


@dataclass(frozen=True)
class SceneJob:
    """What a worker needs to render one scene (plain data: it is pickled or sent).

    ``typeset_dir`` is a folder of typeset texts the worker may reuse and add to, and
    ``scratch_dir`` where it renders (both in the client's cache, for local workers, so a
    killed worker leaves nothing the client does not remove); None means the worker's own.
    """

    plan: dict[str, object]
    quality: str
    key: str
    typeset_dir: str | None = None
    scratch_dir: str | None = None
    from_beat: int = 0  # render the frames of beats from_beat.. only (the client joins them)

    @property
    def scene_id(self) -> str:
        """The scene this job renders."""
        return str(self.plan["scene_id"])


@dataclass(frozen=True)
class RenderedScene:
    """A rendered scene: the silent clip's bytes, its frame count, ledger and layout."""

    scene_id: str
    key: str
    video: bytes
    frames: int
    entries: tuple[LedgerEntry, ...]
    layout: tuple[str, ...]
    seconds: float
    peak_rss_mb: float  # of the worker process, over its lifetime


def render_scene(
    plan: ScenePlan,
    quality: Quality,
    work_dir: Path,
    typeset_dir: Path | None = None,
    from_beat: int = 0,
) -> tuple[Path, list[LedgerEntry], list[str]]:
    """Render one scene to a silent mp4 under ``work_dir``; return it, its ledger entries
    and the layout problems it found. With ``from_beat`` k, the mp4 holds only the frames
    of beats k.. (:func:`explainer.render.from_beat.from_beat_class`); the ledger and the
    layout are the whole scene's either way.

    Runs Manim in this process inside ``tempconfig``, so the global config is untouched.
    Texts typeset by earlier renders are taken from ``typeset_dir`` (default: none kept).

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> plan = load_script().scene("equation")                    # doctest: +SKIP
    >>> render_scene(plan, Quality.low, Path("/tmp/x"))[0].suffix  # doctest: +SKIP
    '.mp4'
    """
    # Manim (1 s to import) loads where a scene is built: here, in the workers, and in a
    # check's dry run; loading a script or `explainer numbers` never pays for it
    from manim import tempconfig

    from explainer.render.from_beat import from_beat_class
    from explainer.render.segment_encoder import yuv_renderer
    from scenes.kit.typeset import use_typeset_cache

    scene_class = from_beat_class(load_scene_class(plan.class_name), from_beat)
    use_typeset_cache(typeset_dir or work_dir / "typeset")
    settings = {
        "quality": quality.manim_name,
        "media_dir": str(work_dir),
        "disable_caching": True,
        "output_file": plan.scene_id,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "write_to_movie": True,
        "format": "mp4",
        "save_last_frame": False,
        "preview": False,
        "log_to_file": False,
        "video_encoder_options": ENCODER_OPTIONS,
        "max_inflight_encoders": INFLIGHT_ENCODERS,
    }
    with tempconfig(settings):
        scene = scene_class(plan=plan, renderer=yuv_renderer())
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    if not movie.is_file():
        raise RenderError(f"scene {plan.scene_id!r} ({plan.class_name}) produced no video")
    return movie, list(scene.ledger.entries), list(scene.layout_problems)


def scene_failure(plan: ScenePlan, error: Exception) -> Exception:
    """What to raise when building a scene failed: the user's own error as it is, a scene
    bug as one RenderError line naming the scene, with the traceback kept for ``--debug``.
    """
    if isinstance(error, ExplainerError):
        return error
    wrapped = RenderError(f"scene {plan.scene_id!r} ({plan.class_name}) failed: {one_line(error)}")
    wrapped.add_note(traceback.format_exc())
    return wrapped


def run_job(job: SceneJob) -> RenderedScene:
    """A worker's whole job: render the scene, check the sync contract, return the clip.

    The clip must have exactly the frames its beats last; a scene that plays outside its
    beats fails here, naming itself.
    """
    started = time.perf_counter()
    plan = ScenePlan.from_dict(job.plan)
    quality = Quality(job.quality)
    try:
        with tempfile.TemporaryDirectory(prefix="scene-", dir=job.scratch_dir) as tmp:
            typeset = Path(job.typeset_dir) if job.typeset_dir else None
            movie, entries, layout = render_scene(plan, quality, Path(tmp), typeset, job.from_beat)
            frames = probe_video_frames(movie)
            want = sum(beat.frames(quality.fps) for beat in plan.beats[job.from_beat :])
            if frames != want:
                raise RenderError(
                    f"scene {plan.scene_id!r} ({plan.class_name}) rendered {frames} frames but "
                    f"its beats last {want}: every play and wait must stay inside "
                    "`with self.beat(...)` and be sized with beat.share()"
                )
            video = movie.read_bytes()
    except Exception as error:
        raise scene_failure(plan, error) from None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    seconds = time.perf_counter() - started
    return RenderedScene(
        plan.scene_id, job.key, video, frames, tuple(entries), tuple(layout), seconds, peak
    )


def prepare_worker() -> None:
    """Import Manim and the scenes and open the lexicon before the first job arrives (the
    workers start while the voices are made).
    """
    # a broken import is reported by the job itself, naming the scene; raising here
    # would only make the worker fail before it can say which scene broke
    try:
        import manim  # noqa: F401

        import scenes.narration  # noqa: F401
        from attention import worked_example

        worked_example()  # reads WordNet's files once: the job's example is then quick
    except Exception:  # noqa: BLE001 - see above
        return
