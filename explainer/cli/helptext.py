"""A command's docstring as its ``--help``: paragraphs that rich wraps to the terminal.

Docstrings are wrapped at the source's line length; left as they are, rich keeps those
line breaks and wraps again at the terminal's width, so a sentence breaks in the middle.
"""

from __future__ import annotations

import inspect
import re

from rich.markup import escape

__all__ = ["command_help", "paragraphs"]

_LITERAL = re.compile(r"``(.+?)``")  # reStructuredText's inline literal: shown as plain text


def paragraphs(docstring: str) -> list[str]:
    """The docstring's paragraphs, each on one line, its whitespace runs made single spaces.

    Examples
    --------
    >>> paragraphs('''Do one thing,
    ...     in two lines.
    ...
    ...     Example: explainer voices
    ...     ''')
    ['Do one thing, in two lines.', 'Example: explainer voices']
    """
    blocks = re.split(r"\n\s*\n", inspect.cleandoc(docstring))
    return [" ".join(block.split()) for block in blocks if block.strip()]


def command_help(docstring: str | None) -> str:
    """``--help`` text for rich: one line per paragraph, literals plain, markup escaped.

    Examples
    --------
    >>> print(command_help('''List the scenes,
    ...     each with its ``[scene.params]``.
    ...
    ...     Example: explainer scenes
    ...     '''))
    List the scenes, each with its \\[scene.params].
    <BLANKLINE>
    Example: explainer scenes
    """
    return "\n\n".join(escape(_LITERAL.sub(r"\1", text)) for text in paragraphs(docstring or ""))
