"""Load and validate a narration script (``scripts/*.toml``) into scene plans.

This is the only place a narration line's placeholders are filled: each line becomes a
:class:`scenes.plan.Beat` (text as spoken, speech estimated from its words) inside the
:class:`scenes.plan.ScenePlan` of its chapter, and every later stage passes those on.

The loading is in parts, one module each: :mod:`~explainer.plan.script_source` reads the
file and finds lines for the errors, :mod:`~explainer.plan.script_video` checks the
``[video]`` table, :mod:`~explainer.plan.script_scenes` the ``[[scene]]`` tables and
:mod:`~explainer.plan.script_beats` their ``[[scene.beat]]`` tables, with the checks they
share in :mod:`~explainer.plan.script_checks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from attention.spec import ExampleSpec
from explainer.core.errors import ScriptError
from explainer.plan.script_scenes import SceneChecks
from explainer.plan.script_source import ScriptLines, read_script
from explainer.plan.script_video import VideoChecks, VideoSettings
from scenes.plan import ScenePlan
from scenes.scripts import DEFAULT_SCRIPT, PROJECT_ROOT

__all__ = [
    "DEFAULT_SCRIPT",
    "PROJECT_ROOT",
    "VideoSettings",
    "Script",
    "load_script",
    "load_video",
]


@dataclass(frozen=True)
class Script:
    """A validated narration script: its settings, its example spec and one plan per
    chapter, in order.

    ``spec`` is checked (the focus resolved) and every plan refers to it. Every beat's text
    is filled and its speech estimated; the voice stage replaces the estimates with
    measured speech.

    Examples
    --------
    >>> script = load_script(PROJECT_ROOT / DEFAULT_SCRIPT)
    >>> script.name, script.scenes[0].chapter, script.scenes[0].beats[0].text
    ('attention', 1, 'Take the sentence: The cat sat on the mat, split into tokens.')
    """

    path: Path
    name: str
    settings: VideoSettings
    spec: ExampleSpec
    scenes: tuple[ScenePlan, ...]

    def scene(self, scene_id: str) -> ScenePlan:
        """The scene called ``scene_id``; ScriptError listing the known ids otherwise."""
        for scene in self.scenes:
            if scene.scene_id == scene_id:
                return scene
        known = ", ".join(s.scene_id for s in self.scenes)
        raise ScriptError(f"{self.path}: no scene with id {scene_id!r}; choose one of: {known}")

    def select(self, scene_ids: Iterable[str]) -> Script:
        """The same script with only ``scene_ids`` (file order kept, chapters unchanged).

        An empty selection means all scenes. Unknown ids raise ScriptError.
        """
        wanted = list(scene_ids)
        if not wanted:
            return self
        for scene_id in wanted:
            self.scene(scene_id)
        chosen = set(wanted)
        return replace(self, scenes=tuple(s for s in self.scenes if s.scene_id in chosen))

    def with_scenes(self, scenes: Iterable[ScenePlan]) -> Script:
        """The same script with ``scenes`` (e.g. voiced ones) in place of its plans."""
        return replace(self, scenes=tuple(scenes))

    def spoken_lines(self) -> list[tuple[str, str, str]]:
        """Every beat's narration as ``(scene id, beat id, text)``, in video order."""
        return [(plan.scene_id, beat.id, beat.text) for plan in self.scenes for beat in plan.beats]


def load_script(
    path: str | Path = DEFAULT_SCRIPT,
    *,
    sentence: str | None = None,
    focus: str | None = None,
    voice: str | None = None,
    model: str | None = None,
    rate: float | None = None,
) -> Script:
    """Read, validate and return the narration script at ``path``.

    Parameters
    ----------
    path
        A TOML file with a ``[video]`` table and ``[[scene]]`` / ``[[scene.beat]]`` arrays.
    sentence, focus, voice, model
        Overrides from the command line; they replace the file's settings before
        validation. Overriding the sentence drops the file's focus if it is not a token of
        the new sentence. A relative ``piper:``/``recorded:`` path written in the file is
        relative to the file's folder; one given as ``voice`` is relative to the working
        directory.
    rate
        The voice's speaking rate from the command line, in place of the file's ``rate``.

    Returns
    -------
    Script
        Every id slug-safe and unique, every scene class known with the beat ids it expects,
        every placeholder known, the voice spec valid.

    Raises
    ------
    ScriptError
        ``path:line: what is wrong; how to fix it`` for any problem in the file.

    Examples
    --------
    >>> load_script(PROJECT_ROOT / DEFAULT_SCRIPT, voice="espeak").settings.voice
    'espeak'
    """
    path, text, data = read_script(Path(path))
    where = ScriptLines(text)
    overrides = {"sentence": sentence, "focus": focus, "voice": voice, "model": model}
    header = VideoChecks(path, where).header(data, overrides, rate)
    scenes = SceneChecks(path, where, header).scenes(data)
    return Script(path, path.stem, header.settings, header.spec, scenes)


def load_video(
    path: str | Path = DEFAULT_SCRIPT,
    *,
    sentence: str | None = None,
    focus: str | None = None,
    model: str | None = None,
) -> tuple[VideoSettings, ExampleSpec]:
    """The script's ``[video]`` settings and example spec, checked, with the command line's
    overrides; its chapters are not read (``explainer explore`` needs no narration, and a
    trained ``--model`` need not suit the script's designed-model chapters).

    Examples
    --------
    >>> settings, spec = load_video(PROJECT_ROOT / DEFAULT_SCRIPT, focus="cat")
    >>> settings.title, spec.focus
    ('Attention, step by step', 'cat')
    """
    path, text, data = read_script(Path(path))
    overrides = {"sentence": sentence, "focus": focus, "voice": None, "model": model}
    header = VideoChecks(path, ScriptLines(text)).header(data, overrides)
    return header.settings, header.spec
