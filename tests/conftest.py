"""Shared pytest options (the scenes' graphical control images) and the CLI runner."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner


def pytest_addoption(parser: pytest.Parser) -> None:
    # the same flags as Manim's own graphical tests
    parser.addoption(
        "--set_test",
        action="store_true",
        default=False,
        help="write the scenes' control frames under tests/control_data/ instead of comparing",
    )
    parser.addoption(
        "--show_diff",
        action="store_true",
        default=False,
        help="on a frame mismatch, save expected/actual/difference PNGs under tests/media_tmp/",
    )


@pytest.fixture
def runner() -> CliRunner:
    """Invokes the ``explainer`` CLI in-process, stdout and stderr kept apart."""
    return CliRunner()


@pytest.fixture(scope="module")
def smollm2() -> Any:
    """SmolLM2-135M as the project loads it (``--model smollm2``), once per test module."""
    from attention.models.llama import LlamaModel
    from attention.models.registry import load_model

    model = load_model("smollm2")
    assert isinstance(model, LlamaModel)
    return model
