"""Attention in numpy: the core math, the model seam, the worked example, its checks."""

from __future__ import annotations

from attention.core import (
    AttentionParams,
    AttentionRecord,
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from attention.models.model import ForwardRecord, Model
from attention.models.registry import load_model
from attention.numbers.ledger import LedgerEntry, NumbersLedger
from attention.numbers.verify import verify
from attention.rounding import format_number, format_row, parts_add_up
from attention.spec import ExampleSpec
from attention.worked.example import (
    DIMENSIONS,
    ExampleError,
    WorkedExample,
    checked_spec,
    example_for,
    example_record,
    tokenize,
    worked_example,
)

__all__ = [
    "DIMENSIONS",
    "AttentionParams",
    "AttentionRecord",
    "ExampleError",
    "ExampleSpec",
    "ForwardRecord",
    "LedgerEntry",
    "Model",
    "NumbersLedger",
    "WorkedExample",
    "causal_mask",
    "checked_spec",
    "example_for",
    "example_record",
    "format_number",
    "format_row",
    "load_model",
    "merge_heads",
    "multi_head_attention",
    "parts_add_up",
    "scaled_dot_product_attention",
    "softmax",
    "split_heads",
    "tokenize",
    "verify",
    "worked_example",
]
