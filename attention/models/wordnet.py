"""A small offline reader of WordNet 3.0 as Debian's ``wordnet-base`` ships it.

Why our own: NLTK's ``WordNetCorpusReader`` opens a ``lexnames`` file in its constructor
and loads every index line into memory (seconds); Debian's package has no ``lexnames``
file, and we need only three facts per word. The formats are wndb(5WN), cntlist(5WN),
lexnames(5WN) and morph(7WN):

- ``index.{noun,verb,adj,adv}``: one line per lemma, sorted bytewise,
  ``lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...``;
  the offsets are the senses in WordNet's order (most frequent first).
- ``data.{noun,...}``: the line at byte ``synset_offset`` starts
  ``synset_offset lex_filenum ss_type w_cnt word lex_id ...``; ``lex_filenum`` indexes
  :data:`LEXNAMES` (lexnames(5WN); the file itself is not shipped, the table is fixed).
- ``cntlist.rev``: ``sense_key sense_number tag_cnt``, sorted by sense key
  ``lemma%ss_type:lex_filenum:...``: how often each sense was tagged in the SemCor texts.
- ``{noun,verb,adj,adv}.exc``: irregular inflections (``sat sit``); regular ones are undone
  with morph(7WN)'s detachment rules (``flooded`` -> ``flood``).

Lookups bisect the sorted files held in memory (read once, cached), so a word costs
microseconds and nothing is parsed up front.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from attention.tokens import ExampleError

__all__ = [
    "LEXNAMES",
    "POS_NAMES",
    "LexiconError",
    "Sense",
    "base_forms",
    "database_identity",
    "senses",
    "wordnet_dir",
]

# lexnames(5WN): lex_filenum -> lexicographer file name.
LEXNAMES = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal",
    "noun.artifact", "noun.attribute", "noun.body", "noun.cognition", "noun.communication",
    "noun.event", "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive",
    "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession",
    "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state",
    "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
    "verb.communication", "verb.competition", "verb.consumption", "verb.contact",
    "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession",
    "verb.social", "verb.stative", "verb.weather", "adj.ppl",
)  # fmt: skip

POS_NAMES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
# Sense-key ss_type digits of each part of speech (5 = adjective satellite).
_SS_TYPES = {"n": (b"1",), "v": (b"2",), "a": (b"3", b"5"), "r": (b"4",)}
# morph(7WN) detachment rules: (suffix, ending) per part of speech.
_RULES = {
    "n": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
          ("shes", "sh"), ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
          ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}  # fmt: skip


class LexiconError(ExampleError):
    """The WordNet database is missing or unreadable (a one-line message saying what to do).

    An :class:`ExampleError`, so the CLI reports it as one line like any unusable input.
    """


@dataclass(frozen=True)
class Sense:
    """One sense of a lemma: its part of speech, lexicographer file and tag count.

    ``number`` is WordNet's 1-based sense number (its order of frequency); ``proper`` is
    True when the synset spells the lemma with a capital (a name: "Paris", "John").
    """

    lemma: str
    pos: str
    number: int
    lexname: str
    count: int
    proper: bool


def wordnet_dir() -> Path:
    """Where the database lives: ``$ATTENTION_WORDNET`` or Debian's ``/usr/share/wordnet``."""
    return Path(os.environ.get("ATTENTION_WORDNET", "/usr/share/wordnet"))


def database_identity() -> str:
    """Which WordNet database the embeddings come from: its folder, and each file's size
    and modification time (an upgraded ``wordnet-base`` changes the numbers).
    """
    folder = wordnet_dir()
    try:
        stats = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir())
    except OSError:
        stats = []
    return json.dumps([str(folder), stats])


@cache
def _read(name: str) -> bytes:
    path = wordnet_dir() / name
    try:
        return path.read_bytes()
    except OSError as err:
        raise LexiconError(
            f"WordNet file {path} is unreadable ({err.strerror}): install Debian's "
            "wordnet-base (make setup) or set ATTENTION_WORDNET to its folder"
        ) from None


