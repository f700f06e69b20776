"""Every chapter the scenes can play, declared without importing Manim.

A script names a chapter by its class; this table says where the class lives, the beats it
plays (in order), the parameters a script may set and its default title. The script loader,
``explainer check`` and ``explainer scenes`` read only this table, so loading and checking
a script never imports Manim; the class itself reads its beats and parameters from here.
Adding a chapter is one module under ``scenes/`` and one row below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from attention.models.registry import load_model
from attention.spec import ExampleSpec
from scenes.plan import SceneParam

__all__ = ["CHAPTERS", "ChapterEntry", "ChapterModelError", "chapter_entry", "chapter_spec"]


class ChapterModelError(ValueError):
    """A chapter asked to show a model it cannot show (a one-line message)."""


@dataclass(frozen=True)
class ChapterEntry:
    """What a chapter class declares to a script.

    Examples
    --------
    >>> chapter_entry("Scores").beat_ids
    ('compare', 'term_by_term', 'all_scores', 'scale')
    >>> chapter_entry("MultiHead").lit_stage("patterns"), chapter_entry("RealHead").lights
    ('weights', ())
    """

    class_name: str
    module: str
    beat_ids: tuple[str, ...]
    title: str
    params: tuple[SceneParam, ...] = ()
    # what it can show: "designed", "trained", "any" (either of those two) or "decoder"
    models: str = "designed"
    # the stage of the pipeline map (scenes/kit/pipeline_map.py) the chapter lights: one for
    # every beat, or one per beat in order; none: the chapter draws no map
    lights: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.lights) not in (0, 1, len(self.beat_ids)):
            raise ValueError(
                f"chapter {self.class_name} lights {len(self.lights)} stages for "
                f"{len(self.beat_ids)} beats: give one for all, or one per beat"
            )

    def lit_stage(self, beat_id: str) -> str | None:
        """The map stage beat ``beat_id`` lights; ``None`` if the chapter draws no map."""
        if not self.lights:
            return None
        if len(self.lights) == 1:
            return self.lights[0]
        return self.lights[self.beat_ids.index(beat_id)]


_TEMPERATURES = SceneParam(
    "temperatures",
    "float list",
    (0.5, 1.0, 2.0),
    "softmax temperatures shown in turn, each above 0 (low: sharp, high: flat)",
    above=0.0,
)
_SWAP = SceneParam(
    "swap",
    "str list",
    (),
    "two words of the sentence to swap, e.g. ['cat', 'mat']; left out: the first and "
    "last content words other than the focus",
)
_SENTENCES = SceneParam(
    "sentences",
    "str list",
    ("The bank of the river flooded", "The bank approved the loan"),
    "two sentences that use the focus word in different senses",
)
_SHARED_WORD = SceneParam("focus", "str", "bank", "the word both sentences share")
_TRAINED = SceneParam(
    "model",
    "str",
    "minilm",
    "the trained model it shows when the video's own model is the designed one: minilm or a "
    "model folder",
)
_DECODER = SceneParam(
    "model",
    "str",
    "smollm2",
    "the decoder it shows when the video's own model is the designed one: smollm2 or a .gguf",
)

# class name -> chapter, in the default video's order, then the lecture's chapters
CHAPTERS: dict[str, ChapterEntry] = {
    entry.class_name: entry
    for entry in (
        ChapterEntry("Tokens", "scenes.s1_tokens", ("split", "embed", "context_free"),
                     "A sentence as tokens", lights=("x",)),
        ChapterEntry("QueryKeyValue", "scenes.s2_qkv", ("roles", "product", "all_tokens"),
                     "Query, key, value", lights=("qkv", "q", "qkv")),
        ChapterEntry("Scores", "scenes.s3_scores",
                     ("compare", "term_by_term", "all_scores", "scale"), "Scores",
                     lights=("scores",)),
        ChapterEntry("Softmax", "scenes.s4_softmax", ("normalise", "bars", "sum"), "Softmax",
                     lights=("weights",)),
        ChapterEntry("ValueBlend", "scenes.s5_blend", ("weigh", "add", "blend_bar"),
                     "The value blend", lights=("output",)),
        ChapterEntry("MultiHead", "scenes.s6_heads",
                     ("all_queries", "heads", "patterns", "concat"), "All at once, many heads",
                     lights=("all", "all", "weights", "output")),
        ChapterEntry("Equation", "scenes.s7_equation", ("assemble", "close"), "One equation",
                     lights=("all",)),
        # the lecture's chapters (scripts/attention-lecture.toml): asides from the pipeline,
        # each filling the frame to its foot, so they draw no map
        ChapterEntry("WordOrder", "scenes.s8_order",
                     ("swap", "same_numbers", "positions", "pattern"), "Word order", (_SWAP,)),
        ChapterEntry("CausalMask", "scenes.s9_causal_mask",
                     ("triangle", "zeros", "renormalise", "generation"), "Looking only back"),
        ChapterEntry("Temperature", "scenes.s10_temperature", ("knob", "sweep", "root_d"),
                     "Temperature", (_TEMPERATURES,)),
        ChapterEntry("Code", "scenes.s11_code",
                     ("source", "inputs", "scores", "weights", "result"), "The code"),
        ChapterEntry("Caveats", "scenes.s12_caveats",
                     ("quadratic", "not_explanations", "not_concepts"), "What attention is not",
                     models="any", lights=("scores", "weights", "weights")),
        ChapterEntry("WordSense", "scenes.s13_word_sense", ("same_word", "context", "moved"),
                     "Why attention", (_SENTENCES, _SHARED_WORD)),
        # a trained model's heads (scripts/trained-model.toml; in the lecture after MultiHead):
        # dense already, they keep their own design and draw no map
        ChapterEntry("RealHead", "scenes.s14_real_head",
                     ("tokens", "query_key", "scores", "softmax", "blend"),
                     "One learned head, step by step", (_TRAINED,), models="trained"),
        ChapterEntry("TrainedHeads", "scenes.s15_trained_heads",
                     ("grid", "positional", "sinks", "link"), "Every head of a trained model",
                     (_TRAINED,), models="trained"),
        # a decoder's chapters (scripts/next-word.toml; in the lecture after CausalMask):
        # next-token prediction, a real causal mask, induction; they draw no map
        ChapterEntry("NextWord", "scenes.s16_next_word", ("tokens", "row", "softmax", "generate"),
                     "The next word", (_DECODER,), models="decoder"),
        ChapterEntry("RealCausalMask", "scenes.s17_real_mask", ("grid", "zeros", "first"),
                     "The causal mask, for real", (_DECODER,), models="decoder"),
        ChapterEntry("Induction", "scenes.s18_induction",
                     ("sequence", "stripe", "previous", "shared"), "Induction: copying the pattern",
                     (_DECODER,), models="decoder"),
    )
}  # fmt: skip


def chapter_entry(class_name: str) -> ChapterEntry:
    """The chapter called ``class_name``.

    Raises
    ------
    LookupError
        If no chapter has that class name (the message lists them).
    """
    try:
        return CHAPTERS[class_name]
    except KeyError:
        known = ", ".join(CHAPTERS)
        raise LookupError(f"unknown scene class {class_name!r}: use one of {known}") from None


def chapter_spec(spec: ExampleSpec, entry: ChapterEntry, params: Mapping[str, Any]) -> ExampleSpec:
    """The example a chapter shows: the video's own, or, for a trained-model or decoder
    chapter in a video of the designed model, the same sentence read by its ``model``
    parameter.

    Raises :class:`ChapterModelError` naming the fix when the chapter cannot show the video's
    model (a designed-model chapter, with its named dimensions, in a trained-model video; a
    designed or trained chapter in a decoder's video, or a decoder's chapter in another's).

    Examples
    --------
    >>> heads = ChapterEntry("Heads", "scenes.heads", ("all",), "Heads", models="trained")
    >>> chapter_spec(ExampleSpec("The cat sat"), heads, {"model": "minilm"})
    ExampleSpec(sentence='The cat sat', focus=None, model='minilm')
    """
    kind = load_model(spec.model).config.kind
    if entry.models == kind or (entry.models == "any" and kind in ("designed", "trained")):
        return spec
    if entry.models == "trained" and kind == "designed":
        return replace(spec, model=str(params.get("model", "minilm")))
    if entry.models == "decoder" and kind == "designed":
        return replace(spec, model=str(params.get("model", "smollm2")))
    if kind == "decoder":
        written_for = {
            "designed": "the hand-designed model (--model hand)",
            "trained": "a trained encoder (--model minilm)",
            "any": "the designed model or a trained encoder (--model hand or minilm)",
        }
        raise ChapterModelError(
            f"chapter class {entry.class_name} is written for "
            f"{written_for.get(entry.models, repr(entry.models))} and cannot show "
            f"{spec.model!r}, a decoder; run this script with that model"
        )  # fmt: skip
    if entry.models == "decoder":
        raise ChapterModelError(
            f"chapter class {entry.class_name} shows a decoder's next-token predictions and "
            f"cannot show {spec.model!r}; use --model smollm2"
        )
    raise ChapterModelError(
        f"chapter class {entry.class_name} shows the hand-designed model's named dimensions "
        f"and cannot show {spec.model!r}; use --model hand, or a trained-model script such "
        "as scripts/trained-model.toml"
    )
