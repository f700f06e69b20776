"""The variants of a batch: one sentence per line, or a TOML list of variants.

A text file has one variant per line, ``sentence`` or ``sentence | focus``; blank lines
and ``#`` comments are skipped. A ``.toml`` file has ``[[variant]]`` tables with
``sentence`` and optionally ``focus``, ``voice`` and ``model``. A problem with the file
itself is one ``file:line: what; fix`` error; a sentence the model cannot take is not:
that variant fails on its own when the batch renders it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from explainer.core.errors import ScriptError

__all__ = ["Variant", "read_variants", "slugs", "variant_record"]

_TOML_KEYS = ("sentence", "focus", "voice", "model")
_SLUG_WORDS = 8  # enough words to tell sentences apart in a folder listing


@dataclass(frozen=True)
class Variant:
    """One video of a batch: the sentence, and what to change besides it.

    Examples
    --------
    >>> Variant("The bat flew out", "bat").base_slug()
    'the-bat-flew-out--bat'
    """

    sentence: str
    focus: str | None = None
    voice: str | None = None
    model: str | None = None
    where: str = ""  # file:line, for messages

    def identity(self) -> dict[str, str | None]:
        """What makes this video: everything but where it was written."""
        return {"sentence": self.sentence, "focus": self.focus, "voice": self.voice,
                "model": self.model}  # fmt: skip

    def digest(self) -> str:
        """A short hash of :meth:`identity` (names twins apart)."""
        text = json.dumps(self.identity(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:6]

    def base_slug(self) -> str:
        """A folder name read off the sentence (and focus): lowercase words and dashes."""
        words = re.findall(r"[a-z0-9]+", self.sentence.lower())[:_SLUG_WORDS]
        slug = "-".join(words) or "sentence"
        if self.focus:
            slug += "--" + ("-".join(re.findall(r"[a-z0-9]+", self.focus.lower())) or "focus")
        return slug


def slugs(variants: list[Variant]) -> list[str]:
    """One folder name per variant, unique: twins by readable name get their digest.

    Examples
    --------
    >>> names = slugs([Variant("A cat"), Variant("a cat!"), Variant("A dog")])
    >>> names[2], names[0].startswith("a-cat-"), names[0] != names[1]
    ('a-dog', True, True)
    """
    bases = [v.base_slug() for v in variants]
    return [
        f"{base}-{v.digest()}" if bases.count(base) > 1 else base
        for base, v in zip(bases, variants, strict=True)
    ]


def read_variants(path: Path) -> list[Variant]:
    """The variants listed in ``path``, in order, each once.

    Raises
    ------
    ScriptError
        ``path:line: what is wrong; how to fix it``, or that the file lists no variant.
    """
    if not path.is_file():
        raise ScriptError(f"{path}: no such file; pass a file with one sentence per line")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScriptError(f"{path}: cannot read it ({error}); save it as UTF-8 text") from None
    found = _from_toml(path, text) if path.suffix == ".toml" else _from_lines(path, text)
    seen: set[str] = set()
    unique = []
    for variant in found:  # a variant listed twice is rendered once
        key = json.dumps(variant.identity(), sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(variant)
    if not unique:
        raise ScriptError(
            f"{path}: no sentence in it; write one sentence per line (`sentence | focus`)"
        )
    return unique


def _from_lines(path: Path, text: str) -> list[Variant]:
    variants = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        where = f"{path}:{number}"
        if len(parts) > 2:
            raise ScriptError(f"{where}: more than one '|'; write `sentence | focus`")
        if not parts[0]:
            raise ScriptError(f"{where}: no sentence before '|'; write `sentence | focus`")
        focus = parts[1] if len(parts) == 2 and parts[1] else None
        variants.append(Variant(parts[0], focus, where=where))
    return variants


def _from_toml(path: Path, text: str) -> list[Variant]:
    try:
        tables = tomllib.loads(text).get("variant", [])
    except tomllib.TOMLDecodeError as error:
        raise ScriptError(f"{path}: not valid TOML: {error}") from None
    if not isinstance(tables, list):
        raise ScriptError(f"{path}: `variant` must be a list of tables; write [[variant]]")
    variants = []
    for index, table in enumerate(tables, start=1):
        where = f"{path}: variant {index}"
        if not isinstance(table, dict):
            raise ScriptError(f"{where}: not a table; write [[variant]] and its keys")
        unknown = sorted(set(table) - set(_TOML_KEYS))
        if unknown:
            raise ScriptError(f"{where}: unknown key {unknown[0]!r}; use {', '.join(_TOML_KEYS)}")
        values: dict[str, str | None] = {}
        for key in _TOML_KEYS:
            value = table.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ScriptError(f"{where}: {key} must be a non-empty string")
            values[key] = value.strip() if value else None
        sentence = values.pop("sentence")
        if sentence is None:
            raise ScriptError(f'{where}: no sentence; add sentence = "..."')
        variants.append(Variant(sentence, **values, where=where))
    return variants


def variant_record(variant: Variant) -> dict[str, str | None]:
    """The variant's fields as ``batch.json`` lists them."""
    record = asdict(variant)
    record.pop("where")
    return record
