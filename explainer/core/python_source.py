"""Python source read with :mod:`ast`, one parse at a time per process.

CPython 3.11's parser is not safe in concurrent threads: a batch renders several videos at
once, and two parses at the same moment failed with "SystemError: AST constructor recursion
depth mismatch". Every parse of the pipeline (the cache keys' import graph, Manim's quality
table) goes through :func:`parse_python`; :func:`imported_names` is the one reader of a
module's imports (the cache keys' code closure and the architecture test's import graph).
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path

__all__ = ["imported_names", "parse_python"]

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


def imported_names(path: Path, module: str) -> set[str]:
    r"""Every dotted name the module ``module`` (its source at ``path``) imports anywhere in
    it, functions and ``TYPE_CHECKING`` blocks included: each imported module, and each name
    imported from one (``from a import b`` gives ``a`` and ``a.b``, which may be a module).

    Relative imports are resolved against the module's package; the caller keeps the names
    that are modules it knows.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "m.py"
    >>> _ = p.write_text("import os\nfrom .b import c\ndef f():\n    from . import d\n")
    >>> sorted(imported_names(p, "pkg.m"))
    ['os', 'pkg', 'pkg.b', 'pkg.b.c', 'pkg.d']
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    tree = parse_python(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found
