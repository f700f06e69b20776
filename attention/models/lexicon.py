"""Embeddings with named dimensions for any token, from WordNet and explicit word lists.

Every content word is a mix of its WordNet senses: each sense's lexicographer file
(``noun.animal``, ``verb.motion``, ...) names a point in :data:`DIMENSIONS`
(:data:`LEXNAME_DIMENSIONS`), and the senses are weighted by how often they were tagged in
WordNet's SemCor counts, ``count + 0.5 / sense_number`` (the small second term keeps
untagged senses in WordNet's order of frequency). "bank" is about 0.5 riverside and 0.4
institution, so the words around it can move it. Closed-class words (determiners, pronouns,
prepositions, conjunctions, auxiliaries, negation) come from the lists below, a few words
WordNet files unhelpfully are in :data:`OVERRIDES` with the reason, and words WordNet does
not know get a stated fallback. Each vector is rounded to one decimal (largest remainder,
so the row still sums to 1.0) and records where it came from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from attention.models.wordnet import LEXNAMES, Sense, senses

__all__ = [
    "CLOSED_CLASS",
    "DIMENSIONS",
    "DIMENSION_NOTES",
    "LEXNAME_DIMENSIONS",
    "OVERRIDES",
    "Embedding",
    "embed",
    "sentence_embeddings",
]

# The named dimensions of every embedding, in order.
DIMENSIONS = (
    "agent", "place", "thing", "action", "quality", "pronoun", "determiner", "relation",
)  # fmt: skip
DIMENSION_NOTES = {
    "agent": "a person or animal: someone who can act (noun.person, noun.animal)",
    "place": "a location or setting (noun.location, natural objects such as river, times)",
    "thing": "an object or idea (man-made things, food, possessions, abstractions)",
    "action": "something done or happening (every verb; acts and events as nouns)",
    "quality": "a description (adjectives, adverbs)",
    "pronoun": "stands for a noun (closed class)",
    "determiner": "marks a noun: the, a, this, every (closed class)",
    "relation": "links words: prepositions, conjunctions, auxiliaries (closed class)",
}
_DIM = {name: i for i, name in enumerate(DIMENSIONS)}

Mix = dict[str, float]


def _lexname_table() -> dict[str, Mix]:
    table: dict[str, Mix] = {}
    for lexname in ("noun.person", "noun.animal"):
        table[lexname] = {"agent": 1.0}
    table["noun.group"] = {"agent": 0.5, "thing": 0.5}  # people acting together, or a set
    table["noun.location"] = {"place": 1.0}
    table["noun.object"] = {"place": 0.7, "thing": 0.3}  # land, water, rocks, stars
    table["noun.time"] = {"place": 0.5, "thing": 0.5}  # a setting in time
    for lexname in ("noun.act", "noun.event", "noun.process", "noun.phenomenon"):
        table[lexname] = {"action": 0.5, "thing": 0.5}  # things that happen
    table["noun.quantity"] = {"thing": 0.5, "quality": 0.5}
    for lexname in (
        "noun.Tops", "noun.artifact", "noun.attribute", "noun.body", "noun.cognition",
        "noun.communication", "noun.feeling", "noun.food", "noun.motive", "noun.plant",
        "noun.possession", "noun.relation", "noun.shape", "noun.state", "noun.substance",
    ):  # fmt: skip
        table[lexname] = {"thing": 1.0}
    for lexname in LEXNAMES:
        if lexname.startswith("verb."):
            table[lexname] = {"action": 1.0}
    for lexname in ("adj.all", "adj.pert", "adj.ppl", "adv.all"):
        table[lexname] = {"quality": 1.0}
    return table


# WordNet lexicographer file -> its point in the named dimensions; every verb file -> action.
LEXNAME_DIMENSIONS: dict[str, Mix] = _lexname_table()

_DETERMINER: Mix = {"determiner": 1.0}
_RELATION: Mix = {"relation": 1.0}
_AUXILIARY: Mix = {"action": 0.3, "relation": 0.7}  # a helper verb: mostly grammar
_PERSON_PRONOUN: Mix = {"pronoun": 0.7, "agent": 0.3}
_THING_PRONOUN: Mix = {"pronoun": 0.7, "thing": 0.3}
_PERSON_POSSESSIVE: Mix = {"pronoun": 0.5, "determiner": 0.3, "agent": 0.2}
_THING_POSSESSIVE: Mix = {"pronoun": 0.5, "determiner": 0.3, "thing": 0.2}


def _words(text: str, kind: str, mix: Mix) -> dict[str, tuple[str, Mix]]:
    return {w: (kind, mix) for w in text.split()}


# Closed-class words: word -> (class, embedding). Checked before WordNet, which also
# lists some of them with rare senses ("in" = inch, "it" = information technology).
CLOSED_CLASS: dict[str, tuple[str, Mix]] = {
    **_words("the a an this that these those each every some any no all both either "
             "neither another such what which whose many much few several more most "
             "less least enough", "determiner", _DETERMINER),
    **_words("of in on at by for with from to into onto under over above below between "
             "among through across after before during about against along around behind "
             "beside besides beyond near off out past since toward towards until upon "
             "within without via despite like than up down inside outside", "preposition",
             _RELATION),
    **_words("and or but nor so yet because although though if unless while whereas "
             "when whenever where wherever as once whether", "conjunction", _RELATION),
    **_words("be am is are was were been being have has had having do does did will "
             "would shall should can could may might must ought", "auxiliary", _AUXILIARY),
    **_words("not never n't", "negation", _RELATION),
    **_words("i me you he him she we us they them myself yourself himself herself "
             "ourselves themselves who whom someone somebody anyone anybody everyone "
             "everybody nobody", "pronoun", _PERSON_PRONOUN),
    **_words("it itself something anything everything nothing there here",
             "pronoun", _THING_PRONOUN),
    **_words("my your his her our their", "possessive", _PERSON_POSSESSIVE),
    **_words("its", "possessive", _THING_POSSESSIVE),
    **_words("&", "conjunction", _RELATION),
    **_words("let's", "pronoun", _PERSON_PRONOUN),  # let us
}  # fmt: skip

# Words WordNet files in a way that tells the wrong story in everyday sentences.
OVERRIDES: dict[str, tuple[Mix, str]] = {
    "agent": (
        {"agent": 1.0},
        "WordNet's most-tagged sense is the abstract 'causal agent' (noun.object, filed "
        "with rivers and rocks); in a sentence an agent is nearly always a person",
    ),
}

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?", re.IGNORECASE)
_CLITICS = ("'s", "'re", "'ve", "'ll", "'d", "'m")
_UNKNOWN: Mix = {"agent": 0.2, "place": 0.2, "thing": 0.2, "action": 0.2, "quality": 0.2}


@dataclass(frozen=True)
class Embedding:
    """A token's vector over :data:`DIMENSIONS` and a sentence saying where it came from.

    ``kind`` is ``"closed"``, ``"wordnet"``, ``"override"`` or ``"fallback"``;
    ``word_class`` is the closed class ("determiner", ...) or, for content words, the
    WordNet part of speech that carries most weight ("noun", "verb", "adj", "adv",
    "unknown"); ``top_share`` is the weight of the word's strongest dimension (1.0 = one
    clear meaning, lower = ambiguous).
    """

    vector: tuple[float, ...]
    source: str
    kind: str
    word_class: str

    @property
    def is_function_word(self) -> bool:
        """True for closed-class words (their attention is spread, they carry grammar)."""
        return self.kind == "closed"

    @property
    def top_share(self) -> float:
        """The largest component of the vector."""
        return max(self.vector)


def _round_mix(mix: Mix) -> tuple[float, ...]:
    """The mix as a vector in tenths that sums to exactly what the mix sums to (rounded)."""
    raw = [mix.get(name, 0.0) * 10 for name in DIMENSIONS]
    target = round(sum(raw))
    units = [math.floor(v + 1e-9) for v in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - units[i]), i))
    for i in order[: max(0, target - sum(units))]:
        units[i] += 1
    return tuple(u / 10 for u in units)


def _scaled(mix: Mix, factor: float) -> Mix:
    return {k: v * factor for k, v in mix.items()}


def _added(*mixes: Mix) -> Mix:
    out: Mix = {}
    for mix in mixes:
        for k, v in mix.items():
            out[k] = out.get(k, 0.0) + v
    return out


_POS_WORD = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


def _sense_mix(found: tuple[Sense, ...]) -> tuple[Mix, str, str]:
    """Mix of the senses' dimensions, a source text and the dominant part of speech."""
    weights = [s.count + 0.5 / s.number for s in found]
    total = sum(weights)
    mix: Mix = {}
    by_lexname: dict[str, float] = {}
    by_pos: dict[str, float] = {}
    for s, w in zip(found, weights, strict=True):
        share = w / total
        mix = _added(mix, _scaled(LEXNAME_DIMENSIONS[s.lexname], share))
        by_lexname[s.lexname] = by_lexname.get(s.lexname, 0.0) + share
        by_pos[s.pos] = by_pos.get(s.pos, 0.0) + share
    ranked = sorted(by_lexname.items(), key=lambda kv: -kv[1])
    listed = [(name, share) for name, share in ranked[:3] if share >= 0.005]
    shown = ", ".join(f"{name} {share:.2f}" for name, share in listed)
    more = f" (+{len(ranked) - len(listed)} more)" if len(ranked) > len(listed) else ""
    lemmas = ", ".join(dict.fromkeys(s.lemma for s in found))
    pos = _POS_WORD[max(by_pos.items(), key=lambda kv: kv[1])[0]]
    return mix, f"wordnet {lemmas}: {shown}{more}", pos


