"""The trained-model chapters' placeholders: every value formatted as the screen shows it,
every sentence worded by :mod:`attention.story.head_phrases` from the heads
:func:`attention.story.head_story.story_heads` picks, and what each placeholder means."""

from __future__ import annotations

from attention.story.head_phrases import (
    capitalised,
    disagreement,
    links_phrase,
    no_habit_phrase,
    positional_phrase,
    quantifier,
    shown_weight,
    sink_phrase,
    spread_phrase,
)
from attention.story.head_story import NEIGHBOURS, story_heads
from attention.story.patterns import (
    COUNTED,
    THRESHOLD,
    habit_counts,
    link_count,
    sink_count,
    spread_count,
)
from attention.worked.example import WorkedExample

__all__ = ["TRAINED_PLACEHOLDERS", "trained_values"]


def trained_values(example: WorkedExample) -> dict[str, str]:
    """Every trained-model placeholder, formatted as the screen shows it.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> v = trained_values(worked_example("The cat sat on the mat", "sat", "minilm"))
    >>> v["n_all_heads"], v["link_word"], v["n_sink_heads"]
    ('72', 'cat', '58')
    """
    heads = story_heads(example)
    tokens = example.record.tokens
    counts = habit_counts(heads.patterns)
    total = len(heads.all)
    sinks = sink_count(counts)
    mixed = counts[COUNTED.index("mixed")]
    link, f = heads.link, example.focus_index
    row = example.attention[link.layer, link.head, f]
    shown = [shown_weight(w) for w in row.tolist()]
    top = int(row.argmax())
    other = heads.other
    n = example.n_tokens
    n_previous, n_next = (counts[COUNTED.index(k)] for k in NEIGHBOURS)
    return {
        "sentence": example.sentence,
        "focus": example.focus,
        "n_tokens": str(example.n_tokens),
        "n_words": str(len(tokens.words)),
        "n_layers": str(example.n_layers),
        "n_heads": str(example.n_heads),
        "n_all_heads": str(total),
        "d_model": str(example.d_model),
        "d_head": str(example.d_head),
        "pieces": _pieces(example),
        "link_layer": str(link.layer + 1),
        "link_head": str(link.head + 1),
        "link_word": tokens.words[link.link[0]],
        "link_weight": shown_weight(link.link[1]),
        "link_top_token": example.tokens[top],
        "link_top_weight": shown[top],
        "link_blend": _blend(example.tokens[top], float(row[top])),
        "positional": capitalised(positional_phrase(heads.positional, n_previous, n_next)),
        "sinks": capitalised(sink_phrase(heads.sink, sinks, total)),
        "n_sink_heads": str(sinks),
        "n_mixed_heads": str(mixed),
        "mixed_quantifier": capitalised(quantifier(mixed, total)),
        "no_habit": capitalised(no_habit_phrase(mixed, total)),
        "links": capitalised(links_phrase(example, heads)),
        "n_link_heads": str(link_count(heads.patterns)),
        "spread": capitalised(spread_phrase(heads, total)),
        "n_spread_heads": str(spread_count(heads.patterns)),
        "disagreement": capitalised(disagreement(example, heads)),
        "n_tokens_2": str(2 * n),
        "n_tokens_4": str(4 * n),
        "cells_n": str(n * n),
        "cells_2n": str(4 * n * n),
        "cells_4n": str(16 * n * n),
        "other_layer": str(other.layer + 1) if other else str(link.layer + 1),
        "other_head": str(other.head + 1) if other else str(link.head + 1),
        "other_word": tokens.words[other.link[0]] if other else tokens.words[link.link[0]],
    }


def _pieces(example: WorkedExample) -> str:
    """How the model cut the words, speakable: "didn't is cut into 3 pieces", "every word is
    one token"."""
    tokens = example.record.tokens
    split = [w for w in range(len(tokens.words)) if len(tokens.tokens_of(w)) > 1]
    if not split:
        return "every word is one token"
    word = split[0]
    said = f"{tokens.words[word]} is cut into {len(tokens.tokens_of(word))} pieces"
    more = len(split) - 1
    return (
        said
        if not more
        else f"{said}, and {more} more word{'s are' if more > 1 else ' is'} cut too"
    )