def _lower_bound(data: bytes, key: bytes) -> int:
    """Byte offset of the first line whose first field is >= ``key`` (lines sorted)."""
    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        space = data.find(b" ", start, end)
        field = data[start : end if space < 0 else space]
        if field < key:
            lo = end + 1
        else:
            hi = start
    return lo


def _line(data: bytes, start: int) -> bytes:
    end = data.find(b"\n", start)
    return data[start : len(data) if end < 0 else end]


def _index_offsets(lemma: str, pos: str) -> tuple[int, ...]:
    """Synset offsets of ``lemma`` in WordNet's sense order, or () when not in the index."""
    data = _read(f"index.{POS_NAMES[pos]}")
    key = lemma.encode("utf-8")
    start = _lower_bound(data, key)
    fields = _line(data, start).split()
    if not fields or fields[0] != key:
        return ()
    n_pointers = int(fields[3])
    sense_cnt = int(fields[4 + n_pointers])
    first = 6 + n_pointers
    return tuple(int(f) for f in fields[first : first + sense_cnt])


@lru_cache(maxsize=4096)
def _synset(pos: str, offset: int) -> tuple[str, tuple[str, ...]]:
    """The lexicographer file name and the words of the synset at ``offset``."""
    line = _read(f"data.{POS_NAMES[pos]}")[offset:].split(b"\n", 1)[0]
    fields = line.split()
    w_cnt = int(fields[3], 16)
    words = tuple(fields[4 + 2 * i].decode("utf-8") for i in range(w_cnt))
    return LEXNAMES[int(fields[1])], words


def _tag_counts(lemma: str, pos: str) -> dict[int, int]:
    """Sense number -> tag count from ``cntlist.rev`` (untagged senses are absent)."""
    data = _read("cntlist.rev")
    counts: dict[int, int] = {}
    for ss_type in _SS_TYPES[pos]:
        prefix = lemma.encode("utf-8") + b"%" + ss_type + b":"
        start = _lower_bound(data, prefix)
        while start < len(data):
            line = _line(data, start)
            if not line.startswith(prefix):
                break
            _, number, count = line.split()
            counts[int(number)] = counts.get(int(number), 0) + int(count)
            start += len(line) + 1
    return counts


@cache
def _exceptions(pos: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in _read(f"{POS_NAMES[pos]}.exc").decode("utf-8").splitlines():
        inflected, *bases = line.split()
        table[inflected] = tuple(bases)
    return table


def base_forms(word: str, pos: str) -> tuple[str, ...]:
    """The lemmas of ``word`` as part of speech ``pos`` that WordNet knows (morph(7WN)).

    An irregular form is looked up in the exception list only; otherwise the word itself
    and every detachment rule's result are kept when the index has them.

    Examples
    --------
    >>> base_forms("sat", "v"), base_forms("flooded", "v"), base_forms("cats", "n")
    (('sit',), ('flood',), ('cat',))
    """
    word = word.lower().replace(" ", "_")
    if word in _exceptions(pos):
        candidates = [word, *_exceptions(pos)[word]]
    else:
        candidates = [word] + [
            word[: -len(suffix)] + ending
            for suffix, ending in _RULES[pos]
            if word.endswith(suffix) and len(word) > len(suffix)
        ]
    found = [c for c in dict.fromkeys(candidates) if _index_offsets(c, pos)]
    return tuple(found)


@lru_cache(maxsize=4096)
def senses(word: str) -> tuple[Sense, ...]:
    """Every sense of ``word`` over all parts of speech, with its lexicographer file.

    Examples
    --------
    >>> [s.lexname for s in senses("river")]
    ['noun.object']
    >>> s = senses("cat")[0]
    >>> (s.lemma, s.pos, s.number, s.lexname, s.count)
    ('cat', 'n', 1, 'noun.animal', 18)
    """
    found: list[Sense] = []
    for pos in POS_NAMES:
        for lemma in base_forms(word, pos):
            counts = _tag_counts(lemma, pos)
            for number, offset in enumerate(_index_offsets(lemma, pos), start=1):
                lexname, words = _synset(pos, offset)
                proper = any(w.split("(")[0].lower() == lemma and w != w.lower() for w in words)
                found.append(Sense(lemma, pos, number, lexname, counts.get(number, 0), proper))
    return tuple(found)
