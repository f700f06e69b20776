"""A trained model's tokens, as it reads them: [CLS], word pieces, [SEP], in one or more rows.

A trained model cuts a sentence into more tokens than words ("didn't" is ``didn``, ``'``,
``t``; "parrots" is ``parrot``, ``##s``) and adds its own tokens at the start and the end.
:class:`TokenLines` shows every token whole: when one row would have to shorten words or
leave too little room under each chip for a number, the tokens wrap onto more rows, broken
between words (a word's pieces stay together). Under the chips it can show where the pieces
came from: a bracket under the pieces of one word with the word, and "start" / "end" under
the tokens the model adds.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import DashedVMobject, Line, Mobject, RoundedRectangle, VGroup

from scenes.kit.chips import CHIP_HEIGHT, TokenChip, TokenRow
from scenes.kit.palette import BACKGROUND, MUTED, QUERY, TEXT
from scenes.kit.style import LABEL, NUMBER, SAFE_WIDTH, SMALL_NUMBER, TOKEN_ROW_Y, fit_width, text

__all__ = ["MIN_SLOT", "TokenLines", "line_breaks", "model_tokens"]

MIN_SLOT = 0.72  # a chip's column holds "0.00" at the smallest legible digits, and a gap
MAX_LINES = 3  # beyond this the last try keeps three rows and lets TokenRow shorten words
GROUP_Y = -0.4  # the bracket under a word's pieces, from the chips' centre
WORD_Y = -0.62  # the word itself


def model_tokens(
    word_of: Sequence[int | None], added: Sequence[bool] = ()
) -> tuple[set[int], set[int]]:
    """The tokens a model adds before the first word ([CLS]) and after the last ([SEP]):
    of the tokens of no word there, those ``added`` says the model added (a final period
    is punctuation, not the model's), or all of them when ``added`` is empty.

    Examples
    --------
    >>> model_tokens((None, 0, 0, 1, None))
    ({0}, {4})
    >>> model_tokens((None, 0, None, None), (True, False, False, True))
    ({0}, {3})
    """
    worded = [i for i, w in enumerate(word_of) if w is not None]
    first, last = (worded[0], worded[-1]) if worded else (len(word_of), -1)
    loose = [i for i, w in enumerate(word_of) if w is None and (not added or added[i])]
    return {i for i in loose if i < first}, {i for i in loose if i > last}


def line_breaks(word_of: Sequence[int | None], lines: int) -> list[int]:
    """Where ``lines`` rows of tokens start: near equal rows, never inside a word.

    Examples
    --------
    >>> line_breaks((None, 0, 1, 1, 1, 2, 3, None), 2)
    [0, 5]
    >>> line_breaks((None, 0, None), 1)
    [0]
    """
    n = len(word_of)
    starts = [0]
    # a row may start where a token is not the next piece of the word before it
    allowed = [i for i in range(1, n) if word_of[i] is None or word_of[i] != word_of[i - 1]]
    for k in range(1, lines):
        ideal = k * n / lines
        later = [i for i in allowed if i > starts[-1]]
        if not later:
            break
        starts.append(min(later, key=lambda i: (abs(i - ideal), i)))
    return starts


class TokenLines(VGroup):
    """A model's tokens as chips in as few rows as keep each one whole and legible.

    Parameters
    ----------
    tokens
        The model's tokens (``example.tokens``).
    word_of
        The word each token came from, None for tokens the model adds and punctuation.
    added
        Whether the model added each token ([CLS], [SEP]); empty: every token of no word
        before the first word or after the last.
    pitch
        The distance between rows, or a function of the number of rows giving it (the
        chapter knows what it stacks under each row).
    top
        The first row's centre (the token row's place in every chapter).

    Examples
    --------
    >>> lines = TokenLines(("[CLS]", "the", "cat", "[SEP]"), (None, 0, 1, None), pitch=2.0)
    >>> len(lines.rows), lines.line_of(3), float(round(lines.y_of(0), 6))
    (1, 0, 2.6)
    """

    def __init__(
        self,
        tokens: Sequence[str],
        word_of: Sequence[int | None],
        pitch: float | dict[int, float],
        top: float = TOKEN_ROW_Y,
        max_width: float = SAFE_WIDTH,
        added: Sequence[bool] = (),
    ) -> None:
        self.tokens, self.word_of = tuple(tokens), tuple(word_of)
        self.starts, self.rows = self._rows(max_width)
        step = pitch if isinstance(pitch, float | int) else pitch[len(self.rows)]
        for k, row in enumerate(self.rows):
            row.set_y(top - k * step)
        self.start, self.end = model_tokens(self.word_of, added)
        for i in self.start | self.end:
            _mark_as_models(self.chip(i))
        super().__init__(*self.rows)

    def _rows(self, max_width: float) -> tuple[list[int], list[TokenRow]]:
        """The fewest rows whose chips keep their full size; else the fewest that keep every
        token whole and legible; else :data:`MAX_LINES` rows, words shortened if they must."""
        tried: dict[int, tuple[list[int], list[TokenRow]]] = {}
        for lines in range(1, MAX_LINES + 1):
            starts = line_breaks(self.word_of, lines)
            stops = [*starts[1:], len(self.tokens)]
            rows = [TokenRow(self.tokens[a:b], max_width=max_width)
                    for a, b in zip(starts, stops, strict=True)]  # fmt: skip
            tried[lines] = starts, rows
            if _full_size(rows):
                return starts, rows
        for starts, rows in tried.values():
            if _whole(rows):
                return starts, rows
        return tried[MAX_LINES]

    # -- where each token is -------------------------------------------------------------

    def line_of(self, index: int) -> int:
        """The row token ``index`` is in (0 = the top row)."""
        return max(k for k, start in enumerate(self.starts) if start <= index)

    def position(self, index: int) -> tuple[int, int]:
        """Token ``index``'s row and its place in that row (for things drawn per row).

        Examples
        --------
        >>> TokenLines(("a", "b"), (0, 1), pitch=2.0).position(1)
        (0, 1)
        """
        line = self.line_of(index)
        return line, index - self.starts[line]

    def chip(self, index: int) -> TokenChip:
        """The chip of token ``index``."""
        k = self.line_of(index)
        return self.rows[k].chip(index - self.starts[k])

    def x_of(self, index: int) -> float:
        """The horizontal centre of token ``index``'s chip."""
        return float(self.chip(index).get_center()[0])

    def y_of(self, index: int) -> float:
        """The vertical centre of token ``index``'s row."""
        return float(self.rows[self.line_of(index)].get_center()[1])

    def line_ys(self) -> list[float]:
        """Each row's vertical centre, top to bottom."""
        return [float(row.get_center()[1]) for row in self.rows]

    def line_tokens(self, line: int) -> range:
        """The indices of the tokens in row ``line``."""
        stop = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.tokens)
        return range(self.starts[line], stop)

    def slot_width(self) -> float:
        """The narrowest distance between neighbouring chips' centres in any row."""
        return min(row.slot_width() for row in self.rows)

    def outline(self, index: int, color: str = QUERY) -> RoundedRectangle:
        """An outline around token ``index``'s chip (query yellow: the focus asks)."""
        return self.rows[self.line_of(index)].outline(index - self.starts[self.line_of(index)],
                                                      color)  # fmt: skip

    def under(self, items: Sequence[Mobject], offset: float, gap: float = 0.16) -> VGroup:
        """``items`` (one per token) centred under the chips, ``offset`` below each row's
        centre (negative: below), all shrunk by one factor when the narrowest column needs
        it, never below SMALL_NUMBER / NUMBER (digits stay legible at 480p).

        Examples
        --------
        >>> lines = TokenLines(("a", "b"), (0, 1), pitch=2.0)
        >>> numbers = lines.under([text("0.50"), text("0.50")], offset=-1.0)
        >>> float(round(numbers[0].get_center()[1], 6))
        1.6
        """
        group = VGroup(*items)
        widest = max(item.width for item in items)
        room = self.slot_width() - gap
        if widest > room:
            for item in items:
                item.scale(max(room / widest, SMALL_NUMBER / NUMBER))
        for i, item in enumerate(items):
            item.move_to([self.x_of(i), self.y_of(i) + offset, 0])
        return group

    # -- where the tokens came from ------------------------------------------------------

    def word_groups(self, words: Sequence[str]) -> VGroup:
        """Under each word the model cut into pieces, a bracket and the word; "start" and
        "end" under the tokens the model adds. One-token words need nothing.

        Examples
        --------
        >>> lines = TokenLines(("[CLS]", "parrot", "##s", "[SEP]"), (None, 0, 0, None), pitch=2.0)
        >>> [m.text for m in lines.word_groups(("parrots",)) if hasattr(m, "text")]
        ['start', 'end', 'parrots']
        """
        group = VGroup()
        for i in sorted(self.start | self.end):
            label = text("start" if i in self.start else "end", size=LABEL, color=MUTED)
            group.add(label.move_to([self.x_of(i), self.y_of(i) + WORD_Y, 0]))
        pieces: dict[int, list[int]] = {}
        for i, w in enumerate(self.word_of):
            if w is not None:
                pieces.setdefault(w, []).append(i)
        for w, members in pieces.items():
            if len(members) > 1:
                group.add(*self._bracket(members, words[w]))
        return group

    def _bracket(self, members: list[int], word: str) -> tuple[Line, Mobject]:
        first, last = self.chip(members[0]), self.chip(members[-1])
        y = self.y_of(members[0]) + GROUP_Y
        left, right = float(first.get_left()[0]), float(last.get_right()[0])
        bracket = Line([left, y, 0], [right, y, 0], color=MUTED, stroke_width=2.5)
        label = text(word, size=LABEL, color=TEXT)
        fit_width(label, right - left + 0.8 * self.slot_width())
        return bracket, label.move_to([(left + right) / 2, self.y_of(members[0]) + WORD_Y, 0])


def _whole(rows: list[TokenRow]) -> bool:
    """Every token shown in full, with room for a number under each."""
    return (
        all(r.words_shown == r.tokens for r in rows)
        and min(r.slot_width() for r in rows) >= MIN_SLOT
    )


def _full_size(rows: list[TokenRow]) -> bool:
    """:func:`_whole`, and no row had to shrink its chips to fit."""
    return _whole(rows) and all(r.height >= CHIP_HEIGHT - 1e-6 for r in rows)


def _mark_as_models(chip: TokenChip) -> None:
    """A token the model adds: a dashed outline on the background, its name muted."""
    chip.word.set_color(MUTED)
    chip.box.set_fill(BACKGROUND, opacity=1.0).set_stroke(opacity=0.0)
    dashes = DashedVMobject(chip.box.copy().set_stroke(MUTED, width=1.5, opacity=1.0),
                            num_dashes=18)  # fmt: skip
    chip.add(dashes)
    chip.dashes = dashes  # type: ignore[attr-defined]
