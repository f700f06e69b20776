"""The heads the decoder's chapters name, picked by measurement, and their narration values.

- The *row head*: the head where the prompt's last token looks hardest at one earlier token,
  the first token aside (a sink in most heads) when the prompt has three tokens or more;
  for a prompt of two, the first token; for one, the token itself. Its last row is the one
  *Next word* shows, and its whole grid the one *The causal mask, for real* shows.
- On the repeated sequence (:func:`attention.story.decoder_numbers.repeated_ids`): the
  *induction head*, the largest ``induction_score``; the *previous-token head*, the largest
  ``previous_score`` in a layer before it (none when it is in the first layer); and the
  induction head's key/value group, the query heads that share its key and value head.

Every phrase is worded from these numbers with a branch for each case, for any prompt.
Heads are spoken and shown counted from 1 (layer 18, head 6); sources are 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention.rounding import format_number
from attention.story.decoder_numbers import SHOWN_STEPS, decoder_of, repeated_weights
from attention.story.decoder_patterns import THRESHOLD, induction_share, previous_share
from attention.worked.example import WorkedExample
from attention.worked.generation import generation
from attention.worked.next_token import likeliest

__all__ = ["DecoderStory", "chapter_values", "decoder_story", "row_keys", "spoken_piece"]

_MARKS = {",": "a comma", ".": "a full stop", "!": "an exclamation mark",
          "?": "a question mark", ":": "a colon", ";": "a semicolon", "-": "a dash"}  # fmt: skip


def spoken_piece(piece: str) -> str:
    """How the narrator says a token: its text without the leading space, a mark by name.

    Examples
    --------
    >>> spoken_piece(" Paris"), spoken_piece("."), spoken_piece("\\n"), spoken_piece(" 7")
    ('Paris', 'a full stop', 'a line break', '7')
    """
    word = piece.strip()
    if not word:
        return "a line break" if "\n" in piece else "a space"
    return _MARKS.get(word, word)


def row_keys(n: int) -> list[int]:
    """The keys the row head is chosen over, for the last of ``n`` tokens.

    Examples
    --------
    >>> row_keys(5), row_keys(2), row_keys(1)
    ([1, 2, 3], [0], [0])
    """
    if n >= 3:
        return list(range(1, n - 1))
    return [0]


@dataclass(frozen=True)
class DecoderStory:
    """The heads the decoder's chapters name (0-based) and what they measured."""

    row: tuple[int, int, int]  # layer, head, the key the last token looks at hardest
    induction: tuple[int, int]  # layer, head
    previous: tuple[int, int] | None  # in an earlier layer than the induction head
    group: tuple[int, ...]  # the query heads sharing the induction head's key/value head
    induction_scores: np.ndarray  # (L, H) on the repeated sequence
    previous_scores: np.ndarray  # (L, H)


