"""``explainer numbers``: the worked example as JSON, or as tables that fit 80 columns."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

from attention.models.designed import HEAD_FEATURES
from attention.rounding import format_number, format_row
from attention.story.patterns import HABIT_KINDS, LINK_FLOOR, THRESHOLD, head_patterns
from attention.worked.example import WorkedExample, example_record
from explainer.outputs.decoder_numbers import decoder_record, print_decoder

__all__ = ["example_json", "matrix_text", "print_heads", "print_numbers", "trained_record"]

WIDTH = 80
LABEL_WIDTH = 10
# a head's shares as its row shows them: each kind a habit can be, then the other words
_KINDS = (*HABIT_KINDS, "words")
_SHORT = {"previous": "prev", "punctuation": "punct"}  # headers short enough for 80 columns


def example_json(example: WorkedExample) -> str:
    """The worked example as one JSON document: :func:`attention.example_record` for the
    designed model, :func:`trained_record` for a trained one, and
    :func:`explainer.outputs.decoder_numbers.decoder_record` for a decoder."""
    if example.kind == "decoder":
        return json.dumps(decoder_record(example), ensure_ascii=False)
    record = trained_record(example) if example.kind == "trained" else example_record(example)
    return json.dumps(record, ensure_ascii=False)


def trained_record(example: WorkedExample) -> dict[str, Any]:
    """A trained model's numbers for the sentence as plain data.

    ``tokens`` are the model's (with [CLS], [SEP] and ``##`` pieces) and ``word_of[i]`` the
    word token ``i`` came from (None for the model's own); ``attention[l][h]`` is head
    ``h`` of layer ``l``'s weight matrix, rows = query tokens, columns = key tokens (all
    0-based); ``patterns[l][h]`` is its measured pattern (:mod:`attention.story.patterns`).
    """
    tokens = example.record.tokens
    return {
        "sentence": example.sentence,
        "model": example.spec.model,
        "tokens": list(tokens.tokens),
        "words": list(tokens.words),
        "word_of": list(tokens.word_of),
        "focus": example.focus,
        "focus_index": example.focus_index,
        "n_layers": example.n_layers,
        "n_heads": example.n_heads,
        "attention": example.attention.tolist(),
        "patterns": [
            [
                {
                    "label": p.label,
                    "habit": p.habit,
                    "shares": p.shares,
                    "peak": p.peak,
                    "spread": p.spread,
                    "focus_link": {"word": tokens.words[p.link[0]], "weight": p.link[1],
                                   "links": p.links},
                }
                for p in layer
            ]
            for layer in head_patterns(example)
        ],  # fmt: skip
    }


def _label(token: str) -> str:
    return token if len(token) <= LABEL_WIDTH else token[: LABEL_WIDTH - 1] + "…"


def _cells(matrix: NDArray[np.float64], decimals: int, probabilities: bool) -> list[list[str]]:
    """Each value the nearest at ``decimals``; a probability row ends with its exact sum."""
    return [
        format_row(row, decimals) + ([format_number(float(np.sum(row)), decimals)]
                                     if probabilities else [])
        for row in matrix
    ]  # fmt: skip


def _no_leading_zero(cell: str) -> str:
    return cell.replace("0.", ".", 1) if cell.lstrip("-").startswith("0.") else cell


def _layout(cells: list[list[str]], row_labels: Sequence[str], col_labels: Sequence[str]) -> str:
    labels = [_label(t) for t in row_labels]
    label_w = max(len(t) for t in labels)
    widths = [max(len(col_labels[j]), *(len(row[j]) for row in cells))
              for j in range(len(col_labels))]  # fmt: skip

    def line(label: str, row: Sequence[str]) -> str:
        return f"{label:<{label_w}}" + "".join(
            f" {c:>{w}}" for c, w in zip(row, widths, strict=True)
        )

    lines = [line("", col_labels)]
    lines += [line(label, row) for label, row in zip(labels, cells, strict=True)]
    return "\n".join(lines)


def matrix_text(
    title: str,
    matrix: NDArray[np.float64],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    probabilities: bool = False,
    decimals: int = 2,
    width: int = WIDTH,
) -> str:
    """``matrix`` as aligned text no wider than ``width`` when it can be.

    Tries, in order: the given column labels, column numbers instead (with a legend line),
    the leading zero dropped (.35), then one decimal fewer. Every value is the nearest at
    its decimals; a probability row ends with a column Σ, its exact sum, which its rounded
    parts need not add up to.

    Examples
    --------
    >>> print(matrix_text("w", np.array([[1 / 3] * 3]), ["a"], ["a", "b", "c"], probabilities=True))
    w
         a    b    c    Σ
    a 0.33 0.33 0.33 1.00
    """
    numbered = [str(j) for j in range(len(col_labels))]
    attempts = [(list(col_labels), decimals, False), (numbered, decimals, False),
                (numbered, decimals, True), (numbered, max(decimals - 1, 0), True)]  # fmt: skip
    text = ""
    for labels, places, strip in attempts:
        cells = _cells(matrix, places, probabilities)
        if strip:
            cells = [[_no_leading_zero(c) for c in row] for row in cells]
        text = _layout(cells, row_labels, [*labels, "Σ"] if probabilities else labels)
        if max(len(line) for line in text.splitlines()) <= width:
            break
    if labels is numbered:
        legend = ", ".join(f"{j} {name}" for j, name in enumerate(col_labels))
        title += "\n" + textwrap.fill(f"columns: {legend}", width)
    return f"{title}\n{text}"


def print_numbers(example: WorkedExample, console: Console) -> None:
    """Tables of the worked example: for the designed model its sources, X, head 0's Q, K,
    V, scores and weights; for a trained model every head with its measured pattern; for a
    decoder its next token and its heads' habits."""
    if example.kind == "decoder":
        print_decoder(example, console)
        return
    if example.kind == "trained":
        print_heads(example, console)
        return
    tokens = list(example.tokens)

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"tokens: {' | '.join(tokens)}   focus: {example.focus}")
    say(
        f"focus is token {example.focus_index}; d_model {example.d_model} = "
        f"{example.n_heads} heads x d_head {example.d_head}"
    )
    sources = Table(title="where each embedding comes from", title_justify="left")
    sources.add_column("#", justify="right")
    sources.add_column("token")
    sources.add_column("embedding from", overflow="fold")
    for i, (token, source) in enumerate(zip(tokens, example.sources, strict=True)):
        sources.add_row(str(i), token, source)
    console.print(sources, markup=False, highlight=False)
    say("")
    say(matrix_text("X (embeddings), one named dimension per column", example.x, tokens,
                    example.dimensions, decimals=1))  # fmt: skip
    for name, matrix in (("Q (queries)", example.q), ("K (keys)", example.k),
                         ("V (values)", example.v)):  # fmt: skip
        say("")
        say(matrix_text(f"{name}, head 0", matrix, tokens, HEAD_FEATURES[0]))
    say("")
    say(matrix_text("scores = Q K^T (rows = queries)", example.scores, tokens, tokens))
    say("")
    say(matrix_text("scaled scores = Q K^T / sqrt(d_head)", example.scaled_scores, tokens,
                    tokens))  # fmt: skip
    say("")
    say(matrix_text("weights = softmax(scaled scores), each rounded; Σ = the row's exact sum",
                    example.weights, tokens, tokens, probabilities=True))  # fmt: skip


