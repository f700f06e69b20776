"""Every shown number recomputed by the independent reference
(:mod:`attention.numbers.reference`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attention.numbers.ledger import LedgerEntry, NumbersLedger
from attention.numbers.recompute import reference_values
from attention.numbers.sources import Source, SourceError, parse_source
from attention.rounding import format_number
from attention.worked.example import WorkedExample

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
    """The entry's text must be the nearest value at its decimals (within half a unit of
    its last place, ties as :func:`format_number` breaks them): never nudged."""
    try:
        value = resolve(values, e.source)
    except SourceError as err:
        return [f"{_where(e)} has a bad source: {err}"]
    expected = format_number(value, e.decimals)
    if e.shown.strip() != expected:
        exact = f"{value:.{e.decimals + 2}f}"
        return [
            f"{_where(e)} shows {e.shown} but {e.source} = {exact} -> {expected} "
            f"(the nearest at {e.decimals} decimals)"
        ]
    return []


def verify(ledger: NumbersLedger, example: WorkedExample) -> list[str]:
    """Recompute every entry with the independent reference; return one line per problem.

    An empty list means every number is verified: each shown text is the reference value
    rounded to the nearest at its decimals, and each blank cell's value rounds to zero. A
    shown row of weights is its values one by one, never nudged to add up; its sum is an
    entry of its own (``sum(weights[2])``).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ledger = NumbersLedger()
    >>> _ = ledger.record("dims", "d_head", "4", "d_head", 0)
    >>> verify(ledger, worked_example("The cat sat on the mat", "sat"))
    []
    """
    values = reference_values(example)
    return [
        p for e in ledger.entries
        for p in (_check_blank(e, values) if e.blank else _check_entry(e, values))
    ]  # fmt: skip


def _check_blank(e: LedgerEntry, values: Mapping[str, Any]) -> list[str]:
    """A blank cell stands for a value that rounds to zero at its decimals."""
    problems = _check_entry(e, values)
    if problems or float(e.shown) != 0.0:
        return [f"{_where(e)} is blank but {e.source} is not zero at {e.decimals} decimals"]
    return []
