"""The watch's render process, kept warm between saves: ``python -m explainer.live.warm``.

A render in a fresh process pays, before any work, for its interpreter and imports (about
a second) and for scene workers that import Manim (one and a half to two seconds): more
than the work of a one-beat edit. This process pays them once. It reads one line per
render on stdin and answers one JSON line on stdout; between renders it keeps this
interpreter, with the pipeline imported, the speech engine running
(:func:`explainer.voice.engines.warm_engines`) and the scene workers, Manim and the
chapters loaded, the texts they typeset in memory (a batch shares workers across videos
the same way: ``render_video(executor=...)``).

It runs the code that was on disk when it started: the watch starts a new one after a
save of Python code (:class:`explainer.live.session.WarmRender`), and keeps this one for
edits of the script. Ctrl-C (SIGINT) stops the render in flight as ``explainer render``
would, removing its files, and ends the process with its workers.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from explainer.core.errors import ExplainerError, one_line
from explainer.core.quality import Quality
from explainer.live.status import RenderOutcome

__all__ = ["RenderOptions", "outcome_from_json", "outcome_to_json", "render_once", "serve"]


@dataclass(frozen=True)
class RenderOptions:
    """What every render of a watch is asked: ``explainer render``'s options.

    Examples
    --------
    >>> options = RenderOptions(Path("s.toml"), Path("out"), scene=("scores",))
    >>> RenderOptions.from_json(options.to_json()) == options
    True
    """

    script: Path
    out: Path
    quality: Quality = Quality.low
    scene: tuple[str, ...] = ()
    sentence: str | None = None
    focus: str | None = None
    model: str | None = None
    voice: str | None = None
    rate: float | None = None
    jobs: int | None = None
    cache: Path = Path("media/cache")
    allow_layout_issues: bool = False
    cluster: str | None = None
    force: bool = False

    def to_json(self) -> str:
        """One line of JSON (paths and the quality as strings)."""
        data = asdict(self)
        data.update(script=str(self.script), out=str(self.out), cache=str(self.cache),
                    quality=self.quality.value, scene=list(self.scene))  # fmt: skip
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> RenderOptions:
        """The options :meth:`to_json` wrote."""
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        data = {key: value for key, value in data.items() if key in known}
        data.update(script=Path(data["script"]), out=Path(data["out"]),
                    cache=Path(data["cache"]), quality=Quality(data["quality"]),
                    scene=tuple(data["scene"]))  # fmt: skip
        return cls(**data)


def outcome_to_json(outcome: RenderOutcome) -> str:
    """One render's outcome as one line of JSON.

    Examples
    --------
    >>> outcome_from_json(outcome_to_json(RenderOutcome(False, "x", ("warning: y",), 1.5)))
    RenderOutcome(ok=False, error='x', messages=('warning: y',), seconds=1.5)
    """
    return json.dumps(asdict(outcome))


def outcome_from_json(text: str) -> RenderOutcome:
    """The outcome :func:`outcome_to_json` wrote."""
    data = json.loads(text)
    return RenderOutcome(data["ok"], data["error"], tuple(data["messages"]), data["seconds"])


@dataclass
class _Warnings:
    """The render's warnings, as ``explainer render --quiet`` prints them."""

    lines: list[str] = field(default_factory=list)

    def __call__(self, event: Any) -> None:
        if event.status == "warning":
            self.lines.append(f"warning: {event.item}")


def render_once(options: RenderOptions, executor: Any = None) -> RenderOutcome:
    """Load the script and render it with ``options``, on ``executor`` if one is given.

    A user's error is its one line, as ``explainer render`` prints it; a bug is one line
    too (``unexpected ...``): the process must stay up for the next save. Ctrl-C passes.
    """
    from attention.worked.example import ExampleError
    from explainer.pipeline.conductor import render_video
    from explainer.plan.script import load_script

    started, warnings = time.perf_counter(), _Warnings()
    problem: str | None = None
    try:
        script = load_script(
            options.script, sentence=options.sentence, focus=options.focus,
            voice=options.voice, model=options.model, rate=options.rate,
        )  # fmt: skip
        render_video(
            script, quality=options.quality, out_dir=options.out, scene_ids=options.scene,
            jobs=options.jobs, cache_dir=options.cache, on_progress=warnings,
            allow_layout_issues=options.allow_layout_issues, force=options.force,
            cluster=options.cluster if executor is None else None, executor=executor,
        )  # fmt: skip
    except (ExplainerError, ExampleError) as error:
        problem = one_line(error)
    except Exception as error:  # noqa: BLE001 - reported on the page; the watch goes on
        problem = f"unexpected {type(error).__name__}: {one_line(error)}"
    seconds = time.perf_counter() - started
    return RenderOutcome(problem is None, problem, tuple(warnings.lines), seconds)


def serve(
    options: RenderOptions, requests: Iterable[str], reply: Callable[[RenderOutcome], None]
) -> int:
    """Render once per line of ``requests`` with workers kept from one render to the
    next; ``reply`` gets each outcome. Returns how many renders were asked.

    A render that fails with scenes still running (another scene's bug, a layout error)
    has its workers replaced, so the next one does not wait behind them.
    """
    from explainer.distribute.executors import BorrowedExecutor, cpu_budget, open_executor
    from explainer.voice.engines import warm_engines

    asked = 0
    with cpu_budget(options.jobs) as cores, warm_engines():
        executor = open_executor(cores, options.cluster, start=True)  # warm while we wait
        try:
            for _ in requests:
                asked += 1
                lent = BorrowedExecutor(executor)
                reply(render_once(options, lent))
                if lent.left_running:
                    executor.shutdown(cancel=True)
                    executor = open_executor(cores, options.cluster, start=True)
        except BaseException:
            executor.shutdown(cancel=True)  # Ctrl-C: stop the scenes in flight now
            raise
        executor.shutdown(cancel=False)
    return asked


def main(argv: list[str]) -> int:
    """``python -m explainer.live.warm OPTIONS_JSON``: serve renders on stdin/stdout.

    The answers go to the stdout this process was given; anything else that prints
    (a library's stray output) goes to stderr, so it can never break an answer.
    """
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def reply(outcome: RenderOutcome) -> None:
        answers.write(outcome_to_json(outcome) + "\n")
        answers.flush()

    try:
        serve(RenderOptions.from_json(argv[0]), sys.stdin, reply)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
