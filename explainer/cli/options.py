"""The options several commands share, each defined once as an ``Annotated`` alias.

A command lists them as parameters with its own default, e.g.
``quality: QualityOpt = Quality.high``; an option only one command has stays in that
command's module. Help texts are rich markup (the app's ``rich_markup_mode``), so a
bracket that is text is escaped: ``"\\\\[default: all cores]"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attention.worked.example import FOCUS_RULES, TOKEN_RULES
from explainer.core.quality import Quality
from explainer.voice.engines import voice_forms

__all__ = [
    "DEFAULT_CACHE",
    "AllowLayoutOpt",
    "CacheOpt",
    "ClusterOpt",
    "FocusOpt",
    "ForceOpt",
    "JobsOpt",
    "ModelOpt",
    "OutOpt",
    "QualityOpt",
    "QuietOpt",
    "RateOpt",
    "SceneOpt",
    "ScriptArg",
    "SentenceOpt",
    "VoiceOpt",
]

DEFAULT_CACHE = Path("media/cache")

ScriptArg = Annotated[
    Path,
    typer.Argument(help="The narration script (TOML).", show_default=True),
]
SentenceOpt = Annotated[
    str | None,
    typer.Option("--sentence", help=f"Use this sentence for the worked example. {TOKEN_RULES}"),
]
FocusOpt = Annotated[
    str | None,
    typer.Option("--focus", help=f"The token whose attention the video follows. {FOCUS_RULES}"),
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
        "in place of the script's \\[video] rate.",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Cores to use; scenes render in that many processes \\[default: all cores].",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output directory \\[default: media/<script name>]."),
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
