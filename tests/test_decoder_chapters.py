"""The decoder chapters' narration: every claim recomputed here from the raw arrays.

The heads, tokens, probabilities and scores the placeholders name are recomputed with numpy
on the forward record's weights and logits (and plain loops for the induction score), never
through attention/story/decoder_*.py, on prompts from the seeds, a two-token prompt, digits
and a repeated phrase. The ledger's new sources are checked to verify, and to fail when
nudged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import nearest, softmax

from attention.models.llama import LlamaModel
from attention.numbers.ledger import NumbersLedger
from attention.numbers.verify import verify
from attention.spec import ExampleSpec
from attention.story.placeholders import narration_values
from attention.worked.example import worked_example
from scenes.catalogue import CHAPTERS, ChapterModelError, chapter_spec

PROMPTS = [
    "The capital of France is",  # the script's default
    "The cat sat on the mat",  # the seeds' sentence
    "the dog was",  # a seed's "the dog was ... barking"
    "Hi there",  # two tokens
    "Hello",  # one token: it can look only at itself
    "In 1999 there were 42 cats",  # digits, one token each
    "one two three one two three one two",  # a repeated phrase
]
MARKS = {",": "a comma", ".": "a full stop", "!": "an exclamation mark",
         "?": "a question mark", ":": "a colon", ";": "a semicolon", "-": "a dash"}  # fmt: skip


def said(piece: str) -> str:
    word = piece.strip()
    if not word:
        return "a line break" if "\n" in piece else "a space"
    return MARKS.get(word, word)


@pytest.fixture(scope="module")
def repeated(smollm2: LlamaModel) -> tuple[list[int], np.ndarray]:
    """The chapter's sequence, drawn here again from the vocabulary: numpy's default_rng(3)
    picks six plain lowercase word tokens (a space, 4 to 7 letters), written twice."""
    words = [i for i in range(smollm2.shape.vocab_size)
             if (p := smollm2.piece(i))[:1] == " " and 4 <= len(p) - 1 <= 7
             and p[1:].isascii() and p[1:].isalpha() and p[1:].islower()]  # fmt: skip
    drawn = [int(i) for i in np.random.default_rng(3).choice(words, 6, replace=False)]
    ids = drawn * 2
    return ids, smollm2.forward(smollm2.from_ids(ids)).stacked("weights")


def loop_induction(w: np.ndarray, ids: list[int]) -> float:
    rows = []
    for i in range(len(ids)):
        keys = [j + 1 for j in range(i - 1) if ids[j] == ids[i]]
        if keys:
            rows.append(sum(float(w[i, k]) for k in keys))
    return sum(rows) / len(rows)


@pytest.mark.parametrize("prompt", PROMPTS)
def test_every_decoder_claim_is_true_of_the_numbers(
    smollm2: LlamaModel, repeated: tuple[list[int], np.ndarray], prompt: str
) -> None:
    v = narration_values(worked_example(prompt, None, "smollm2"))
    tokens = smollm2.tokenize(prompt)
    record = smollm2.forward(tokens)
    w = record.stacked("weights")  # (30, 9, n, n)
    n = len(tokens.ids)
    # the causal mask: every weight above the diagonal is exactly zero, the rows add to one
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    assert (w[..., upper] == 0.0).all()
    assert np.allclose(w.sum(-1), 1.0)
    assert str(int(upper.sum())) in v["masked_count"] or n < 3
    assert v["first_token"] == said(tokens.tokens[0])
    assert v["last_token"] == said(tokens.tokens[-1])
    # the row head: the largest weight the last token gives an earlier token, the first aside
    # when there are three tokens or more
    keys = list(range(1, n - 1)) if n >= 3 else [0]
    best = max((w[layer, head, n - 1, j], -layer, -head, -j) for layer in range(30)
               for head in range(9) for j in keys)  # fmt: skip
    layer, head, key = -best[1], -best[2], -best[3]
    assert (v["row_layer"], v["row_head"]) == (str(layer + 1), str(head + 1))
    assert v["row_key"] == said(tokens.tokens[key])
    assert v["row_weight"] == nearest(best[0], 2)
    assert all(w[layer, head, n - 1, j] <= best[0] for j in keys)
    assert f"{said(tokens.tokens[key])}, with {nearest(best[0], 2)} of its weight" in v["row_claim"]
    assert ("besides the first" in v["row_claim"]) == (n >= 3)
    if n > 1:
        assert nearest(w[layer, head, n - 1, 0], 2) in v["first_note"]
    # the next token: a softmax of the logits, the two likeliest
    p = softmax(np.asarray(record.next_logits))
    order = np.argsort(-p, kind="stable")
    assert v["next_token"] == smollm2.piece(int(order[0])).strip()
    assert v["next_probability"] == nearest(p[order[0]], 2)
    assert v["second_token"] == said(smollm2.piece(int(order[1])))
    assert v["second_probability"] == nearest(p[order[1]], 2)
    # generation: append the likeliest, read again, twice
    ids, chosen = list(tokens.ids), []
    for _ in range(3):
        logits = np.asarray(smollm2.forward(smollm2.from_ids(ids)).next_logits)
        ids.append(int(np.argmax(logits)))
        chosen.append(ids[-1])
    assert chosen[0] == int(order[0])
    assert v["generated"] == ", then ".join(said(smollm2.piece(i)) for i in chosen[1:])
    check_induction(v, smollm2, repeated)


def check_induction(v: dict[str, str], model: LlamaModel, repeated: Any) -> None:
    ids, rw = repeated
    scores = np.array([[loop_induction(rw[layer, head], ids) for head in range(9)]
                       for layer in range(30)])  # fmt: skip
    il, ih = np.unravel_index(int(np.argmax(scores)), scores.shape)
    assert (v["induction_layer"], v["induction_head"]) == (str(il + 1), str(ih + 1))
    assert v["induction_score"] == nearest(scores[il, ih], 2)
    # grouped-query attention: 9 query heads share 3 key/value heads, 3 heads to a group
    group = [3 * (int(ih) // 3) + k for k in range(3)]
    assert v["group_heads"] == f"{group[0] + 1}, {group[1] + 1} and {group[2] + 1}"
    shown = [nearest(scores[il, h], 2) for h in group]
    assert v["group_scores"] == f"{shown[0]}, {shown[1]} and {shown[2]}"
    strong = sum(scores[il, h] >= 0.5 for h in group)
    assert v["group_fact"].startswith(
        "all 3" if strong == 3 else f"{strong} of the 3" if strong > 1 else "only this one"
    )
    # the previous-token head: the largest mean weight on the token before, earlier layers
    previous = np.array([[np.mean([rw[layer, head, i, i - 1] for i in range(1, len(ids))])
                          for head in range(9)] for layer in range(il)])  # fmt: skip
    pl, ph = np.unravel_index(int(np.argmax(previous)), previous.shape)
    assert pl < il
    assert f"layer {pl + 1}, head {ph + 1}" in v["previous_note"]
    assert nearest(previous[pl, ph], 2) in v["previous_note"]


def test_the_new_sources_verify_and_a_nudged_one_fails() -> None:
    ex = worked_example("The capital of France is", None, "smollm2")
    ledger = NumbersLedger()
    v = narration_values(ex)
    layer, head = int(v["row_layer"]) - 1, int(v["row_head"]) - 1
    sources = {
        "next[0]": v["next_probability"],
        "next[1]": v["second_probability"],
        "next_logit[0]": None,
        "next_logit[4]": None,
        f"attention[{layer}, {head}, 4, 3]": v["row_weight"],
        f"induction_score[{int(v['induction_layer']) - 1}, {int(v['induction_head']) - 1}]":
            v["induction_score"],
        "step_next(1)[0]": None,
        f"step_attention(2)[{layer}, {head}, 0]": None,
        f"repeated_attention[{int(v['induction_layer']) - 1}, 0, 7, 2]": None,
        "previous_score[11, 1]": None,
    }  # fmt: skip
    from scenes.kit.numbers import resolve_source

    for source, spoken in sources.items():
        shown = nearest(resolve_source(ex, source), 2)
        assert spoken in (None, shown), source
        ledger.record("decoder", source, shown, source, 2)
    ledger.record_blank("decoder", "masked", "0.00", f"attention[{layer}, {head}, 1, 4]", 2)
    assert verify(ledger, ex) == []
    # the scores before softmax: the output logits of the five likeliest, highest first
    logits = np.asarray(ex.record.next_logits)
    for k, i in enumerate(np.argsort(-logits, kind="stable")[:5]):
        assert resolve_source(ex, f"next_logit[{k}]") == pytest.approx(logits[i], abs=1e-12)
    bad = NumbersLedger()
    bad.record("decoder", "nudged", "0.78", "next[0]", 2)  # 0.7725 is 0.77
    bad.record_blank("decoder", "not masked", "0.00", f"attention[{layer}, {head}, 4, 3]", 2)
    assert len(verify(bad, ex)) == 2


def test_decoder_chapters_read_the_decoder_in_a_designed_video_and_refuse_an_encoder() -> None:
    entry = CHAPTERS["NextWord"]
    assert chapter_spec(ExampleSpec("The cat sat"), entry, {}).model == "smollm2"
    with pytest.raises(ChapterModelError, match="smollm2"):
        chapter_spec(ExampleSpec("The cat sat", None, "minilm"), entry, {})
