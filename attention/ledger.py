"""The numbers ledger: every number the video shows, where it comes from, and its verification."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from attention.example import DEFAULT_SENTENCE, WorkedExample, worked_example
from attention.lessons import LESSONS
from attention.reference import reference_values

__all__ = [
    "SOURCE_NAMES",
    "LedgerEntry",
    "NumbersLedger",
    "Source",
    "SourceError",
    "format_number",
    "parse_source",
    "resolve",
    "round_row",
    "spoken_numbers",
    "verify",
]

# Names a source may refer to: any numeric field of the worked example, the derived scalars,
# and the lessons' quantities (attention.lessons), some of which take numeric arguments.
_NOT_NUMBERS = frozenset({"sentence", "tokens", "focus", "dimensions"})
SOURCE_NAMES = (
    *(f.name for f in fields(WorkedExample) if f.name not in _NOT_NUMBERS),
    "sqrt_d_head", "n_tokens", *LESSONS,
)  # fmt: skip

_NAME = r"([a-z_][a-z0-9_]*)"
_INT = r"\s*(\d+)\s*"
_NUM = r"\s*-?\d+(?:\.\d+)?\s*"
_ARGS = rf"(?:\(({_NUM}(?:,{_NUM})*)\))?"  # name(0.5) or name(5, 1, 2, 3, 4, 0)
_SUM = re.compile(rf"^\s*sum\(\s*{_NAME}\s*{_ARGS}\s*\[{_INT}\]\s*\)\s*$")
_INDEXED = re.compile(rf"^\s*{_NAME}\s*{_ARGS}\s*(?:\[({_INT}(?:,{_INT}){{0,2}})\])?\s*$")
_GRAMMAR = (
    "name, name[i], name[i, j], name[h, i, j] or sum(name[i]), "
    "name optionally with numeric arguments: name(0.5)[i, j]"
)
# Decimals to which a value is snapped before it is rounded for display (see format_number).
_SNAP_DECIMALS = 9
# A number said with a decimal point ("0.41", "-0.23", "1.55."); counts like "6" are sizes.
_SPOKEN_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+")


class SourceError(ValueError):
    """A ledger source that does not follow the grammar or names nothing."""


@dataclass(frozen=True)
class Source:
    """A parsed ledger source: ``sum(name[i])`` has ``total=True``; ``name(0.5)`` has args."""

    name: str
    indices: tuple[int, ...]
    total: bool = False
    args: tuple[float, ...] = ()


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
    group: str | None = None


def format_number(x: float, decimals: int) -> str:
    """Fixed-point text with ``decimals`` places; never a negative zero.

    The value is first snapped to 9 decimals, so two float computations of the same
    number (numpy's and the reference's differ in the last bits) print the same text even
    on a rounding tie such as -0.15 at one decimal.

    Examples
    --------
    >>> format_number(-0.001, 2), format_number(1.005, 1)
    ('0.00', '1.0')
    >>> format_number(-0.14999999999999997, 1) == format_number(-0.15000000000000002, 1)
    True
    """
    text = f"{round(x, _SNAP_DECIMALS):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def round_row(values: Sequence[float], decimals: int) -> list[float]:
    """Round a probability row so it adds up to exactly 1 at ``decimals`` places.

    Largest-remainder method, in integer units of ``10**-decimals``: floor every value,
    then give the missing units to the largest remainders (earlier position wins ties).
    Equal values (the weights of "The" and "the") are given their units together, so
    they show the same number, unless no whole group of equal values fits the units left;
    only then are they split. Every shown value is its value rounded down or up.

    Examples
    --------
    >>> round_row([1 / 3, 1 / 3, 1 / 3], 2)
    [0.34, 0.33, 0.33]
    >>> round_row([0.135, 0.135, 0.73], 2)  # not 0.14 and 0.13 for two equal weights
    [0.13, 0.13, 0.74]
    >>> round_row([0.125] * 8 + [0.0] * 4, 2)[6:]  # an exact 0 is never rounded up
    [0.12, 0.12, 0.0, 0.0, 0.0, 0.0]
    """
    scale = 10**decimals
    # snapped like format_number, so 0.29 * 100 = 28.999999999999996 floors to 29
    scaled = [round(v * scale, _SNAP_DECIMALS - decimals) for v in values]
    units = [math.floor(s) for s in scaled]
    missing = scale - sum(units)
    if not 0 <= missing <= len(values):
        raise ValueError(f"row sums to {sum(values)}, not 1: cannot round it as probabilities")
    by_remainder = sorted(range(len(values)), key=lambda i: (-(scaled[i] - units[i]), i))
    equal_values: dict[float, list[int]] = {}
    for i in by_remainder:
        equal_values.setdefault(scaled[i], []).append(i)
    raised: set[int] = set()
    for group in equal_values.values():
        masked = scaled[group[0]] == 0  # an exact zero (a masked weight) always shows 0.00
        if not masked and len(group) <= missing - len(raised):
            raised.update(group)
    raised.update([i for i in by_remainder if i not in raised][: missing - len(raised)])
    return [(u + (i in raised)) / scale for i, u in enumerate(units)]


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

    def record(
        self,
        scene: str,
        label: str,
        shown: str,
        source: str,
        decimals: int,
        group: str | None = None,
    ) -> str:
        """Record one displayed number and return ``shown`` (so it can be used inline).

        Raises :class:`SourceError` at once if ``source`` does not follow the grammar.
        """
        parse_source(source)
        self._entries.append(LedgerEntry(scene, label, shown, source, decimals, group))
        return shown

    def extend(self, entries: Iterable[LedgerEntry] | NumbersLedger) -> None:
        """Append entries from another ledger or any iterable of entries."""
        self._entries.extend(entries.entries if isinstance(entries, NumbersLedger) else entries)

    def with_spoken(
        self, said: Iterable[tuple[str, str, str]], words: Iterable[str] = ()
    ) -> tuple[NumbersLedger, list[str]]:
        """This ledger with its ``spoken`` list matched from the narration ``said``.

        Also returns one problem line per number said that its scene does not show
        (see :func:`spoken_numbers`; the sentence's own ``words`` are exempt).
        """
        spoken, unshown = spoken_numbers(said, self._entries, words)
        return NumbersLedger(self._entries, spoken), unshown

    def to_dict(self, sentence: str, focus: str | None) -> dict[str, Any]:
        """The ``numbers.json`` structure."""
        return {
            "sentence": sentence,
            "focus": focus,
            "entries": [asdict(e) for e in self._entries],
            "spoken": [dict(s) for s in self._spoken],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumbersLedger:
        """Rebuild a ledger from :meth:`to_dict`'s structure (sentence and focus are ignored)."""
        return cls((LedgerEntry(**entry) for entry in data["entries"]), data.get("spoken", ()))

    def to_json(self, sentence: str, focus: str | None) -> str:
        """``numbers.json``'s text.

        Examples
        --------
        >>> print(NumbersLedger().to_json("The cat sat", "sat"))
        {
          "sentence": "The cat sat",
          "focus": "sat",
          "entries": [],
          "spoken": []
        }
        <BLANKLINE>
        """
        return json.dumps(self.to_dict(sentence, focus), indent=2, ensure_ascii=False) + "\n"

    def write_json(self, path: str | os.PathLike[str], sentence: str, focus: str | None) -> Path:
        """Write ``numbers.json`` atomically (a temporary file renamed into place)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.to_json(sentence, focus))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


def parse_source(source: str) -> Source:
    """Parse a ledger source with the tiny grammar (never evaluated).

    Examples
    --------
    >>> parse_source("weights[2, 1]")
    Source(name='weights', indices=(2, 1), total=False, args=())
    >>> parse_source("sum(weights[2])")
    Source(name='weights', indices=(2,), total=True, args=())
    >>> parse_source("tempered_weights(0.5)[2, 1]").args
    (0.5,)
    """
    indices: tuple[int, ...]
    m = _SUM.match(source)
    if m:
        name, raw_args, indices, total = m.group(1), m.group(2), (int(m.group(3)),), True
    elif m := _INDEXED.match(source):
        name, raw_args, total = m.group(1), m.group(2), False
        indices = tuple(int(i) for i in m.group(3).split(",")) if m.group(3) else ()
    else:
        raise SourceError(f"source {source!r} does not follow the grammar {_GRAMMAR}")
    if name not in SOURCE_NAMES:
        raise SourceError(f"source {source!r} names {name!r}, not one of {', '.join(SOURCE_NAMES)}")
    args = tuple(float(a) for a in raw_args.split(",")) if raw_args else ()
    return Source(name, indices, total, args)


def _lookup(values: Mapping[str, Any], src: Source, text: str) -> Any:
    if src.name not in values:
        raise SourceError(f"source {text!r}: the reference has no {src.name!r} to check it with")
    value = values[src.name]
    if callable(value):  # a lesson's quantity, computed for its arguments
        try:
            value = value(src.args)
        except (ValueError, IndexError) as err:
            raise SourceError(f"source {text!r}: {err}") from None
    elif src.args:
        raise SourceError(f"source {text!r}: {src.name!r} takes no arguments")
    for depth, i in enumerate(src.indices):
        if not isinstance(value, list):
            raise SourceError(f"source {text!r} has too many indices for {src.name!r}")
        if i >= len(value):
            raise SourceError(
                f"source {text!r}: index {i} at position {depth} is out of range "
                f"(size {len(value)})"
            )
        value = value[i]
    return value


def resolve(values: Mapping[str, Any], source: str) -> float:
    """The reference number ``source`` names in ``values`` (a :func:`reference_values` dict)."""
    src = parse_source(source)
    value = _lookup(values, src, source)
    if src.total:
        if not isinstance(value, list) or any(isinstance(v, list) for v in value):
            raise SourceError(f"source {source!r}: sum() needs a row of numbers")
        return float(sum(value))
    if isinstance(value, list):
        raise SourceError(f"source {source!r} names a row or matrix, not one number: add indices")
    return float(value)


def _where(e: LedgerEntry) -> str:
    return f"scene {e.scene!r}: {e.label!r}"


def _check_entry(e: LedgerEntry, values: Mapping[str, Any]) -> list[str]:
    try:
        value = resolve(values, e.source)
    except SourceError as err:
        return [f"{_where(e)} has a bad source: {err}"]
    expected = format_number(value, e.decimals)
    if e.group is None and e.shown.strip() != expected:
        exact = f"{value:.{e.decimals + 2}f}"
        return [f"{_where(e)} shows {e.shown} but {e.source} = {exact} -> {expected}"]
    return []


def _units(shown: str, decimals: int) -> int | None:
    try:
        return int(round(float(shown) * 10**decimals))
    except ValueError:
        return None


def _distinct_by_source(
    group: str, entries: list[LedgerEntry]
) -> tuple[list[LedgerEntry], list[str]]:
    """One entry per source: a row shown twice in a scene is still one row of numbers."""
    first: dict[str, LedgerEntry] = {}
    problems = []
    for e in entries:
        seen = first.setdefault(e.source, e)
        if seen.shown.strip() != e.shown.strip():
            problems.append(
                f"{_where(e)} shows {e.shown} but {_where(seen)} shows {seen.shown} "
                f"for the same {e.source} in group {group!r}"
            )
    return list(first.values()), problems


def _check_group(group: str, entries: list[LedgerEntry], values: Mapping[str, Any]) -> list[str]:
    entries, problems = _distinct_by_source(group, entries)
    decimals = {e.decimals for e in entries}
    if len(decimals) != 1:
        return [
            *problems,
            f"group {group!r} mixes precisions {sorted(decimals)}: show one row at one precision",
        ]
    d = decimals.pop()
    units = [_units(e.shown, d) for e in entries]
    if None in units:
        return [*problems, f"group {group!r} has a value that is not a number"]
    total = sum(u for u in units if u is not None)
    if total != 10**d:
        problems.append(
            f"group {group!r} (scene {entries[0].scene!r}) sums to "
            f"{format_number(total / 10**d, d)}, not {format_number(1, d)} at {d} decimals"
        )
    for e in entries:
        try:
            src = parse_source(e.source)
            row = _lookup(values, Source(src.name, src.indices[:-1], args=src.args), e.source)
        except SourceError:
            continue  # already reported by the entry check
        if src.total or not src.indices or not isinstance(row, list):
            problems.append(f"{_where(e)} is in group {group!r} but {e.source} is not a row item")
            continue
        try:
            expected = format_number(round_row(row, d)[src.indices[-1]], d)
        except (TypeError, ValueError):
            problems.append(
                f"{_where(e)} is in group {group!r} but {e.source} is not a probability"
            )
            continue
        if e.shown.strip() != expected:
            problems.append(
                f"{_where(e)} shows {e.shown} but the largest-remainder rounding of "
                f"{src.name}{list(src.indices[:-1])} gives {expected} for {e.source}"
            )
    return problems


def verify(
    ledger: NumbersLedger | Mapping[str, Any],
    sentence: str | None = None,
    focus: str | None = None,
) -> list[str]:
    """Recompute every entry with the independent reference; return one line per problem.

    ``ledger`` is a :class:`NumbersLedger` or a ``numbers.json`` dict (whose sentence and
    focus are used when not given). An empty list means every number is verified.

    Examples
    --------
    >>> ledger = NumbersLedger()
    >>> _ = ledger.record("dims", "d_head", "4", "d_head", 0)
    >>> verify(ledger, "The cat sat on the mat", "sat")
    []
    """
    if not isinstance(ledger, NumbersLedger):
        sentence = sentence if sentence is not None else ledger.get("sentence")
        focus = focus if focus is not None else ledger.get("focus")
        ledger = NumbersLedger.from_dict(ledger)
    example = worked_example(sentence if sentence is not None else DEFAULT_SENTENCE, focus)
    values = reference_values(example)
    problems = [p for e in ledger.entries for p in _check_entry(e, values)]
    # a group is one displayed row within one scene; other scenes may show the same row
    groups: dict[tuple[str, str], list[LedgerEntry]] = {}
    for e in ledger.entries:
        if e.group is not None:
            groups.setdefault((e.scene, e.group), []).append(e)
    for (_, name), members in groups.items():
        problems.extend(_check_group(name, members, values))
    return problems


def spoken_numbers(
    said: Iterable[tuple[str, str, str]],
    entries: Iterable[LedgerEntry],
    words: Iterable[str] = (),
) -> tuple[list[dict[str, str]], list[str]]:
    """Match each decimal number the narration says to a number its own scene shows.

    ``said`` holds ``(scene id, beat id, narration text)`` with placeholders filled. Returns
    one record per spoken number (scene, beat, the text said, the label and source of the
    on-screen number it matches) and one problem line per number the scene never shows,
    so the voice cannot state a number the screen does not. A number that is one of the
    sentence's own ``words`` ("3.5" in "add 3.5 cups") is a word read out, not a claim.

    Examples
    --------
    >>> shown = [LedgerEntry("softmax", "w cat", "0.41", "weights[2, 1]", 2)]
    >>> records, problems = spoken_numbers([("softmax", "gives", "cat gets 0.41.")], shown)
    >>> records[0]["source"], problems
    ('weights[2, 1]', [])
    >>> spoken_numbers([("softmax", "gives", "cat gets 0.42")], shown)[1]
    ["scene 'softmax', beat 'gives' says 0.42 but the scene shows no 0.42"]
    >>> spoken_numbers([("tokens", "split", "Take: add 3.5 cups.")], shown, ["3.5"])
    ([], [])
    """
    read_out = set(words)
    by_scene: dict[str, dict[str, LedgerEntry]] = {}
    for e in entries:
        by_scene.setdefault(e.scene, {}).setdefault(e.shown.strip(), e)
    records, problems = [], []
    for scene, beat, text in said:
        for number in _SPOKEN_DECIMAL.findall(text):
            if number in read_out:
                continue
            match = by_scene.get(scene, {}).get(number)
            if match is None:
                problems.append(
                    f"scene {scene!r}, beat {beat!r} says {number} but the scene shows no {number}"
                )
            else:
                records.append(
                    {"scene": scene, "beat": beat, "said": number,
                     "label": match.label, "source": match.source}
                )  # fmt: skip
    return records, problems