def _blend(top: str, weight: float) -> str:
    """What the story head's output for the focus is made of, true to its top weight."""
    return f"mostly what {top} carries" if weight >= 0.5 else f"a mix, the largest part from {top}"


_RULE = f"more than {THRESHOLD} of a head's weight, all its rows together"

TRAINED_PLACEHOLDERS: dict[str, str] = {
    "sentence": "the example sentence as written",
    "focus": "the focus word as written",
    "n_tokens": "tokens the model reads, [CLS] and [SEP] included",
    "n_words": "words in the sentence",
    "n_layers": "layers of the model (6)",
    "n_heads": "heads per layer (12)",
    "n_all_heads": "heads in all (72)",
    "d_model": "the model's width (384)",
    "d_head": "one head's query and key size (32)",
    "pieces": "how the model cut the words, speakable: 'didn't is cut into 3 pieces', or "
    "'every word is one token'",
    "link_layer": "the story head's layer, from 1: among heads with no habit, the one that "
    "links the focus to another word most strongly (a third of its weight or more, more than "
    "itself or any other word or mark); if none links it, the one where the focus gives "
    "another word the most; a head with a habit only when every head has one",
    "link_head": "the story head, from 1",
    "link_word": "the word the focus gives the most weight in the story head (pieces summed), "
    "itself aside",
    "link_weight": "that weight, 2 decimals",
    "link_top_token": "the token the focus gives the most weight in the story head",
    "link_top_weight": "that weight, 2 decimals, as the weight row shows it",
    "link_blend": "what the story head's output for the focus is made of, true to that "
    "weight: 'mostly what big carries' (0.5 or more), else 'a mix, the largest part from big'",
    "positional": "a sentence (capitalised) counting the heads whose habit is the previous "
    f"token and the next ({_RULE}), with the strongest one's share; with none: that no head "
    "has one, and the closest head's share",
    "sinks": "a sentence (capitalised) counting the heads that park more than half their "
    "weight on [CLS] and [SEP] together, with the strongest one's share; with none or one, "
    "said so",
    "n_sink_heads": "that count",
    "n_mixed_heads": "heads with no habit (mixed): no one kind of token takes more than half "
    "their weight",
    "mixed_quantifier": "Most, Many, Some or No: true of n_mixed_heads out of n_all_heads",
    "no_habit": "a sentence (capitalised) counting the heads with no habit: 'Most heads, 44 of "
    "72, follow no single habit here: ...', one head, or every head has a habit",
    "links": "a sentence (capitalised): in how many heads with no habit the focus gives one "
    "other word a third of its weight or more, more than itself or any other word or mark, "
    "and the story head's weight and word; or that none does and the story head's largest "
    "share for another word; or, when every head has a habit, that the story head has one",
    "n_link_heads": "heads with no habit that link the focus to another word, as 'links' "
    "counts them",
    "spread": "a sentence (capitalised) counting the heads with no habit and how many of them "
    "spread their weight (a row's largest weight under half, on average): all, none or some; "
    "or that every head has a habit",
    "n_spread_heads": "heads with no habit whose rows' largest weight is under half, on average",
    "disagreement": "when the story head links the focus: it and a head linking the focus to "
    "another word ('In layer 3, head 2, it links most to big; in layer 4, head 2, to trophy'), "
    "or that every other head that links it agrees; else that the story head links it to no "
    "word, with its largest share",
    "n_tokens_2": "twice the number of tokens",
    "n_tokens_4": "four times the number of tokens",
    "cells_n": "query-key scores for the sentence's tokens (n squared)",
    "cells_2n": "scores for twice the tokens",
    "cells_4n": "scores for four times the tokens",
    "other_layer": "the second head of 'disagreement', from 1 (the story head's when there is "
    "none)",
    "other_head": "that head, from 1",
    "other_word": "the word the focus links to most there",
}