def _content(word: str, name_like: bool) -> tuple[Mix, str, str, str] | None:
    """(mix, source, kind, word class) of a content word from the overrides or WordNet.

    ``name_like`` (a capital inside the sentence): only WordNet's name senses ("Paris",
    "John"); a word WordNet knows only in lower case ("Bob") is read as a name.
    """
    if word in OVERRIDES:
        mix, reason = OVERRIDES[word]
        return mix, f"override: {reason}", "override", "noun"
    found = senses(word)
    if not found:
        return None
    if name_like:
        found = tuple(s for s in found if s.proper)
        if not found:
            return (
                {"agent": 1.0},
                f"fallback: capitalised inside the sentence, read as a name "
                f"(WordNet knows {word} only as a common word)",
                "fallback",
                "name",
            )
    mix, source, pos = _sense_mix(found)
    if name_like:
        source += " (capitalised: its name senses)"
    return mix, source, "wordnet", pos


def _lookup(token: str, first: bool) -> tuple[Mix, str, str, str]:
    """(mix, source, kind, word class) of ``token``; never fails."""
    word = token.lower().replace("\u2019", "'")
    if word in CLOSED_CLASS:
        kind, mix = CLOSED_CLASS[word]
        return mix, f"closed class: {kind}", "closed", kind
    if word.endswith("n't") and len(word) > 3:
        return (
            _added(_scaled(_AUXILIARY, 0.5), _scaled(_RELATION, 0.5)),
            f"closed class: auxiliary + negation ({word[:-3]} + not)",
            "closed",
            "auxiliary",
        )
    clitic = next((c for c in _CLITICS if word.endswith(c) and len(word) > len(c)), None)
    plural_possessive = word.endswith("s'") and len(word) > 2
    if clitic or plural_possessive:
        base_token = token[: -len(clitic)] if clitic else token[:-1]
        base, base_source, base_kind, base_class = _lookup(base_token, first)
        if base_kind == "closed" or clitic not in (None, "'s"):
            mix = _added(_scaled(base, 0.5), _scaled(_AUXILIARY, 0.5))
            label = "closed class" if base_kind == "closed" else base_kind
            return mix, f"{label}: {base_token.lower()} + auxiliary", base_kind, base_class
        mix = _added(_scaled(base, 0.5), {"quality": 0.4, "determiner": 0.1})
        return (
            mix,
            f"possessive: 0.5 x {base_token} + quality 0.4 + determiner 0.1; "
            f"{base_token} from {base_source}",
            base_kind,
            "possessive",
        )
    if _NUMBER.fullmatch(word):
        return (
            {"determiner": 0.5, "quality": 0.5},
            "fallback: number (a quantity)",
            "fallback",
            "number",
        )
    capitalised = token[:1].isupper()
    found = _content(word, name_like=capitalised and not first)
    if found is None and "-" in word:
        head = word.rsplit("-", 1)[1]
        inner = _content(head, name_like=False)
        if inner is not None:
            mix, source, kind, pos = inner
            return mix, f"{source} (head of {word})", kind, pos
    if found is not None:
        return found
    if capitalised:
        return (
            {"agent": 1.0},
            "fallback: unknown capitalised word, read as a name",
            "fallback",
            "name",
        )
    return (
        _UNKNOWN,
        "fallback: unknown word, an even mix of agent, place, thing, action, quality",
        "fallback",
        "unknown",
    )


@lru_cache(maxsize=4096)
def embed(token: str, first: bool = False) -> Embedding:
    """The named-dimension embedding of ``token`` and where it came from.

    ``first`` says the token opens the sentence: a capital there is not read as a name.

    Examples
    --------
    >>> e = embed("river")
    >>> dict(zip(DIMENSIONS, e.vector))["place"], e.source
    (0.7, 'wordnet river: noun.object 1.00')
    >>> embed("The", first=True).source
    'closed class: determiner'
    >>> embed("Zorblax").source
    'fallback: unknown capitalised word, read as a name'
    """
    mix, source, kind, word_class = _lookup(token, first)
    return Embedding(_round_mix(mix), source, kind, word_class)


def sentence_embeddings(tokens: tuple[str, ...]) -> list[Embedding]:
    """Each token's embedding; a capital inside the sentence marks a name (not in all caps).

    Examples
    --------
    >>> [e.word_class for e in sentence_embeddings(("The", "cat", "sat"))]
    ['determiner', 'noun', 'verb']
    """
    shouted = all(t.isupper() for t in tokens if any(c.isalpha() for c in t))
    return [embed(t, first=i == 0 or shouted) for i, t in enumerate(tokens)]
