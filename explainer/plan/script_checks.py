"""The checks every table of a narration script shares: unknown keys, strings, slug ids,
titles and the worked example a spec names, each failing as ``path:line: message``."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from attention.models.model import ModelError
from attention.spec import ExampleSpec
from attention.worked.example import ExampleError, WorkedExample, example_for
from explainer.core.errors import ScriptError, one_line
from explainer.plan.script_source import ScriptLines
from scenes.plan import describe_value

__all__ = ["CONTROL", "TableChecks", "closest"]

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_MAX_ID = 64
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # control characters but tab and newline


class TableChecks:
    """The script's path and line finder, and the checks shared by its tables.

    Examples
    --------
    >>> checks = TableChecks(Path("talk.toml"), ScriptLines('[video]\\ntitle = 3\\n'))
    >>> str(checks.fail(2, "[video] title must be a string"))
    'talk.toml:2: [video] title must be a string'
    """

    def __init__(self, path: Path, where: ScriptLines) -> None:
        self.path = path
        self.where = where

    def fail(self, line: int, message: str) -> ScriptError:
        """The error to raise for ``message`` on ``line`` of the script."""
        return ScriptError(f"{self.path}:{line}: {message}")

    def unknown_keys(
        self, table: dict[str, Any], allowed: tuple[str, ...], line: int | None, where: str
    ) -> None:
        """ScriptError on the first key of ``table`` not in ``allowed``, with a suggestion."""
        for key in table:
            if key not in allowed:
                at = self.where.top_key(key) if line is None else self.where.key(key, line)
                hint = closest(key, allowed)
                fix = f"did you mean {hint!r}?" if hint else f"allowed: {', '.join(allowed)}"
                raise self.fail(at, f"unknown key {key!r} in {where}; {fix}")

    def string(self, table: dict[str, Any], key: str, line: int, where: str) -> str:
        """The string ``table[key]``; ScriptError if it is missing or not a string."""
        if key not in table:
            raise self.fail(line, f'{where} has no {key}; add {key} = "..."')
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(
                self.where.key(key, line),
                f"{where} {key} must be a string in double quotes, not {describe_value(value)}",
            )
        return value

    def slug(self, table: dict[str, Any], key: str, line: int, where: str) -> str:
        """The id ``table[key]``, safe as a file name; ScriptError otherwise."""
        value = self.string(table, key, line, where)
        if not _SLUG.match(value) or len(value) > _MAX_ID:
            raise self.fail(
                self.where.key(key, line),
                f"{where} id {value!r} is not a safe file name; use lowercase letters, digits, "
                f"'-' and '_' (starting with a letter or digit, at most {_MAX_ID})",
            )
        return value

    def check_title(self, title: str, line: int) -> None:
        """ScriptError if a title is empty or holds a line break or control character."""
        if not title.strip():
            raise self.fail(line, "[video] title is empty; give the video a title")
        if CONTROL.search(title) or "\n" in title:
            raise self.fail(line, "[video] title contains a line break or control character")

    def example(
        self, spec: ExampleSpec, line: int | None = None, overridden: frozenset[str] = frozenset()
    ) -> WorkedExample:
        """The worked example of a spec (the numbers it narrates); a problem is reported on
        the [video] key it comes from (or its ``overridden`` option), or on ``line`` (a
        chapter's own model)."""
        try:
            return example_for(spec)
        except ExampleError as error:
            key = "focus" if str(error).startswith("focus") else "sentence"
            key = "model" if isinstance(error, ModelError) else key
            where = (
                f"{self.path}: --{key}"
                if key in overridden and line is None
                else f"{self.path}:{line or self.where.key(key, self.where.video)}"
            )
            raise ScriptError(f"{where}: {one_line(error)}") from None


def closest(key: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed name ``key`` is most likely a typo of, if any.

    Examples
    --------
    >>> closest("titel", ("id", "title", "class")), closest("zzz", ("id",))
    ('title', None)
    """
    found = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return found[0] if found else None
