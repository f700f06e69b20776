"""Python source read with :mod:`ast`, one parse at a time per process.

CPython 3.11's parser is not safe in concurrent threads: a batch renders several videos at
once, and two parses at the same moment failed with "SystemError: AST constructor recursion
depth mismatch". Every parse of the pipeline (the cache keys' import graph, Manim's quality
table) goes through :func:`parse_python`.
"""

from __future__ import annotations

import ast
import threading

__all__ = ["parse_python"]

_PARSING = threading.Lock()


def parse_python(source: str) -> ast.Module:
    """``ast.parse(source)``, never at the same time as another thread's.

    Examples
    --------
    >>> type(parse_python("x = 1").body[0]).__name__
    'Assign'
    """
    with _PARSING:
        return ast.parse(source)
