"""Where a shown number comes from: the ledger's source grammar, parsed and never evaluated.

``scores[2, 1]``, ``sum(weights[2])``, ``tempered_weights(0.5)[2, 1]``: a name of the worked
example's numeric fields (or a derived scalar, or a lesson's quantity) with indices and,
for lessons, numeric arguments. Scenes and the checker share this one parser, so a bad
source fails when a scene records it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from attention.story.decoder_numbers import DECODER_DERIVED
from attention.story.decoder_patterns import DECODER_SHARES
from attention.story.patterns import PATTERNS
from attention.worked.example import WorkedExample
from attention.worked.generation import GENERATION
from attention.worked.lessons import LESSONS

__all__ = [
    "DERIVED",
    "RECORD_NAMES",
    "SOURCE_NAMES",
    "Source",
    "SourceError",
    "call_source",
    "cell_source",
    "derived_value",
    "parse_source",
]

# quantities computed from the example on demand, some with numeric arguments: the lecture
# chapters' lessons, the trained heads' measured patterns, and a decoder's generation
# (step_next(s)[k], step_attention(s)[l, h, j]), head measures (decoder_share(m)[l, h]), next
# token and repeated sequence (next[k], next_logit[k], repeated_attention[l, h, i, j],
# induction_score[l, h])
DERIVED: dict[str, Callable[[WorkedExample, tuple[float, ...]], NDArray[np.float64] | float]] = {
    **LESSONS,
    **PATTERNS,
    **GENERATION,
    **DECODER_SHARES,
    **DECODER_DERIVED,
}

# Names a source may refer to: any numeric field of the worked example, the derived scalars,
# and the lessons' quantities (attention.worked.lessons), some of which take numeric arguments.
_NOT_NUMBERS = frozenset({"spec", "tokens", "focus", "dimensions", "sources", "record", "kind"})
# every layer's every head, indexed [layer, head, ...]: attention[l, h, i, j] is the weight
# query token i gives key token j in head h of layer l (0-based, in the model's tokens)
RECORD_NAMES = ("attention", "queries", "keys", "values", "logits", "contexts")
SOURCE_NAMES = (
    *(f.name for f in fields(WorkedExample) if f.name not in _NOT_NUMBERS),
    *RECORD_NAMES, "sqrt_d_head", "n_tokens", "n_layers", *DERIVED,
)  # fmt: skip

_NAME = r"([a-z_][a-z0-9_]*)"
_INT = r"\s*(\d+)\s*"
_NUM = r"\s*-?\d+(?:\.\d+)?\s*"
_ARGS = rf"(?:\(({_NUM}(?:,{_NUM})*)\))?"  # name(0.5) or name(5, 1, 2, 3, 4, 0)
# sum(name[i]) or sum(name[l, h, i]): the row the indices reach, added up
_SUM = re.compile(rf"^\s*sum\(\s*{_NAME}\s*{_ARGS}\s*\[({_INT}(?:,{_INT}){{0,2}})\]\s*\)\s*$")
_INDEXED = re.compile(rf"^\s*{_NAME}\s*{_ARGS}\s*(?:\[({_INT}(?:,{_INT}){{0,3}})\])?\s*$")
_GRAMMAR = (
    "name, name[i], name[i, j], name[h, i, j], name[l, h, i, j], sum(name[i]) or "
    "sum(name[l, h, i]), "
    "name optionally with numeric arguments: name(0.5)[i, j]"
)


class SourceError(ValueError):
    """A ledger source that does not follow the grammar or names nothing."""


@dataclass(frozen=True)
class Source:
    """A parsed ledger source: ``sum(name[i])`` (or ``sum(name[l, h, i])``, a trained head's
    row) has ``total=True``; ``name(0.5)`` has args."""

    name: str
    indices: tuple[int, ...]
    total: bool = False
    args: tuple[float, ...] = ()


def cell_source(name: str, *index: int) -> str:
    """The source naming ``name[index...]`` (``name`` alone without an index).

    Examples
    --------
    >>> cell_source("weights", 2, 1), cell_source("sqrt_d_head")
    ('weights[2, 1]', 'sqrt_d_head')
    >>> cell_source("tempered_weights(0.5)", 2)
    'tempered_weights(0.5)[2]'
    """
    return f"{name}[{', '.join(str(i) for i in index)}]" if index else name


def call_source(name: str, *args: float) -> str:
    """The source naming derived quantity ``name`` at numeric ``args``.

    Examples
    --------
    >>> call_source("tempered_weights", 0.5), call_source("temperature", 5.0)
    ('tempered_weights(0.5)', 'temperature(5)')
    """
    return f"{name}({', '.join(f'{a:g}' for a in args)})"


def parse_source(source: str) -> Source:
    """Parse a ledger source with the tiny grammar (never evaluated).

    Examples
    --------
    >>> parse_source("weights[2, 1]")
    Source(name='weights', indices=(2, 1), total=False, args=())
    >>> parse_source("sum(weights[2])")
    Source(name='weights', indices=(2,), total=True, args=())
    >>> parse_source("sum(attention[2, 1, 11])").indices
    (2, 1, 11)
    >>> parse_source("tempered_weights(0.5)[2, 1]").args
    (0.5,)
    """
    indices: tuple[int, ...]
    m = _SUM.match(source)
    if m:
        name, raw_args, total = m.group(1), m.group(2), True
        indices = tuple(int(i) for i in m.group(3).split(","))
    elif m := _INDEXED.match(source):
        name, raw_args, total = m.group(1), m.group(2), False
        indices = tuple(int(i) for i in m.group(3).split(",")) if m.group(3) else ()
    else:
        raise SourceError(f"source {source!r} does not follow the grammar {_GRAMMAR}")
    if name not in SOURCE_NAMES:
        raise SourceError(f"source {source!r} names {name!r}, not one of {', '.join(SOURCE_NAMES)}")
    args = tuple(float(a) for a in raw_args.split(",")) if raw_args else ()
    return Source(name, indices, total, args)


def derived_value(
    example: WorkedExample, name: str, args: tuple[float, ...]
) -> NDArray[np.float64] | float:
    """The derived quantity ``name`` for ``args`` (e.g. ``tempered_weights``, ``(0.5,)``).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> derived_value(worked_example(), "attention_cells", (12.0,))
    144.0
    """
    if name not in DERIVED:
        raise ValueError(f"no derived quantity {name!r}: use one of {', '.join(DERIVED)}")
    return DERIVED[name](example, args)
