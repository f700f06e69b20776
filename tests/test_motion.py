"""The kit's motions: what is on screen after them, and animations cued to the words said."""

from __future__ import annotations

import pytest
from manim import Circle, Scene, Square, VGroup, tempconfig

from scenes.kit.motion import (
    converge,
    cue_shares,
    cued_spans,
    scaled_by_weight,
    weighted_size,
    word_share,
)

DRY = {"quality": "low_quality", "dry_run": True, "disable_caching": True, "progress_bar": "none"}


def _played(build) -> Scene:
    """A scene that runs ``build(scene)`` in construct, rendered without writing files."""

    class Played(Scene):
        def construct(self) -> None:
            build(self)

    with tempconfig(DRY):
        scene = Played()
        scene.render()
    return scene


def _family(scene: Scene) -> list:
    return [m for top in scene.mobjects for m in top.get_family()]


def test_converge_leaves_the_parts_and_the_whole_and_no_copies() -> None:
    parts = VGroup(Square(0.5).shift([3, 0, 0]), Square(0.5).shift([-3, 0, 0]))
    whole = Circle(0.5).shift([0, -2, 0])

    def build(scene: Scene) -> None:
        scene.add(parts)
        scene.play(converge(parts, whole))

    scene = _played(build)
    on_screen = _family(scene)
    assert whole in on_screen
    assert all(p in on_screen for p in parts)
    # besides the parts' family and the whole, nothing with points was left behind
    expected = {id(m) for m in parts.get_family()} | {id(whole)}
    leftovers = [m for m in on_screen if m.has_points() and id(m) not in expected]
    assert leftovers == []


def test_scaled_by_weight_sizes_each_vector_by_its_share_and_adds_no_parent() -> None:
    vectors = VGroup(Square(1.0), Square(1.0).shift([2, 0, 0]), Square(1.0).shift([4, 0, 0]))
    weights = [0.1, 0.6, 0.3]

    def build(scene: Scene) -> None:
        scene.add(vectors)
        scene.play(scaled_by_weight(vectors, weights))

    scene = _played(build)
    # the largest weight keeps its size, a weight w shrinks to floor + (1 - floor) * w / top
    floor = weighted_size(0.0, 1.0)
    for square, w in zip(vectors, weights, strict=True):
        assert square.width == pytest.approx(floor + (1 - floor) * w / 0.6)
    assert scene.mobjects == [vectors]


def test_word_share_counts_the_letters_said_before_the_phrase() -> None:
    said = "Their outputs are joined, and W O projects them back."
    letters = len("Theiroutputsarejoinedandwoprojectsthemback")
    assert word_share(said, "joined") == len("Theiroutputsare") / letters
    assert word_share(said, "W O") == len("Theiroutputsarejoinedand") / letters
    assert word_share(said, "JOINED,") == word_share(said, "joined")  # case, punctuation
    assert word_share(said, "explanations") is None


def test_cue_shares_keep_the_order_and_place_missing_words_between_neighbours() -> None:
    said = "It is a blend of cat and mat. Now sat knows its context."
    (now,) = cue_shares(said, ["now"])
    assert now == word_share(said, "now")
    # "it" occurs twice: a cue after the first finds the second
    first, second = cue_shares(said, ["it", "its"])
    assert first == 0.0
    assert second > now
    # a word the text does not say sits halfway between the cues around it
    a, missing, b = cue_shares(said, ["blend", "zebra", "now"])
    assert missing == pytest.approx((a + b) / 2)
    assert cue_shares(said, ["zebra"]) == [0.5]


@pytest.mark.parametrize(
    "said",
    [
        "Multiply matching entries, and add. Each term is one named dimension.",
        "Two words.",  # none of the cues: evenly spread
        "add add add add add add each term",  # cues crowded at the end
    ],
)
def test_cued_spans_fill_the_room_and_never_overrun(said: str) -> None:
    spans = cued_spans(said, ["and add", "each term"], start=0.1, least=0.08)
    assert len(spans) == 3
    assert sum(spans) == pytest.approx(0.85, abs=1e-3)
    assert min(spans) >= 0.08 - 1e-3


def test_cued_spans_start_each_motion_on_its_word() -> None:
    said = "Multiply matching entries, and add. Each term is one named dimension."
    first, second, _ = cued_spans(said, ["and add", "each term"], lead=0.0)
    assert first == pytest.approx(word_share(said, "and add"), abs=1e-4)
    assert first + second == pytest.approx(word_share(said, "each term"), abs=1e-4)