def print_heads(example: WorkedExample, console: Console) -> None:
    """Every head of a trained model on the sentence: its pattern, shares and focus link."""
    tokens = example.record.tokens
    console.print(
        f"tokens: {' | '.join(tokens.tokens)}   focus: {example.focus} "
        f"(token {example.focus_index})",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip
    table = Table(
        title=f"every head of {example.spec.model}: the share of its weight (all rows "
        "together) on each kind of token (sink: [CLS] and [SEP]), its habit (a kind with more than "
        f"{THRESHOLD}), its peak (a row's largest weight, on average), and the word "
        f"{example.focus} gives the most (* a link: {format_number(LINK_FLOOR, 2)} or more, "
        "more than any other word)",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    table.add_column("L", justify="right")
    table.add_column("H", justify="right")
    table.add_column("habit", no_wrap=True)
    for header in (*(_SHORT.get(kind, kind) for kind in _KINDS), "peak"):
        table.add_column(header, justify="right")
    table.add_column(f"{example.focus} ->", no_wrap=True)
    for layer in head_patterns(example):
        for p in layer:
            link = f"{tokens.words[p.link[0]]} {format_number(p.link[1], 2)}"
            shares = (format_number(p.shares[kind], 2) for kind in _KINDS)
            table.add_row(str(p.layer + 1), str(p.head + 1), p.label, *shares,
                          format_number(p.peak, 2), link + (" *" if p.links else ""))  # fmt: skip
    console.print(table, markup=False, highlight=False)
