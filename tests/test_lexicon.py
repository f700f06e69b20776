"""The WordNet reader and the named-dimension embeddings, checked against database facts.

Facts were read from Debian's wordnet-base files by hand (grep on index.*, data.*,
cntlist.rev, *.exc), e.g. ``cat n ... 02121620`` and data.noun ``02121620 05 n 02 cat``
(lex_filenum 05 = noun.animal), ``cat%1:05:00:: 1 18`` in cntlist.rev.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from attention.models.lexicon import CLOSED_CLASS, DIMENSIONS, LEXNAME_DIMENSIONS, OVERRIDES, embed
from attention.models.wordnet import LEXNAMES, LexiconError, base_forms, senses


def lexnames(word: str, pos: str | None = None) -> set[str]:
    return {s.lexname for s in senses(word) if pos is None or s.pos == pos}


def test_lexnames_table_is_lexnames_5wn() -> None:
    assert len(LEXNAMES) == 45
    assert (LEXNAMES[0], LEXNAMES[5], LEXNAMES[17], LEXNAMES[35], LEXNAMES[44]) == (
        "adj.all", "noun.animal", "noun.object", "verb.contact", "adj.ppl")  # fmt: skip
    # every lexicographer file has a place in the named dimensions
    assert set(LEXNAME_DIMENSIONS) == set(LEXNAMES)
    for mix in LEXNAME_DIMENSIONS.values():
        assert set(mix) <= set(DIMENSIONS)
        assert sum(mix.values()) == pytest.approx(1.0)


def test_known_entries() -> None:
    assert "noun.animal" in lexnames("cat", "n")
    first = senses("cat")[0]
    assert (first.lemma, first.pos, first.number, first.lexname, first.count) == (
        "cat", "n", 1, "noun.animal", 18)  # fmt: skip
    # bank: sense 1 sloping land (noun.object, 25 tags), sense 2 the institution (noun.group)
    bank = [s for s in senses("bank") if s.pos == "n"]
    assert (bank[0].lexname, bank[0].count) == ("noun.object", 25)
    assert (bank[1].lexname, bank[1].count) == ("noun.group", 20)
    assert {"noun.possession", "noun.artifact"} <= lexnames("bank", "n")
    assert lexnames("river") == {"noun.object"}
    # dog's fifth noun sense is the hot dog (frank, frankfurter, hotdog): noun.food
    assert [s.lexname for s in senses("dog") if s.pos == "n"][4] == "noun.food"
    assert lexnames("hot") == {"adj.all"}


def test_morphology() -> None:
    # irregular forms from the exception lists, regular ones by detachment rules
    assert base_forms("sat", "v") == ("sit",)
    assert {"verb.contact", "verb.motion"} <= lexnames("sat", "v")
    assert base_forms("flooded", "v") == ("flood",)
    assert base_forms("children", "n") == ("child",)
    assert base_forms("mice", "n") == ("mouse",)
    assert base_forms("checking", "v") == ("check",)
    assert "big" in base_forms("bigger", "a")  # adj.exc: bigger big
    assert base_forms("qwzx", "n") == ()


def test_proper_senses_are_marked() -> None:
    assert any(s.proper and s.lexname == "noun.location" for s in senses("paris"))
    assert not any(s.proper for s in senses("river"))
    assert any(s.proper for s in senses("cat"))  # CAT, computerized axial tomography


def test_embedding_sources() -> None:
    cat = embed("cat")
    assert cat.kind == "wordnet"
    assert cat.word_class == "noun"
    assert cat.source.startswith("wordnet cat: noun.animal 0.9")
    assert embed("the").source == "closed class: determiner"
    assert embed("didn't").source == "closed class: auxiliary + negation (did + not)"
    assert embed("agent").source.startswith("override: ")
    assert embed("3.5").source == "fallback: number (a quantity)"


def test_ambiguous_words_mix_their_senses() -> None:
    named = dict(zip(DIMENSIONS, embed("bank").vector, strict=True))
    # riverside (noun.object -> mostly place) and institution (noun.group -> agent, thing)
    assert named["place"] > 0
    assert named["agent"] > 0
    assert named["thing"] > 0
    assert max(named.values()) < 0.8
    assert dict(zip(DIMENSIONS, embed("river").vector, strict=True))["place"] == 0.7


def test_closed_class_words_come_from_lists() -> None:
    for word, kind in (("the", "determiner"), ("on", "preposition"), ("because", "conjunction"),
                       ("was", "auxiliary"), ("not", "negation"), ("it", "pronoun"),
                       ("its", "possessive")):  # fmt: skip
        assert CLOSED_CLASS[word][0] == kind
        assert embed(word).is_function_word
    # WordNet lists "in" (inch) and "it" (information technology); the lists win
    assert senses("in")
    assert embed("in").source == "closed class: preposition"


def test_fallbacks_are_stated_never_hashed() -> None:
    unknown = embed("zqxwv")
    assert unknown.kind == "fallback"
    assert unknown.source.startswith("fallback: unknown word")
    assert unknown.vector == (0.2, 0.2, 0.2, 0.2, 0.2, 0.0, 0.0, 0.0)
    assert embed("zqxwy").vector == unknown.vector  # same fallback for every unknown word
    assert embed("\U0001f408").vector == unknown.vector
    name = embed("Zorblax")
    assert name.source == "fallback: unknown capitalised word, read as a name"
    assert name.vector == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    # a capital inside the sentence on a word WordNet knows only in lower case: a name
    assert embed("Bob").word_class == "name"
    assert embed("Bob", first=True).word_class != "name"


def test_overrides_have_reasons() -> None:
    for word, (mix, reason) in OVERRIDES.items():
        assert set(mix) <= set(DIMENSIONS)
        assert sum(mix.values()) == pytest.approx(1.0)
        assert len(reason) > 40, word


def test_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    code = "from attention.models.wordnet import senses; senses('cat')"
    env = {"ATTENTION_WORDNET": str(tmp_path), "PATH": ""}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode != 0
    assert "wordnet-base" in run.stderr
    assert LexiconError.__name__ in run.stderr


def test_lookup_is_fast() -> None:
    import time

    start = time.perf_counter()
    for word in ("elephant", "galloped", "quickly", "bluer", "parliament"):
        embed(word)
    assert time.perf_counter() - start < 0.5


def test_attention_imports_no_manim_nor_explainer() -> None:
    code = (
        "import sys, attention; attention.worked_example('The bank of the river flooded'); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'manim', 'explainer', 'scenes'}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
