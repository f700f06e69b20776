"""How output files are named: chapter number first, so a folder lists in video order."""

from __future__ import annotations

__all__ = ["output_name"]


def output_name(chapter: int, *parts: str, suffix: str = "") -> str:
    """``03-scores.mp4``: the chapter, two digits, then ``parts`` joined by dashes.

    Examples
    --------
    >>> output_name(3, "scores", suffix=".mp4"), output_name(3, "2", "scores", "scale")
    ('03-scores.mp4', '03-2-scores-scale')
    """
    return f"{chapter:02d}-{'-'.join(parts)}{suffix}"
