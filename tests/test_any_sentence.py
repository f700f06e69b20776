"""Any sentence a user may type either passes every check of a render or fails with one line.

Sentences are drawn at random (a fixed seed, so a failure reproduces) from WordNet's own
word lists and the closed-class words, with odd tokens mixed in: repeated words, names,
typos, emoji, punctuation, 1 to 17 tokens. For each, `explainer check`'s work runs in full:
the script loads with the sentence, every scene is built in Manim's dry-run mode, every
number shown is recomputed by the reference, every number said is shown, and the layout
at the end of every beat is clean.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from attention import ExampleError
from attention.models.wordnet import wordnet_dir
from explainer.core.errors import ExplainerError
from explainer.pipeline.checks import check_numbers, scene_checks
from explainer.plan.script import load_script
from scenes.scripts import PROJECT_ROOT

SEED = 20261123
SENTENCES = 6  # each is every chapter's dry run: about 15 s
ODD = ["Zorblax", "teh", "🙂", "naïve", "GPT-2", "3.5", "didn't", "cat's", ",", "!", "Ada"]
LITTLE = ["the", "a", "of", "on", "in", "and", "it", "was", "is", "to", "with", "her", "they"]


def _lemmas(pos: str, rng: random.Random, n: int) -> list[str]:
    lines = (wordnet_dir() / f"index.{pos}").read_text(encoding="latin-1").splitlines()
    words = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    plain = [w for w in words if w.isalpha()]
    return rng.sample(plain, n)


def _sentences() -> list[str]:
    rng = random.Random(SEED)
    pool = _lemmas("noun", rng, 40) + _lemmas("verb", rng, 20) + _lemmas("adj", rng, 20)
    made = []
    for length in [1, *rng.sample(range(2, 17), SENTENCES - 2), 17]:
        words = [rng.choice(pool + LITTLE + LITTLE + ODD) for _ in range(length)]
        if length > 3:
            words[rng.randrange(length)] = words[0]  # a repeated word
        made.append(" ".join(words))
    return made


@pytest.mark.parametrize("sentence", _sentences())
def test_a_random_sentence_passes_every_check_or_fails_with_one_line(
    sentence: str, tmp_path: Path
) -> None:
    try:
        script = load_script(PROJECT_ROOT / "scripts" / "attention.toml", sentence=sentence)
    except (ExplainerError, ExampleError) as error:
        message = str(error)
        assert message.strip(), "an empty error"
        assert "\n" not in message, message
        assert "token" in message, message  # says what is wrong: too few or too many tokens
        return
    scenes = scene_checks(script.scenes, tmp_path)
    checked = check_numbers(script, {k: v.entries for k, v in scenes.items()})
    assert checked.problems == []
    assert len(checked.ledger.spoken) > 0  # the voice said numbers, each one shown
    layout = [problem for found in scenes.values() for problem in found.layout]
    assert layout == [], f"{sentence!r}: {layout}"
    # numbers that say something: at most a fifth of the printed numbers are zeros (a zero in
    # a named-dimension vector is a quiet blank cell, not a printed 0.00)
    printed = [e.shown for e in checked.ledger.entries if e.scene != "explorer" and not e.blank]
    zeros = [shown for shown in printed if re.fullmatch(r"[-−]?0(\.0+)?", shown)]
    assert len(zeros) <= 0.2 * len(printed), f"{sentence!r}: {len(zeros)} of {len(printed)}"