def decoder_story(example: WorkedExample) -> DecoderStory:
    """Pick the chapters' heads from the example's and the repeated sequence's weights."""
    w = example.attention  # (L, H, n, n)
    n = w.shape[-1]
    keys = row_keys(n)
    last = w[:, :, n - 1, keys]  # (L, H, len(keys))
    layer, head, k = np.unravel_index(int(np.argmax(last)), last.shape)
    ids, rep = repeated_weights(example)
    induction, previous = induction_share(rep, ids), previous_share(rep)  # (L, H) each
    il, ih = np.unravel_index(int(np.argmax(induction)), induction.shape)
    prev = None
    if il > 0:
        pl, ph = np.unravel_index(int(np.argmax(previous[:il])), previous[:il].shape)
        prev = (int(pl), int(ph))
    model = decoder_of(example)
    size = example.n_heads // model.config.n_kv_heads
    group = tuple(range(int(ih) // size * size, (int(ih) // size + 1) * size))
    return DecoderStory((int(layer), int(head), keys[int(k)]), (int(il), int(ih)), prev, group,
                        induction, previous)  # fmt: skip


def _two(x: float) -> str:
    return format_number(float(x), 2)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def chapter_values(example: WorkedExample) -> dict[str, str]:
    """The placeholders of the three decoder chapters, as the screen shows their numbers.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = chapter_values(worked_example("The capital of France is", None, "smollm2"))
    >>> v["last_token"], v["second_token"], v["generated"]
    ('is', 'the', 'a full stop, then a line break')
    """
    ex, story = example, decoder_story(example)
    model, tokens = decoder_of(ex), ex.record.tokens
    n = ex.n_tokens
    layer, head, key = story.row
    top = likeliest(model, ex.record, 2)
    steps = generation(ex)[:SHOWN_STEPS]
    split = sum(len(tokens.tokens_of(w)) > 1 for w in range(len(tokens.words)))
    spaced = any(t.startswith(" ") for t in tokens.tokens)
    w = ex.attention[layer, head]
    il, ih = story.induction
    scores = story.induction_scores
    strong = [h for h in story.group if scores[il, h] >= THRESHOLD]
    values = {
        "pieces": {0: "every word is one token", 1: "one word is split into pieces"}.get(
            split, f"{split} words are split into pieces"),
        "space_note": ("a space belongs to the token after it" if spaced
                       else "no token here starts with a space"),
        "last_token": spoken_piece(tokens.tokens[-1]),
        "row_layer": str(layer + 1),
        "row_head": str(head + 1),
        "row_key": spoken_piece(tokens.tokens[key]),
        "row_weight": _two(w[n - 1, key]),
        "row_claim": _row_claim(n, spoken_piece(tokens.tokens[key]), _two(w[n - 1, key])),
        "second_token": spoken_piece(top[1].text),
        "second_probability": _two(top[1].probability),
        "generated": ", then ".join(spoken_piece(s.chosen.text) for s in steps[1:]),
        "first_token": spoken_piece(tokens.tokens[0]),
        "first_note": (f"The last token, {spoken_piece(tokens.tokens[-1])}, gives it "
                       f"{_two(w[n - 1, 0])} of its weight" if n > 1
                       else "There is no later token to look at it"),
        "masked_count": {1: "one token alone has no later token to hide",
                         2: "here, the one cell"}.get(n, f"all {n * (n - 1) // 2} of them"),
        "induction_layer": str(il + 1),
        "induction_head": str(ih + 1),
        "induction_score": _two(scores[il, ih]),
        "group_heads": _and([str(h + 1) for h in story.group]),
        "group_scores": _and([_two(scores[il, h]) for h in story.group]),
        "group_fact": _group_fact(len(strong), len(story.group)),
    }  # fmt: skip
    values.update(_previous_values(story))
    return values


def _row_claim(n: int, key: str, weight: str) -> str:
    """Where the last token looks hardest, worded for the number of tokens it can see.

    Examples
    --------
    >>> _row_claim(1, "Hi", "1.00")
    'it can look only at itself: Hi, with 1.00 of its weight'
    """
    if n >= 3:
        return f"it looks hardest at one earlier token besides the first: {key}, with {weight} " \
            "of its weight"  # fmt: skip
    if n == 2:
        return f"it looks hardest at the token before it: {key}, with {weight} of its weight"
    return f"it can look only at itself: {key}, with {weight} of its weight"


def _group_fact(strong: int, size: int) -> str:
    """Whether the heads sharing one key and value head all measure as induction heads."""
    if strong == size:
        return f"all {size} are induction heads here"
    if strong > 1:
        return (
            f"{strong} of the {size} are induction heads here; sharing keys is not sharing a habit"
        )
    return "only this one is an induction head here; sharing keys is not sharing a habit"


def _previous_values(story: DecoderStory) -> dict[str, str]:
    if story.previous is None:
        return {
            "previous_layer": "",
            "previous_head": "",
            "previous_score": "",
            "previous_note": "It sits in the first layer, so no earlier head can feed it",
        }
    pl, ph = story.previous
    score = _two(story.previous_scores[pl, ph])
    return {
        "previous_layer": str(pl + 1),
        "previous_head": str(ph + 1),
        "previous_score": score,
        "previous_note": f"It builds on an earlier head: in layer {pl + 1}, head {ph + 1}, each "
        f"token gives the token just before it {score} of its weight, on average",
    }
