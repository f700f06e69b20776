"""Every chapter keeps its text apart and in frame on the hard sentences: the longest, the
fewest tokens, words cut into pieces (apart from tests/test_scenes.py so that the two files'
scene runs share the suite's two workers)."""

from __future__ import annotations

from typing import Any

import pytest
from test_scenes import (
    LONG_SENTENCE,
    MIXED_SENTENCE,
    SCENES,
    SIXTEEN_TOKENS,
    assert_layout,
    run_scene,
)

from scenes.catalogue import CHAPTERS

HARD_SENTENCES = [
    # (sentence, focus, tokens for the designed model, tokens for MiniLM)
    (LONG_SENTENCE, None, 12, 23),  # MiniLM cuts four of its words into ## pieces
    (MIXED_SENTENCE, "explained", 10, 12),
    # the fewest tokens: weights near 0.5 make the tallest bars and one context word
    ("I love", "I", 2, 4),
    (SIXTEEN_TOKENS, None, 16, 18),
]
TRAINED_CHAPTERS = [c for c in SCENES if CHAPTERS[c].models == "trained"]
DECODER_CHAPTERS = [c for c in SCENES if CHAPTERS[c].models == "decoder"]
DECODER_TOKENS = 16  # SmolLM2 reads SIXTEEN_TOKENS as sixteen tokens, 18 after generation


def _hard_cases() -> list[Any]:
    """Every chapter on every hard sentence; the slower trained-model chapters on the two
    that are hardest for them: sixteen words, and words cut into pieces (23 tokens); the
    decoder's chapters (each run reads the model three times) on the sixteen words only,
    the most crowded once generation adds two tokens."""
    cases = []
    for class_name in SCENES:
        if class_name in DECODER_CHAPTERS:
            cases.append(pytest.param(class_name, SIXTEEN_TOKENS, None, DECODER_TOKENS))
            continue
        trained = class_name in TRAINED_CHAPTERS
        for sentence, focus, designed, pieces in HARD_SENTENCES:
            if trained and sentence not in (LONG_SENTENCE, SIXTEEN_TOKENS):
                continue
            tokens = pieces if trained else designed
            cases.append(pytest.param(class_name, sentence, focus, tokens))
    return cases


@pytest.mark.parametrize(("class_name", "sentence", "focus", "tokens"), _hard_cases())
def test_layout_other_sentences(
    class_name: str, sentence: str, focus: str | None, tokens: int
) -> None:
    scene, snapshots = run_scene(class_name, sentence, focus, draw=False)
    assert scene.example.n_tokens == tokens
    assert_layout(snapshots, f"{class_name} ({tokens} tokens: {sentence!r})")
    assert scene.layout_problems == []
    if class_name in ("RealHead", *DECODER_CHAPTERS):  # heads picked by the sentence
        from attention.numbers.verify import verify

        assert verify(scene.ledger, scene.example) == []
