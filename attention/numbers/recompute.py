"""Every number a ledger may name, recomputed by the reference's loops
(:mod:`attention.numbers.reference`): what :func:`attention.numbers.verify.verify` checks a
ledger against."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from attention.numbers.reference_decoder import decoder_reference
from attention.numbers.reference_heads import record_heads
from attention.numbers.reference_lessons import count_cells, designed_values, single
from attention.numbers.reference_steps import decoder_step_values

if TYPE_CHECKING:
    from attention.worked.example import WorkedExample

__all__ = ["reference_values"]


def reference_values(example: WorkedExample) -> dict[str, Any]:
    """Recompute the numbers of ``example`` a ledger may name, by loops.

    For every model: the scalars (``sqrt_d_head``, ``d_head``, ``d_model``, ``n_heads``,
    ``n_tokens``, ``n_layers``) and every layer's every head (``attention``, ``queries``,
    ``keys``, ``values``, ``logits``, ``contexts``, each ``[layer][head]``, computed when
    read). For a decoder, its heads with rotary positions and shared keys, the next token and
    the repeated sequence (:mod:`attention.numbers.reference_decoder`), and its generation's
    steps and its heads' measures
    (:func:`attention.numbers.reference_steps.decoder_step_values`). For the designed model
    also every field of the example from its ``x`` and weight matrices, and the lessons'
    quantities (``causal_weights``, ``tempered_weights``, ...) as functions of their source
    arguments.

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> ex = worked_example()
    >>> values = reference_values(ex)
    >>> looped = values["attention"][0][1][2][3]
    >>> values["sqrt_d_head"], bool(abs(looped - ex.attention[0, 1, 2, 3]) < 1e-12)
    (2.0, True)
    """
    config = example.record.params[0]
    common = {
        "sqrt_d_head": math.sqrt(config.d_head),
        "d_head": config.d_head,
        "d_model": int(example.x.shape[1]),
        "n_heads": config.n_heads,
        "n_tokens": example.n_tokens,
        "n_layers": example.n_layers,
        # the lessons that need no model: a temperature as written, counts of scores
        "temperature": single,
        "attention_cells": count_cells,
        "tokens_times": lambda a: float(int(single(a)) * example.n_tokens),
        # a decoder's heads turn q and k by position and share keys: its own loops
        **(decoder_reference(example) if example.kind == "decoder" else record_heads(example)),
    }
    if example.kind == "decoder":  # its generation and head measures (reference_steps)
        return {**common, **decoder_step_values(example)}
    if example.kind != "designed":
        return common
    return {**designed_values(example), **common}
