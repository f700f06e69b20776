"""Attention in numpy: the core math, the worked example, its reference check and ledger."""

from __future__ import annotations

from attention.core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from attention.example import (
    DIMENSIONS,
    ExampleError,
    WorkedExample,
    example_record,
    tokenize,
    worked_example,
)
from attention.ledger import LedgerEntry, NumbersLedger, format_number, round_row, verify

__all__ = [
    "DIMENSIONS",
    "ExampleError",
    "LedgerEntry",
    "NumbersLedger",
    "WorkedExample",
    "causal_mask",
    "example_record",
    "format_number",
    "merge_heads",
    "multi_head_attention",
    "round_row",
    "scaled_dot_product_attention",
    "softmax",
    "split_heads",
    "tokenize",
    "verify",
    "worked_example",
]
