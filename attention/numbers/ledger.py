"""The numbers ledger: every number the video shows, exactly as shown, and where it comes from.

A scene records each number it displays with its source (``scores[2, 1]``, grammar in
:mod:`attention.numbers.sources`), and each cell it leaves blank because its value rounds to
zero (a quiet dot in a column of numbers: a blank is a claim too, so it is checked);
:func:`attention.numbers.verify.verify` recomputes every entry with the independent
reference, and :func:`attention.numbers.spoken.spoken_numbers` pairs each number the
narration says with one its scene shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from attention.numbers.sources import parse_source
from attention.spec import ExampleSpec

__all__ = ["LedgerEntry", "NumbersLedger"]


@dataclass(frozen=True)
class LedgerEntry:
    """One displayed number: which scene, what label, the text shown, and its origin.

    Examples
    --------
    >>> LedgerEntry("scores", "q·k cat", "1.23", "scores[2, 1]", 2).shown
    '1.23'
    """

    scene: str
    label: str
    shown: str
    source: str
    decimals: int
    blank: bool = False  # drawn as a quiet dot: ``shown`` is the zero it stands for

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``numbers.json`` writes it (a blank is known by its list)."""
        return {k: v for k, v in asdict(self).items() if k != "blank"}


class NumbersLedger:
    """Records every number a scene displays, exactly as displayed.

    Examples
    --------
    >>> ledger = NumbersLedger()
    >>> ledger.record("scores", "q·k cat", "1.23", "scores[2, 1]", 2)
    '1.23'
    >>> len(ledger.entries)
    1
    """

    def __init__(
        self, entries: Iterable[LedgerEntry] = (), spoken: Iterable[Mapping[str, str]] = ()
    ) -> None:
        self._entries: list[LedgerEntry] = list(entries)
        self._spoken: list[dict[str, str]] = [dict(s) for s in spoken]

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """All recorded entries, in recording order."""
        return tuple(self._entries)

    @property
    def spoken(self) -> tuple[dict[str, str], ...]:
        """The numbers the narration says, each paired with the entry it repeats."""
        return tuple(self._spoken)

    @property
    def blanks(self) -> tuple[LedgerEntry, ...]:
        """The cells shown blank, each with the zero it stands for (``shown``)."""
        return tuple(e for e in self._entries if e.blank)

    def record_blank(self, scene: str, label: str, zero: str, source: str, decimals: int) -> None:
        """Record a cell left blank: ``source`` rounds to ``zero`` (``"0.00"``) at ``decimals``.

        Examples
        --------
        >>> ledger = NumbersLedger()
        >>> ledger.record_blank("qkv", "k[2, 0]", "0.00", "k[2, 0]", 2)
        >>> ledger.blanks[0].shown, ledger.to_dict(ExampleSpec("a b", "a"))["entries"]
        ('0.00', [])
        """
        parse_source(source)
        entry = LedgerEntry(scene, label, zero, source, decimals, blank=True)
        if entry not in self._entries:  # a blank shown twice is one blank
            self._entries.append(entry)

    def record(
        self,
        scene: str,
        label: str,
        shown: str,
        source: str,
        decimals: int,
    ) -> str:
        """Record one displayed number and return ``shown`` (so it can be used inline).

        Raises :class:`SourceError` at once if ``source`` does not follow the grammar.
        """
        parse_source(source)
        self._entries.append(LedgerEntry(scene, label, shown, source, decimals))
        return shown

    def extend(self, entries: Iterable[LedgerEntry] | NumbersLedger) -> None:
        """Append entries from another ledger or any iterable of entries."""
        self._entries.extend(entries.entries if isinstance(entries, NumbersLedger) else entries)

    def to_dict(
        self, spec: ExampleSpec, chapters: Mapping[str, ExampleSpec] | None = None
    ) -> dict[str, Any]:
        """The ``numbers.json`` structure: the example's spec, then every entry and spoken
        number. ``chapters`` names the scenes whose numbers come from another spec (a
        trained-model chapter in a video of the designed model), so each entry can be
        recomputed from the example it was shown from.
        """
        return {
            **spec.to_dict(),
            **({"chapters": {k: v.to_dict() for k, v in chapters.items()}} if chapters else {}),
            "entries": [e.to_dict() for e in self._entries if not e.blank],
            "spoken": [dict(s) for s in self._spoken],
            **({"blank": [e.to_dict() for e in self.blanks]} if self.blanks else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumbersLedger:
        """Rebuild a ledger from :meth:`to_dict`'s structure (the specs are ignored)."""
        shown = [LedgerEntry(**entry) for entry in data["entries"]]
        blank = [LedgerEntry(**entry, blank=True) for entry in data.get("blank", ())]
        return cls([*shown, *blank], data.get("spoken", ()))

    def to_json(self, spec: ExampleSpec, chapters: Mapping[str, ExampleSpec] | None = None) -> str:
        """``numbers.json``'s text.

        Examples
        --------
        >>> print(NumbersLedger().to_json(ExampleSpec("The cat sat", "sat")))
        {
          "sentence": "The cat sat",
          "focus": "sat",
          "model": "hand",
          "entries": [],
          "spoken": []
        }
        <BLANKLINE>
        """
        text = json.dumps(self.to_dict(spec, chapters), indent=2, ensure_ascii=False)
        return text + "\n"
