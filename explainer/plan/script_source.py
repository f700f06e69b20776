"""A narration script's source: its bytes read, decoded and parsed as TOML, and the lines
of its tables and keys found again in the text (tomllib reports none), for the errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from explainer.core.errors import ScriptError
from scenes.scripts import DEFAULT_SCRIPT, PROJECT_ROOT

__all__ = ["ScriptLines", "read_script"]

_MAX_BYTES = 1_000_000  # a narration script is a few kB; anything this big is a wrong path


def read_script(path: Path) -> tuple[Path, str, dict[str, Any]]:
    """The script's path (the shipped default wherever the command runs), text and TOML.

    Raises
    ------
    ScriptError
        ``path[:line]: what is wrong; how to fix it`` if the file cannot be read, is too
        big, is not UTF-8 or is not TOML.

    Examples
    --------
    >>> path, text, data = read_script(DEFAULT_SCRIPT)
    >>> path.name, data["video"]["title"]
    ('attention.toml', 'Attention, step by step')
    """
    if path == DEFAULT_SCRIPT and not path.is_file():  # e.g. plain manim run from elsewhere
        path = PROJECT_ROOT / DEFAULT_SCRIPT
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ScriptError(f"{path}: cannot read the script ({reason}); check the path") from None
    if len(raw) > _MAX_BYTES:
        raise ScriptError(
            f"{path}: the script is {len(raw)} bytes, over {_MAX_BYTES}; is it the right file?"
        )
    text = _decode(path, raw)
    return path, text, _parse_toml(path, text)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScriptError(f"{path}:{line}: the file is not UTF-8 text; save it as UTF-8") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScriptError(
            f"{path}:1: invalid TOML: arrays or tables nested too deeply; flatten them"
        ) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends with "(at line L, column C)"; move the place to the front
        message = str(error)
        found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if found:
            what = message[: found.start()].strip()
            where = f"{path}:{found.group(1)}:{found.group(2)}"
        else:
            what = message.replace("(at end of document)", "").strip()
            where = f"{path}:{text.count(chr(10)) + 1}"
        raise ScriptError(
            f"{where}: invalid TOML: {what}; fix the syntax (strings need double quotes)"
        ) from None


class ScriptLines:
    """Finds the line of a header or key in the raw text, since tomllib reports none.

    Examples
    --------
    >>> where = ScriptLines('[video]\\ntitle = "A"\\n\\n[[scene]]\\nid = "one"\\n')
    >>> where.video, where.scene(0), where.key("id", where.scene(0))
    (1, 4, 5)
    """

    _SCENE = re.compile(r"\s*\[\[\s*scene\s*\]\]")
    _BEAT = re.compile(r"\s*\[\[\s*scene\s*\.\s*beat\s*\]\]")
    _VIDEO = re.compile(r"\s*\[\s*video\s*\]")
    _HEADER = re.compile(r"\s*\[")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.scenes = [i + 1 for i, ln in enumerate(self.lines) if self._SCENE.match(ln)]
        self.beats = [i + 1 for i, ln in enumerate(self.lines) if self._BEAT.match(ln)]
        self.video = next((i + 1 for i, ln in enumerate(self.lines) if self._VIDEO.match(ln)), 1)

    def scene(self, index: int) -> int:
        return self.scenes[index] if index < len(self.scenes) else 1

    def table(self, dotted: str) -> int | None:
        """The line of the header ``[a.b]`` of a nested table, or None if it has none."""
        parts = r"\s*\.\s*".join(re.escape(part) for part in dotted.split("."))
        header = re.compile(rf"\s*\[\s*{parts}\s*\]")
        return next((i + 1 for i, ln in enumerate(self.lines) if header.match(ln)), None)

    def beat(self, scene_index: int, beat_index: int) -> int:
        start = self.scene(scene_index)
        end = self.scene(scene_index + 1) if scene_index + 1 < len(self.scenes) else None
        inside = [b for b in self.beats if b > start and (end is None or b < end)]
        return inside[beat_index] if beat_index < len(inside) else start

    def key(self, key: str, section_line: int) -> int:
        """The line of ``key = ...`` in the table whose header is on ``section_line``.

        A ``section_line`` that is not a header means the top-level table (from line 1).
        Falls back to ``section_line`` when the key is written some other way (inline).
        """
        pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        start = section_line + 1 if self._header_on(section_line) else 1
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self._HEADER.match(line):
                break
            if pattern.match(line):
                return number
        return section_line

    def top_key(self, key: str) -> int:
        """The line of a top-level key or table header named ``key``."""
        pattern = re.compile(rf"\s*(\[\[?\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)")
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                return number
        return 1

    def param(self, name: str, scene_line: int) -> int:
        """The line of parameter ``name`` of the scene whose header is on ``scene_line``."""
        header = re.compile(r"\s*\[\s*scene\s*\.\s*params\s*\]")
        following = [n for n in self.scenes if n > scene_line]
        end = following[0] if following else len(self.lines) + 1
        dotted = re.compile(rf"\s*[\"']?params[\"']?\s*\.\s*[\"']?{re.escape(name)}[\"']?\s*=")
        for number in range(scene_line + 1, end):
            if header.match(self.lines[number - 1]):
                return self.key(name, number)
            if dotted.match(self.lines[number - 1]):
                return number
        return self.key("params", scene_line)

    def _header_on(self, number: int) -> bool:
        return 0 < number <= len(self.lines) and bool(self._HEADER.match(self.lines[number - 1]))
