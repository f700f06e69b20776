"""The ``explainer`` command line: render, scenes, check, voices, numbers, explore."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from attention.spec import DEFAULT_MODEL
from attention.worked.example import (
    DEFAULT_SENTENCE,
    FOCUS_RULES,
    TOKEN_RULES,
    ExampleError,
    worked_example,
)
from explainer import __version__
from explainer.core.errors import ExplainerError, ScriptError, one_line
from explainer.core.quality import Quality
from explainer.outputs.explore import make_explorer
from explainer.outputs.numbers_table import example_json, print_numbers
from explainer.pipeline.checks import check_numbers, scene_checks
from explainer.plan.script import DEFAULT_SCRIPT, Script, load_script, load_video
from explainer.plan.timeline import build_timeline
from explainer.voice.engines import parse_voice, voice_forms, voice_status

if TYPE_CHECKING:
    from explainer.pipeline.conductor import ProgressEvent

__all__ = ["app", "main", "run", "friendly_errors"]

DEFAULT_CACHE = Path("media/cache")

app = typer.Typer(
    name="explainer",
    help="Render a narrated, animated explainer of the attention mechanism, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)

_state = {"debug": False}
_out = Console()
_err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(command: F) -> F:
    """Turn a user-caused error into one ``error: ...`` line on stderr and exit code 1.

    Ctrl-C (and SIGTERM, turned into KeyboardInterrupt while rendering) exits with 130.
    With ``--debug`` the original exception propagates with its traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (ExplainerError, ExampleError) as error:
            if _state["debug"]:
                raise
            typer.echo(f"error: {one_line(error)}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            if _state["debug"]:
                raise
            typer.echo("error: interrupted; the previous outputs are unchanged", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:  # a bug, not the user's fault: still one line
            if _state["debug"]:
                raise
            typer.echo(
                f"error: unexpected {type(error).__name__}: {one_line(error)} "
                "(run with --debug for the traceback)",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"explainer {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    """Narrated, animated explainer videos of attention; every number verified.

    Example: explainer render --quality low
    """
    _state["debug"] = debug


ScriptArg = Annotated[
    Path,
    typer.Argument(help="The narration script (TOML).", show_default=True),
]
SentenceOpt = Annotated[
    str | None,
    typer.Option("--sentence", help=f"Use this sentence for the worked example. {TOKEN_RULES}"),
]
QualityOpt = Annotated[
    Quality, typer.Option("--quality", "-q", help="low 480p15, medium 720p30, high 1080p60, 4k.")
]
SceneOpt = Annotated[
    list[str] | None,
    typer.Option("--scene", "-s", help="Only this scene id (repeatable): its clip, its slides."),
]
VoiceOpt = Annotated[
    str | None,
    typer.Option("--voice", help=f"The voice engine: {voice_forms()}."),
]
RateOpt = Annotated[
    float | None,
    typer.Option(
        "--rate",
        help="The voice's speaking speed relative to its natural one (0.9: a tenth slower), "
        "in place of the script's [video] rate.",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Cores to use; scenes render in that many processes [default: all cores].",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output directory [default: media/<script name>]."),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write outputs even over a file explainer did not write (or one edited since); "
        "by default such a file stops the command before it does anything. Files elsewhere "
        "in the folder are never touched.",
    ),
]
CacheOpt = Annotated[
    Path, typer.Option("--cache", help="Voice, clip, ledger and text cache directory.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress, only warnings and errors.")]
AllowLayoutOpt = Annotated[
    bool,
    typer.Option(
        "--allow-layout-issues",
        help="Render even if texts crowd each other or leave the frame at the end of a beat "
        "(each is printed as a warning); by default such a layout fails the render.",
    ),
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="The model whose attention the video shows: hand (the designed model, the "
        "default), minilm (all-MiniLM-L6-v2, trained) or a model folder (config.json, "
        "model.safetensors, tokenizer.json).",
    ),
]
FocusOpt = Annotated[
    str | None,
    typer.Option("--focus", help=f"The token whose attention the video follows. {FOCUS_RULES}"),
]


def _warn_if_exposed(address: str | None) -> str | None:
    """``--cluster``'s check: a plain tcp:// scheduler on another machine gets one warning."""
    from explainer.distribute.address import exposure_warning

    warning = exposure_warning(address) if address else None
    if warning:
        typer.echo(f"warning: {warning}", err=True)
    return address


ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Render the scenes on the Dask scheduler at tcp://127.0.0.1:PORT, or on another "
        "machine at tls://HOST:PORT with the certificates of Dask's DASK_DISTRIBUTED__COMM__TLS__* "
        "settings (its workers need the project installed; clips come back to this cache); "
        "default: local processes.",
        callback=_warn_if_exposed,
    ),
]


def _checked_script_path(path: Path) -> Path:
    if not path.exists():
        raise ScriptError(f"{path}: no such script; pass the path of a .toml narration script")
    if path.is_dir():
        hint = next(iter(sorted(path.glob("*.toml"))), None)
        fix = f", e.g. {hint}" if hint else ""
        raise ScriptError(f"{path} is a directory; pass a .toml script file{fix}")
    return path


def _load(
    path: Path,
    sentence: str | None = None,
    focus: str | None = None,
    voice: str | None = None,
    model: str | None = None,
    rate: float | None = None,
) -> Script:
    return load_script(
        _checked_script_path(path),
        sentence=sentence,
        focus=focus,
        voice=voice,
        model=model,
        rate=rate,
    )


class _RenderProgress:
    """Rich progress bars for synthesis, each scene's render, and assembly."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if event.status == "warning":
            _warn(event)
            return
        labels = {
            "voices": "voices",
            "scenes": "scenes",
            "assemble": "assembly",
            "lecture": "lecture",
        }
        if event.status == "start":
            self.tasks[event.stage] = self.progress.add_task(
                labels[event.stage], total=event.total or 1
            )
            return
        if event.stage == "scenes" and event.status == "started":
            self.tasks[f"scene:{event.item}"] = self.progress.add_task(
                f"  {event.item}", total=None
            )
            return
        if event.stage == "scenes":
            own = self.tasks.pop(f"scene:{event.item}", None)
            if own is not None:
                self.progress.remove_task(own)
        task = self.tasks.get(event.stage)
        if task is not None:
            self.progress.advance(task)


def _warn(event: ProgressEvent) -> None:
    if event.status == "warning":
        _err.print(f"warning: {event.item}", markup=False, highlight=False)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[ProgressEvent], None]]:
    """Progress bars on stderr; with ``quiet``, only the warnings."""
    if quiet:
        yield _warn
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_err, transient=True) as progress:
        yield _RenderProgress(progress)


@app.command()
@friendly_errors
def render(
    script: ScriptArg = DEFAULT_SCRIPT,
    quality: QualityOpt = Quality.high,
    scene: SceneOpt = None,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    voice: VoiceOpt = None,
    rate: RateOpt = None,
    jobs: JobsOpt = None,
    out: OutOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    quiet: QuietOpt = False,
    allow_layout_issues: AllowLayoutOpt = False,
    cluster: ClusterOpt = None,
    force: ForceOpt = False,
) -> None:
    """Render the narrated video, its per-scene clips, subtitles and number ledger.

    Example: explainer render scripts/attention.toml --quality low --scene scores
    """
    # the render pipeline (with scipy, 0.5 s) loads only for the commands that render
    from explainer.pipeline.conductor import render_video

    loaded = _load(script, sentence, focus, voice, model, rate)
    with _progress(quiet) as on_progress:
        report = render_video(
            loaded,
            quality=quality,
            out_dir=out,
            scene_ids=scene or (),
            jobs=jobs,
            cache_dir=cache,
            on_progress=on_progress,
            allow_layout_issues=allow_layout_issues,
            cluster=cluster,
            force=force,
        )
    if not quiet:
        rendered = ", ".join(report.rendered) or "none"
        _out.print(
            f"wrote {report.video} ({report.duration:.1f} s, {len(report.clips)} clips; "
            f"rendered: {rendered}; from cache: {len(report.cached)}) "
            f"in {report.stages['total']:.1f} s"
        )


@app.command()
@friendly_errors
def slides(
    script: ScriptArg = DEFAULT_SCRIPT,
    quality: QualityOpt = Quality.high,
    scene: SceneOpt = None,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    voice: VoiceOpt = None,
    rate: RateOpt = None,
    silent: Annotated[
        bool, typer.Option("--silent", help="Segments, presenter and deck without narration.")
    ] = False,
    jobs: JobsOpt = None,
    out: OutOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    quiet: QuietOpt = False,
    allow_layout_issues: AllowLayoutOpt = False,
    cluster: ClusterOpt = None,
    force: ForceOpt = False,
) -> None:
    """Lecture mode: render (cached), then an offline presenter, PDF handout, deck, thumbnail.

    Writes beside the video: slides/index.html (one step per beat; open it in a browser,
    no network needed), <name>-handout.pdf, <name>.pptx and thumbnail.png.

    Example: explainer slides scripts/attention.toml --quality low
    """
    from explainer.pipeline.conductor import LectureOptions, render_video  # see render

    loaded = _load(script, sentence, focus, voice, model, rate)
    with _progress(quiet) as on_progress:
        video = render_video(
            loaded, quality=quality, out_dir=out, scene_ids=scene or (), jobs=jobs,
            cache_dir=cache, on_progress=on_progress, lecture=LectureOptions(silent=silent),
            allow_layout_issues=allow_layout_issues, cluster=cluster, force=force,
        )  # fmt: skip
    report = video.lecture
    if report is not None and not quiet:
        _out.print(
            f"wrote {report.presenter} ({len(report.segments)} steps), {report.handout.name}, "
            f"{report.deck.name}, {report.thumbnail.name} in {report.seconds:.1f} s "
            f"(render {video.stages['total'] - video.stages['lecture']:.1f} s)"
        )


@app.command()
@friendly_errors
def scenes(script: ScriptArg = DEFAULT_SCRIPT) -> None:
    """List the scenes: id, chapter title, parameters, beats and estimated seconds.

    Parameters are the ones each scene class declares, with the script's values (set in
    the scene's ``[scene.params]`` table) or their defaults.

    Example: explainer scenes scripts/attention.toml
    """
    loaded = _load(script)
    timeline = build_timeline(loaded, Quality.low.fps)
    table = Table(title=f"{loaded.settings.title} ({script})")
    for column, justify in (
        ("#", "right"),
        ("id", "left"),
        ("chapter", "left"),
        ("class", "left"),
        ("params", "left"),
        ("beats", "right"),
        ("seconds (est.)", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for timing in timeline.scenes:
        params = ", ".join(f"{k}={_param_text(v)}" for k, v in timing.plan.params.items())
        table.add_row(
            str(timing.chapter), timing.id, timing.title, timing.class_name, params or "-",
            str(len(timing.beats)), f"{timing.duration:.1f}",
        )  # fmt: skip
    table.add_section()
    table.add_row("", "", "total", "", "", str(len(timeline.beats())), f"{timeline.duration:.1f}")
    _out.print(table)


def _param_text(value: object) -> str:
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_param_text(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else repr(value)


@app.command()
@friendly_errors
def check(
    script: ScriptArg = DEFAULT_SCRIPT,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    cache: Annotated[
        Path, typer.Option("--cache", help="Where scenes' ledgers are kept between checks.")
    ] = DEFAULT_CACHE,
) -> None:
    """Validate the script, verify every number and check every layout; render nothing.

    Loads and validates the script, fills the narration's placeholders, collects the
    numbers each scene displays and its layout at the end of each beat (kept from the last
    check or render when the scene and the example are unchanged, else by building the
    scene in Manim's dry-run mode), and recomputes the numbers with the independent
    reference implementation. Exits non-zero on any problem.

    Example: explainer check scripts/attention.toml --sentence "A dog chased the ball"
    """
    loaded = _load(script, sentence, focus, model=model)
    scenes = scene_checks(loaded.scenes, cache / "ledgers")
    checked = check_numbers(loaded, {scene_id: found.entries for scene_id, found in scenes.items()})
    problems = [*checked.problems, *(p for found in scenes.values() for p in found.layout)]
    try:
        parse_voice(loaded.settings.voice, loaded.settings.rate).check()
    except ExplainerError as error:
        problems.append(f"voice: {one_line(error)}")
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise ExplainerError(
            f"{script}: {len(problems)} problem(s) found (listed above); "
            "fix them and run check again"
        )
    beats = sum(len(p.beats) for p in loaded.scenes)
    explored = sum(e.scene == "explorer" for e in checked.ledger.entries)
    _out.print(
        f"ok: {script}: {len(loaded.scenes)} scenes, {beats} beats, "
        f"{len(checked.ledger.entries) - explored} numbers on screen and {explored} in the "
        "explorer verified against the reference, "
        f"{len(checked.ledger.spoken)} spoken numbers each shown by its scene"
    )


@app.command()
@friendly_errors
def voices() -> None:
    """Show which voice engines work here and how to install the missing ones.

    Example: explainer voices
    """
    table = Table(title="voice engines")
    table.add_column("engine")
    table.add_column("available")
    table.add_column("install / use")
    for name, available, hint in voice_status():
        table.add_row(name, "yes" if available else "[red]no[/red]", hint)
    _out.print(table)


JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the worked example as JSON, for scripts.")
]


@app.command()
@friendly_errors
def numbers(
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the worked example: for the designed model each token's embedding source, X,
    Q, K, V, scores and weights; for a trained model every head with its measured pattern.

    Example: explainer numbers --model minilm --sentence "The bank of the river flooded"
    """
    text = sentence if sentence is not None else DEFAULT_SENTENCE
    example = worked_example(text, focus, model or DEFAULT_MODEL)
    if as_json:
        typer.echo(example_json(example))
    else:
        print_numbers(example, _out)


@app.command()
@friendly_errors
def explore(
    script: ScriptArg = DEFAULT_SCRIPT,
    sentence: SentenceOpt = None,
    focus: FocusOpt = None,
    model: ModelOpt = None,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the interactive explorer of the example without rendering the video.

    One offline page, explorer.html (every view, data and code inline; open it in a
    browser), and its numbers, explorer-numbers.json, each verified. A render writes the
    same page beside its video.

    Example: explainer explore --sentence "The bank of the river flooded" --focus bank
    """
    settings, spec = load_video(_checked_script_path(script), sentence=sentence, focus=focus,
                                model=model)  # fmt: skip
    report = make_explorer(
        spec, out or Path("media") / script.stem, title=settings.title, force=force
    )
    _out.print(
        f"wrote {report.page} ({report.bytes / 1000:.0f} kB, {report.entries} numbers verified) "
        f"and {report.numbers.name}"
    )


@app.command()
@friendly_errors
def batch(
    variants: Annotated[
        Path,
        typer.Argument(
            help="One sentence per line (`sentence | focus`; blank lines and # comments "
            "skipped), or a .toml file of \\[\\[variant]] tables (sentence, focus, voice, model)."
        ),
    ],
    script: ScriptArg = DEFAULT_SCRIPT,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder of the videos, batch.json, index.html.")
    ] = Path("media/batch"),
    quality: QualityOpt = Quality.high,
    jobs: JobsOpt = None,
    cache: CacheOpt = DEFAULT_CACHE,
    cluster: ClusterOpt = None,
    quiet: QuietOpt = False,
    allow_layout_issues: AllowLayoutOpt = False,
    force: ForceOpt = False,
) -> None:
    """Render one video per sentence into OUT/<slug>/, with OUT/index.html to browse them.

    A variant that fails is recorded in OUT/batch.json with its error and the others go
    on; a re-run skips the variants that finished.

    Example: explainer batch course.txt --out media/course --quality low
    """
    from explainer.batch.runner import BatchOptions, run_batch  # the render pipeline: see render
    from explainer.batch.variants import read_variants

    options = BatchOptions(quality, cluster, jobs, cache, allow_layout_issues, force)
    with _batch_progress(quiet) as on_progress:
        report = run_batch(
            read_variants(variants), _checked_script_path(script), out, options, on_progress
        )
    if not quiet:
        _out.print(
            f"wrote {report.out_dir / 'index.html'}: {len(report.ok)} videos, "
            f"{len(report.failed)} failed, {len(report.skipped)} already done, "
            f"in {report.seconds:.1f} s"
        )
    for record in report.records:
        if record["status"] != "ok":
            _err.print(f"failed: {record['slug']}: {record['error']}", markup=False)
    if report.failed:
        raise typer.Exit(1)


@contextmanager
def _batch_progress(quiet: bool) -> Iterator[Callable[[Any], None]]:
    """One progress bar for the whole batch (scenes and commits of every variant)."""
    if quiet:
        yield lambda event: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_err, transient=True) as progress:
        task = progress.add_task("batch", total=None)
        ended = {"ok": 0, "failed": 0}

        def on_event(event: Any) -> None:
            if event.kind == "start":
                progress.update(task, total=event.total)
            elif event.kind == "advance":
                progress.advance(task, event.steps)
            else:
                ended["ok" if event.status == "ok" else "failed"] += 1
                failed = f", {ended['failed']} failed" if ended["failed"] else ""
                progress.update(task, description=f"batch: {ended['ok']} done{failed}")

        yield on_event


def run() -> None:
    """Entry point for ``python -m explainer``."""
    app(prog_name="explainer")
