"""Number Texts made from the worked example and recorded in the ledger as they are shown.

A scene never types a number it displays: it names the number's source in the worked
example (``"scores[2, 1]"``, grammar in docs/ARCHITECTURE.md) and :class:`Numbers` looks the
value up, formats it with :func:`attention.format_number`, records it in the ledger and
returns the Text. A row of weights is its values one by one, each the nearest at its
decimals (equal weights look equal); where the shown parts do not add up to the row's sum,
:meth:`Numbers.row_total` says so beside the true sum (``sum(weights[2])``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from manim import Text

from attention import format_number, format_row
from attention.numbers.sources import (
    DERIVED,
    Source,
    SourceError,
    cell_source,
    derived_value,
    parse_source,
)
from scenes.kit.cells import BlankCell, arrange_grid, number_text
from scenes.kit.palette import TEXT, WEIGHT
from scenes.kit.style import NUMBER, SMALL_NUMBER

if TYPE_CHECKING:
    from attention import NumbersLedger, WorkedExample

__all__ = [
    "BlankCell",
    "Numbers",
    "number_text",
    "resolve_source",
    "source_array",
    "cell_source",
    "arrange_grid",
    "fitting_decimals",
    "row_sum_source",
]

MIN_SCALE = SMALL_NUMBER / NUMBER  # smallest scale of digits legible at 480p (TokenRow.under's)
DIGIT_WIDTH = 0.153  # width of one DejaVu Sans Mono character at font size NUMBER


def source_array(example: WorkedExample, source: Source) -> np.ndarray:
    """The whole array (or scalar) a parsed source's name and arguments denote in ``example``.

    Worked-example fields, the derived scalars, and the lessons' quantities
    and the trained heads' patterns (:data:`attention.numbers.sources.DERIVED`), computed
    with numpy.
    """
    if source.name in DERIVED:
        try:
            return np.asarray(derived_value(example, source.name, source.args))
        except ValueError as err:
            raise SourceError(f"bad number source {source.name!r}{source.args}: {err}") from None
    if source.args:
        raise SourceError(f"bad number source: {source.name!r} takes no arguments")
    if source.name == "sqrt_d_head":
        return np.asarray(math.sqrt(example.d_head))
    if source.name == "n_tokens":
        return np.asarray(example.n_tokens)
    return np.asarray(getattr(example, source.name))


def resolve_source(example: WorkedExample, source: str) -> float:
    """The value a ledger ``source`` names in ``example``, parsed by the checker's parser.

    A source the checker could not read fails here, when the scene records it.

    Examples
    --------
    >>> from attention import worked_example
    >>> ex = worked_example()
    >>> resolve_source(ex, "scores[2, 1]") == float(ex.scores[2, 1])
    True
    >>> resolve_source(ex, "attention_cells(12)")
    144.0
    """
    src = parse_source(source)
    array = source_array(example, src)
    try:
        value = array[src.indices] if src.indices else array
    except IndexError:
        raise SourceError(f"bad number source {source!r}: index out of range") from None
    if src.total:
        return float(np.sum(value))
    if np.ndim(value):
        raise SourceError(f"bad number source {source!r}: names a row or matrix, add indices")
    return float(value)


class Numbers:
    """Makes number Texts for one scene, each recorded once in the ledger as displayed.

    Parameters
    ----------
    ledger
        The scene's :class:`attention.NumbersLedger`.
    example
        The worked example the numbers come from.
    scene_id
        The scene id recorded with each entry (the script's scene id).
    decimals
        Default number of decimals shown.

    Examples
    --------
    >>> nums = Numbers(scene.ledger, scene.example, "scores")     # doctest: +SKIP
    >>> score = nums.text("scores[2, 1]", label="q·k cat", color=TEXT)   # doctest: +SKIP
    >>> row = nums.weight_row(example.focus_index)               # doctest: +SKIP
    """

    def __init__(
        self,
        ledger: NumbersLedger,
        example: WorkedExample,
        scene_id: str,
        decimals: int = 2,
    ) -> None:
        self.ledger = ledger
        self.example = example
        self.scene_id = scene_id
        self.decimals = decimals
        self._recorded: set[tuple[str, str]] = set()

    def array(self, name: str) -> np.ndarray:
        """The whole field ``name`` names (``"q"``, ``"tempered_weights(0.5)"``)."""
        return source_array(self.example, parse_source(name))

    def width(self, name: str) -> int:
        """Entries per row of the 2-D field ``name`` (``d_head`` for ``"k"``)."""
        return int(np.shape(self.array(name))[-1])

    def value(self, source: str) -> float:
        """The exact value ``source`` names (for sizes of bars and colours of cells)."""
        return resolve_source(self.example, source)

    def shown(self, source: str, decimals: int | None = None) -> str:
        """How ``source`` is displayed, without recording it."""
        return format_number(self.value(source), self._decimals(decimals))

    def text(
        self,
        source: str,
        *,
        label: str | None = None,
        decimals: int | None = None,
        color: str = TEXT,
        size: float = NUMBER,
    ) -> Text:
        """The Text of the number ``source`` names, recorded in the ledger.

        Examples
        --------
        >>> nums.text("sqrt_d_head", label="√d").text                 # doctest: +SKIP
        '1.73'
        """
        places = self._decimals(decimals)
        shown = format_number(self.value(source), places)
        self._record(label or source, shown, source, places)
        return number_text(shown, color, size)

    def vector(
        self,
        name: str,
        row: int,
        *,
        cols: Sequence[int] | None = None,
        prefix: Sequence[int] = (),
        decimals: int | None = None,
        color: str = TEXT,
        size: float = NUMBER,
        blank_zeros: bool = False,
    ) -> list[Text]:
        """The numbers of row ``row`` of field ``name`` (e.g. ``q``, token 2), recorded; with
        ``blank_zeros`` an entry that rounds to zero is a quiet :class:`BlankCell` instead.

        Examples
        --------
        >>> [t.text for t in nums.vector("q", 2)]                        # doctest: +SKIP
        ['0.91', '-0.20', '0.47']
        """
        width = np.shape(self.array(name))[len(prefix) + 1]
        picked = range(width) if cols is None else cols
        sources = [cell_source(name, *prefix, row, j) for j in picked]
        return [_entry(self, s, decimals, color, size, blank_zeros) for s in sources]

    def matrix(
        self,
        name: str,
        *,
        rows: Sequence[int] | None = None,
        cols: Sequence[int] | None = None,
        prefix: Sequence[int] = (),
        decimals: int | None = None,
        color: str = TEXT,
        size: float = NUMBER,
        blank_zeros: bool = False,
    ) -> list[list[Text]]:
        """The numbers of a 2-D field (or a slice of one), row by row, recorded.

        ``rows``/``cols`` pick a block (head 0's ``W_Q`` is ``cols=range(d_head)``);
        ``prefix`` indexes leading axes (``prefix=(h,)`` for ``head_weights``).

        Examples
        --------
        >>> w = nums.matrix("w_q", cols=range(ex.d_head))               # doctest: +SKIP
        >>> len(w), len(w[0])                                           # doctest: +SKIP
        (6, 3)
        """
        shape = np.shape(self.array(name))[len(prefix) :]
        picked = range(shape[0]) if rows is None else rows
        return [self.vector(name, i, cols=cols, prefix=prefix, decimals=decimals, color=color,
                            size=size, blank_zeros=blank_zeros) for i in picked]  # fmt: skip

    def weight_row(
        self,
        row: int,
        *,
        name: str = "weights",
        prefix: Sequence[int] = (),
        decimals: int | None = None,
        color: str = WEIGHT,
        size: float = NUMBER,
    ) -> list[Text]:
        """Row ``row`` of a matrix of weights, each the nearest value at its decimals, recorded.

        Never nudged to add up: six weights of 1/6 show 0.17 each. Where that shows,
        the scene puts :meth:`row_total` beside the row.

        Examples
        --------
        >>> row = nums.weight_row(2)                                    # doctest: +SKIP
        >>> [t.text for t in row]                                       # doctest: +SKIP
        ['0.10', '0.35', '0.10', '0.10', '0.10', '0.24']
        """
        places = self._decimals(decimals)
        texts = []
        for j, shown in enumerate(self.rounded_row(row, name=name, prefix=prefix, decimals=places)):
            source = cell_source(name, *prefix, row, j)
            self._record(source, shown, source, places)
            texts.append(number_text(shown, color, size))
        return texts

    def rounded_row(
        self,
        row: int,
        *,
        name: str = "weights",
        prefix: Sequence[int] = (),
        decimals: int | None = None,
    ) -> list[str]:
        """The displayed strings of row ``row`` (each the nearest value), not recorded."""
        return format_row(self.array(name)[(*prefix, row)], self._decimals(decimals))

    def row_total(
        self,
        row: int,
        *,
        name: str = "weights",
        prefix: Sequence[int] = (),
        decimals: int | None = None,
        color: str = WEIGHT,
        size: float = NUMBER,
        label: str = "sum of weights",
    ) -> Text:
        """The true sum of row ``row`` (``sum(weights[2])``, from the unrounded weights),
        recorded: what a scene shows beside rounded parts that may not add up to it.

        Examples
        --------
        >>> nums.row_total(2).text                                      # doctest: +SKIP
        '1.00'
        """
        return self.text(row_sum_source(name, prefix, row), label=label, decimals=decimals,
                         color=color, size=size)  # fmt: skip

    def _decimals(self, decimals: int | None) -> int:
        return self.decimals if decimals is None else decimals

    def _record(self, label: str, shown: str, source: str, decimals: int) -> None:
        parse_source(source)  # the checker's grammar: a bad source fails here, not later
        key = (source, shown)
        if key in self._recorded:  # a number shown twice is one number
            return
        self._recorded.add(key)
        self.ledger.record(self.scene_id, label, shown, source, decimals)


def _entry(
    nums: Numbers, source: str, decimals: int | None, color: str, size: float, blank: bool
) -> Text:
    """The Text of ``source``, or a :class:`BlankCell` when ``blank`` and it rounds to 0."""
    places = nums.decimals if decimals is None else decimals
    shown = nums.shown(source, places)
    if not blank or float(shown) != 0.0:
        return nums.text(source, decimals=places, color=color, size=size)
    nums.ledger.record_blank(nums.scene_id, source, shown, source, places)
    return BlankCell(shown, size)


def fitting_decimals(
    nums: Numbers, sources: Sequence[str], max_width: float, size: float = NUMBER
) -> int:
    """The most decimals (up to ``nums``' default) at which every source fits ``max_width``.

    Crowded layouts (12 long tokens) show fewer decimals rather than shrinking digits
    below legibility; what is shown is still what is recorded.

    Examples
    --------
    >>> fitting_decimals(nums, ["q[2, 0]", "q[2, 1]"], 0.5)          # doctest: +SKIP
    1
    """
    # digits may shrink to MIN_SCALE (still >= 11 px at 480p) before a decimal goes;
    # data keeps at least one decimal
    char_width = DIGIT_WIDTH * size / NUMBER * MIN_SCALE
    for places in range(nums.decimals, 1, -1):
        widest = max(len(nums.shown(source, places)) for source in sources)
        if widest * char_width <= max_width:
            return places
    return 1


def row_sum_source(name: str, prefix: Sequence[int], row: int) -> str:
    """``sum(weights[2])``: the ledger source of a row added up."""
    return f"sum({cell_source(name, *prefix, row)})"
