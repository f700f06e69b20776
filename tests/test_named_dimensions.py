"""The chapters show the model's named dimensions: which one carries the top score (ch 3),
which one the focus's output gained (ch 5), and every name beside the embedding (ch 1).

Expected values are recomputed here from q, k, v and the projections, not read from
``attention.story.placeholders``: a dimension's name is the embedding column a head-0 key or value
column copies (its one non-zero input row of W_K or W_V).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import softmax
from manim import tempconfig
from manim.mobject.text.text_mobject import MarkupText, Text

from attention.spec import ExampleSpec
from scenes import load_scene_class
from scenes.kit import MUTED, OUTPUT, TEXT
from scenes.kit.redraw import draw_no_frames
from scenes.narration import NarratedScene
from scenes.scripts import default_plan

LOW = {"quality": "low_quality", "dry_run": True, "disable_caching": True, "progress_bar": "none"}

SENTENCES = [
    (None, None),  # the default: The cat sat on the mat, focus sat
    ("The bank of the river flooded", "bank"),
    ("the hot dog was delicious", "dog"),
    ("The trophy didn't fit in the suitcase because it was too big", "it"),
    ("The quick brown fox jumps over the lazy dog while the cat sat on the mat", None),
]


def column_names(ex, w: np.ndarray) -> list[str]:  # type: ignore[no-untyped-def]
    """The embedding dimension each of head 0's columns of ``w`` copies."""
    names = []
    for c in range(ex.d_head):
        rows = np.flatnonzero(np.abs(w[:, c]) > 1e-12)
        assert len(rows) == 1, f"head-0 column {c} copies one dimension"
        names.append(ex.dimensions[int(rows[0])])
    return names


def texts_at_beat(class_name: str, beat: str, sentence: str | None, focus: str | None):  # type: ignore[no-untyped-def]
    """The scene and its visible texts (text, colour) at the end of ``beat``."""
    plan = default_plan(class_name)
    if sentence is not None:
        plan = dataclasses.replace(plan, spec=ExampleSpec(sentence, focus))
    seen: list[tuple[str, str]] = []

    class Watching(load_scene_class(class_name)):  # type: ignore[misc]
        def after_beat(self, beat_id: str) -> None:
            if beat_id == beat:
                for top in self.mobjects:
                    for m in top.get_family():
                        if isinstance(m, Text | MarkupText) and m.get_fill_opacity() > 0.05:
                            seen.append((m.text, m.get_color().to_hex().upper()))

    Watching.__name__ = class_name
    with tempconfig(LOW):
        scene: NarratedScene = Watching(plan)
        draw_no_frames(scene)  # geometry only: no frames
        scene.render()
    return scene, seen


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES)
def test_scores_chapter_lights_the_dimension_that_carries_the_top_score(
    sentence: str | None, focus: str | None
) -> None:
    scene, seen = texts_at_beat("Scores", "all_scores", sentence, focus)
    ex = scene.example
    f = ex.focus_index
    scores = ex.q @ ex.k.T
    top = int(np.argmax(scores[f]))  # first of equals, as the weights' order
    terms = ex.q[f] * ex.k[top]
    names = column_names(ex, ex.w_k)
    expected = names[int(np.argmax(terms))] if terms.max() > 0 else None
    lit = [t for t, colour in seen if t in names and colour == TEXT.upper()]
    plain = [t for t, colour in seen if t in names and colour == MUTED.upper()]
    assert lit == ([expected] if expected else [])
    assert sorted(lit + plain) == sorted(names)  # every term is named


@pytest.mark.parametrize(("sentence", "focus"), SENTENCES)
def test_blend_chapter_lights_the_dimension_the_output_gained(
    sentence: str | None, focus: str | None
) -> None:
    scene, seen = texts_at_beat("ValueBlend", "add", sentence, focus)
    ex = scene.example
    f = ex.focus_index
    scaled = (ex.q @ ex.k.T)[f] / np.sqrt(ex.d_head)
    weights = softmax(scaled)
    output = weights @ ex.v  # (d_head,)
    value = ex.v[f]
    share_after = output / output.sum()
    share_before = value / value.sum() if value.sum() > 0 else np.zeros_like(value)
    names = column_names(ex, ex.w_v)
    expected = names[int(np.argmax(share_after - share_before))]
    lit = [t for t, colour in seen if "▲" in t]
    assert lit
    assert all(colour == OUTPUT.upper() for t, colour in seen if "▲" in t)
    assert [t.replace("▲", "").strip() for t in lit] == [expected]


def test_seed_stories_gain_the_expected_sense() -> None:
    """bank next to river gains place; the narration and the screen agree on it."""
    from attention.story.placeholders import narration_values
    from attention.worked.example import worked_example

    values = narration_values(worked_example("The bank of the river flooded", "bank"))
    assert values["meaning_shift"] == "place"
    assert values["top_token"] in {"river", "flooded"}


@pytest.mark.parametrize(
    "sentence",
    [None, "The quick brown fox jumps over the lazy dog while the cat sat on the mat"],
)
def test_tokens_chapter_names_every_dimension(sentence: str | None) -> None:
    scene, seen = texts_at_beat("Tokens", "embed", sentence, None)
    shown = [t for t, _ in seen if t in scene.example.dimensions]
    assert shown == list(scene.example.dimensions)
