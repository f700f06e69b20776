"""Every shown number recomputed by the independent reference (:mod:`attention.reference`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attention.example import WorkedExample
from attention.ledger import LedgerEntry, NumbersLedger
from attention.reference import reference_values
from attention.rounding import format_number, round_row
from attention.sources import Source, SourceError, parse_source

__all__ = ["resolve", "verify"]


def _is_rows(value: Any) -> bool:
    """A row, matrix or stack of them (lists, or the reference's lazily computed rows)."""
    return isinstance(value, Sequence) and not isinstance(value, str)


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
        if not _is_rows(value):
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
        if not _is_rows(value) or any(_is_rows(v) for v in value):
            raise SourceError(f"source {source!r}: sum() needs a row of numbers")
        return float(sum(value))
    if _is_rows(value):
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
        if src.total or not src.indices or not _is_rows(row):
            problems.append(f"{_where(e)} is in group {group!r} but {e.source} is not a row item")
            continue
        try:
            expected = format_number(round_row(list(row), d)[src.indices[-1]], d)
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


def verify(ledger: NumbersLedger, example: WorkedExample) -> list[str]:
    """Recompute every entry with the independent reference; return one line per problem.

    An empty list means every number is verified: each shown value is the reference value
    at its precision, and each group (one displayed probability row) adds up to exactly 1
    and is the largest-remainder rounding of the reference row.

    Examples
    --------
    >>> from attention.example import worked_example
    >>> ledger = NumbersLedger()
    >>> _ = ledger.record("dims", "d_head", "4", "d_head", 0)
    >>> verify(ledger, worked_example("The cat sat on the mat", "sat"))
    []
    """
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
