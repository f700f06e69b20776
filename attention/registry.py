"""The models the command line knows, by name: the one table of the model seam.

``--model hand`` is the hand-designed model (:mod:`attention.designed`). Adding a model is
one module with the :class:`attention.model.Model` shape and one row of :data:`MODELS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from attention.designed import DesignedModel
from attention.model import Model, ModelError
from attention.spec import DEFAULT_MODEL

__all__ = ["MODELS", "load_model"]

# name -> (how to load it, what it is)
MODELS: dict[str, tuple[Callable[[], Model], str]] = {
    "hand": (DesignedModel, "the hand-designed model: 8 named dimensions, 2 heads (the default)"),
}


@functools.lru_cache(maxsize=8)
def load_model(name: str = DEFAULT_MODEL) -> Model:
    """The model called ``name`` (see :data:`MODELS`), loaded once per process.

    Raises :class:`attention.model.ModelError` (one line) for a name that is not a model.

    Examples
    --------
    >>> load_model("hand").config.n_heads
    2
    """
    if name in MODELS:
        return MODELS[name][0]()
    known = ", ".join(MODELS)
    raise ModelError(f"unknown model {name!r}: use one of {known}")
