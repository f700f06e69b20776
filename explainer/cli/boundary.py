"""Where the command line meets the domain: one-line errors, the consoles, the script path.

Every command is wrapped in :func:`friendly_errors`; ``explainer --debug`` (the app's
callback) sets :data:`debug` so the wrapper lets the traceback through instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from attention.worked.example import ExampleError
from explainer.core.errors import ExplainerError, ScriptError, one_line
from explainer.plan.script import Script, load_script

__all__ = ["checked_script_path", "debug", "friendly_errors", "load", "stderr", "stdout"]

debug = {"on": False}  # set by ``explainer --debug`` before the command runs
stdout = Console()
stderr = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(command: F) -> F:
    """Turn a user-caused error into one ``error: ...`` line on stderr and exit code 1.

    Ctrl-C (and SIGTERM, turned into KeyboardInterrupt while rendering) exits with 130.
    With ``--debug`` the original exception propagates with its traceback.

    Examples
    --------
    >>> from typer.testing import CliRunner
    >>> @friendly_errors
    ... def broken() -> None:
    ...     raise ScriptError("scripts/x.toml: no such script")
    >>> demo = typer.Typer()
    >>> _ = demo.command()(broken)
    >>> result = CliRunner().invoke(demo, [])
    >>> result.exit_code, result.stderr
    (1, 'error: scripts/x.toml: no such script\\n')
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (ExplainerError, ExampleError) as error:
            if debug["on"]:
                raise
            typer.echo(f"error: {one_line(error)}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            if debug["on"]:
                raise
            typer.echo("error: interrupted; the previous outputs are unchanged", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:  # a bug, not the user's fault: still one line
            if debug["on"]:
                raise
            typer.echo(
                f"error: unexpected {type(error).__name__}: {one_line(error)} "
                "(run with --debug for the traceback)",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def checked_script_path(path: Path) -> Path:
    """``path`` if it is a file; else a ScriptError that says what to pass instead.

    Examples
    --------
    >>> checked_script_path(Path("scripts/attention.toml"))
    PosixPath('scripts/attention.toml')
    >>> try:
    ...     checked_script_path(Path("scripts"))
    ... except ScriptError as error:
    ...     print(error)
    scripts is a directory; pass a .toml script file, e.g. scripts/attention-lecture.toml
    """
    if not path.exists():
        raise ScriptError(f"{path}: no such script; pass the path of a .toml narration script")
    if path.is_dir():
        hint = next(iter(sorted(path.glob("*.toml"))), None)
        fix = f", e.g. {hint}" if hint else ""
        raise ScriptError(f"{path} is a directory; pass a .toml script file{fix}")
    return path


def load(
    path: Path,
    sentence: str | None = None,
    focus: str | None = None,
    voice: str | None = None,
    model: str | None = None,
    rate: float | None = None,
) -> Script:
    """Load the script at ``path`` (checked first) with the command line's overrides."""
    return load_script(
        checked_script_path(path),
        sentence=sentence,
        focus=focus,
        voice=voice,
        model=model,
        rate=rate,
    )
