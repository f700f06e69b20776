"""``python -m explainer``: the same command line as ``explainer``."""

from __future__ import annotations

from explainer.cli.app import run

__all__: list[str] = []

if __name__ == "__main__":
    run()
