"""Every cache key: what each cached thing is a pure function of, in one place.

A clip depends on its chapter's code, its plan (beat lengths, the example spec, the
parameters), the model's identity, Manim's version and the quality; a scene's ledger on
the same minus beat lengths and quality; a beat's voice on its text, the rules that make it
speakable, and the engine with its settings (a Piper model's own bytes); a scene's
normalised audio on its samples; the outputs on everything assembly reads plus the code of
every output stage. The code digests follow imports (:func:`module_closure`), so editing a
module re-renders exactly what imports it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention.models.registry import load_model
from attention.spec import ExampleSpec
from explainer.core.python_source import imported_names
from scenes.catalogue import chapter_entry
from scenes.plan import Beat, ScenePlan
from scenes.scripts import PROJECT_ROOT

if TYPE_CHECKING:
    from attention.numbers.ledger import NumbersLedger
    from explainer.core.quality import Quality
    from explainer.voice.engines import Voice

__all__ = [
    "RENDER_VERSION",
    "VOICE_FORMAT",
    "clip_key",
    "code_digest",
    "digest",
    "ledger_key",
    "manim_version",
    "model_identity",
    "module_closure",
    "narration_key",
    "outputs_key",
    "prefix_keys",
    "project_digest",
    "video_inputs",
    "voice_name",
]

RENDER_VERSION = "4"  # bump when the way clips are rendered changes, to invalidate the cache
VOICE_FORMAT = "v2-mono16-native-trimmed"  # bump when voice_cache's normalisation changes
_PACKAGES = ("attention", "scenes", "explainer")


def digest(payload: Any, length: int = 32) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``payload`` as sorted JSON.

    Examples
    --------
    >>> digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1}), len(digest([], 16))
    (True, 16)
    """
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _module_path(module: str) -> Path | None:
    base = PROJECT_ROOT / Path(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@functools.cache
def _imported(path: Path, module: str) -> frozenset[str]:
    """The project modules ``path`` imports anywhere in it (functions included).

    Parsed once per process: a module's imports change only when its code does, and code
    edited during a long-lived process (a test session) keeps the imports it had.
    """
    return frozenset(
        m
        for m in imported_names(path, module)
        if m.split(".")[0] in _PACKAGES and _module_path(m) is not None
    )


@functools.cache
def module_closure(modules: tuple[str, ...]) -> tuple[Path, ...]:
    """The files of ``modules`` and of every project module they import, transitively.

    Examples
    --------
    >>> [str(p.relative_to(PROJECT_ROOT)) for p in module_closure(("explainer.core.names",))]
    ['explainer/__init__.py', 'explainer/core/__init__.py', 'explainer/core/names.py']
    """
    seen: dict[str, Path] = {}
    todo = list(modules)
    while todo:
        module = todo.pop()
        path = _module_path(module)
        if module in seen or path is None:
            continue
        seen[module] = path
        todo.extend(_imported(path, module))
        parent = module.rpartition(".")[0]  # importing a.b runs a/__init__.py first
        todo.extend([parent] if parent else [])
    return tuple(dict.fromkeys(seen[m] for m in sorted(seen)))


def code_digest(modules: Iterable[str], extra: Sequence[Path] = ()) -> str:
    """One hash of the code of ``modules`` (with what they import) and of ``extra`` files."""
    return _files_digest([*module_closure(tuple(sorted(modules))), *extra])


def _files_digest(files: Iterable[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted({p for p in files if p.is_file()}):
        sha.update(str(path.relative_to(PROJECT_ROOT)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def project_digest() -> str:
    """One hash of the whole project's code: every file of its packages (modules and the
    pages' static files) and ``manim.cfg``.

    Coarser than a clip's :func:`chapter_digest`: for a decision about a whole video (a
    batch re-run skips a finished one only while this is unchanged). An edit that changes
    nothing a video shows costs a pass through the caches, never a stale video. About
    120 files, 0.9 MB: milliseconds.
    """
    files = [
        path
        for package in _PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*")
        if "__pycache__" not in path.parts and not path.name.startswith(".")
    ]
    return _files_digest([*files, PROJECT_ROOT / "manim.cfg"])


def chapter_digest(class_name: str) -> str:
    """The code a chapter's pixels and numbers can depend on, and ``manim.cfg``.

    No chapter imports another, so editing one chapter re-renders that chapter only; the
    kit, the narration base and ``attention`` count for every chapter.
    """
    module = chapter_entry(class_name).module
    return code_digest((module, "scenes.narration"), (PROJECT_ROOT / "manim.cfg",))


def manim_version() -> str:
    """The installed Manim's version (clips and ledgers are keyed on it)."""
    return version("manim")


def model_identity(plan: ScenePlan) -> str:
    """The identity of the model the plan's example is read by (its files, its lexicon)."""
    return _model_identity(plan.spec.model)


def _model_identity(name: str) -> str:
    return load_model(name).identity


def video_inputs(
    models: Iterable[str], voice: Voice, beats: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """What a whole video is made from besides its script's text and the render's options:
    the render version and the project's code, Manim, the files of every model it reads and
    the voice of every beat (the engine, its version and settings, a recording's bytes).

    A batch's fingerprint of a finished video: change any of them (an upgrade, a retrained
    model, another engine version) and a re-run renders that video again.

    Examples
    --------
    >>> from explainer.voice.engines import EspeakVoice
    >>> inputs = video_inputs(["hand"], EspeakVoice(), [("tokens", "split")])
    >>> sorted(inputs), inputs["render"] == RENDER_VERSION
    (['code', 'manim', 'models', 'render', 'voice'], True)
    """
    voices = [voice.cache_key(scene, beat) | {"format": VOICE_FORMAT} for scene, beat in beats]
    return {
        "render": RENDER_VERSION,
        "code": project_digest(),
        "manim": manim_version(),
        "models": {name: _model_identity(name) for name in sorted(set(models))},
        "voice": digest(voices),
    }


def clip_key(plan: ScenePlan, quality: Quality) -> str:
    """The clip cache key: chapter code, model, Manim, quality, the plan minus spoken words.

    A clip depends on its beats' ids and durations, the example spec and parameters, never
    on the words the narrator says or where their audio is, so editing a beat's wording
    without changing its length reuses the clip.
    """
    plan_data = plan.to_dict()
    plan_data["beats"] = [
        {k: v for k, v in b.items() if k not in ("text", "audio")} for b in plan_data["beats"]
    ]
    return digest(
        {
            "render": RENDER_VERSION,
            "sources": chapter_digest(plan.class_name),
            "model": model_identity(plan),
            "manim": manim_version(),
            "quality": quality.value,
            "plan": plan_data,
        }
    )


def prefix_keys(plan: ScenePlan, quality: Quality) -> list[str]:
    """The clip key of each of the plan's beat prefixes: ``[0]`` for beat 0 alone, ``[1]``
    for beats 0-1, ... (the whole plan's last); equal keys, equal frames up to there.

    A chapter's frames before beat k depend on beats ``0..k-1`` only (``construct`` plays
    them in order), so a clip whose prefix key k-1 matches gives the frames before beat k
    (:mod:`explainer.render.from_beat`).
    """
    return [
        clip_key(replace(plan, beats=plan.beats[:k]), quality)
        for k in range(1, len(plan.beats) + 1)
    ]


def ledger_key(plan: ScenePlan) -> str:
    """What a scene's ledger and layout depend on: its code and its example's input.

    Beat lengths and wording are left out: they move frames, not the numbers shown.
    """
    plan_data = plan.to_dict()
    plan_data["beats"] = [beat["id"] for beat in plan_data["beats"]]
    return digest(
        {
            "render": RENDER_VERSION,
            "sources": chapter_digest(plan.class_name),
            "model": model_identity(plan),
            "manim": manim_version(),
            "plan": plan_data,
        }
    )


@functools.cache
def _speech_rules_digest() -> str:
    # the words an engine is given come from these rules: a changed rule re-voices
    return code_digest(("explainer.voice.speech_text",))[:16]


def voice_name(scene_id: str, beat: Beat, voice: Voice) -> str:
    """``<scene>-<beat>-<16 hex>.wav``: the hash covers the text, the rules that make it
    speakable, the engine, its settings and the WAV format.

    Examples
    --------
    >>> from explainer.voice.engines import EspeakVoice
    >>> voice_name("tokens", Beat("split", "Hi.", 1.0, 0.35), EspeakVoice())[:13]
    'tokens-split-'
    """
    key = {
        "text": beat.text,
        "speech": _speech_rules_digest(),
        "voice": voice.cache_key(scene_id, beat.id),
        "format": VOICE_FORMAT,
    }
    return f"{scene_id}-{beat.id}-{digest(key, 16)}.wav"


def narration_key(samples: bytes, recipe: str) -> str:
    """A scene's normalised audio: its mixed samples and how they are normalised, encoded."""
    return hashlib.sha256(samples + recipe.encode()).hexdigest()[:16]


def outputs_key(
    *,
    stages: Sequence[str],
    assets: Sequence[Path] = (),
    timeline: dict[str, Any],
    clips: Sequence[str],
    audio: Sequence[tuple[str, int]],
    numbers: NumbersLedger,
    spec: dict[str, Any],
    name: str,
    quality: Quality,
    scene_ids: Sequence[str],
) -> str:
    """Everything the outputs are made from, and the code of the output stages that make
    them (``stages``: their modules; ``assets``: their other files, such as the explorer's
    script): a render whose key is unchanged writes nothing.
    """
    payload = {
        "render": RENDER_VERSION,
        "assembly": code_digest(stages, assets),
        "clips": list(clips),
        "timeline": timeline,
        "audio": [list(a) for a in audio],
        "numbers": numbers.to_dict(ExampleSpec.from_dict(spec)),
        "name": name,
        "quality": quality.value,
        "scenes": sorted(set(scene_ids)),
    }
    return digest(payload, 64)
