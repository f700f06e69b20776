"""The video's colours: one colour per role, used identically in every scene."""

from __future__ import annotations

__all__ = [
    "BACKGROUND",
    "QUERY",
    "KEY",
    "VALUE",
    "WEIGHT",
    "OUTPUT",
    "TEXT",
    "MUTED",
    "GRID",
    "CHIP_FILL",
    "CHIP_STROKE",
    "ROLE_COLORS",
    "HABIT_SHADES",
]

BACKGROUND = "#0E1116"

# Roles: anything that is a query is yellow, a key teal, a value coral, a weight violet,
# and the context-aware result green. Never use these for anything else.
QUERY = "#F4C542"
KEY = "#3CC2B4"
VALUE = "#F0654F"
WEIGHT = "#A98BFF"
OUTPUT = "#7FD67A"

# Neutrals: words, embeddings, brackets, captions.
TEXT = "#E8E8EA"
MUTED = "#8A8F98"
GRID = "#2A313D"  # faint lines and empty cells, a step above the background
CHIP_FILL = "#1F2530"
CHIP_STROKE = MUTED

ROLE_COLORS: dict[str, str] = {
    "query": QUERY,
    "key": KEY,
    "value": VALUE,
    "weight": WEIGHT,
    "output": OUTPUT,
    "embedding": TEXT,
}

# A trained head's habit (attention.story.patterns), as a shade of grey: not a role, so no role
# colour. The heads with no single habit ("mixed") are the brightest: they are the point.
HABIT_SHADES: dict[str, str] = {
    "previous": "#9AA0AA",
    "next": "#9AA0AA",
    "self": "#9AA0AA",
    "sink": "#3E4553",
    "punctuation": "#656C79",
    "mixed": TEXT,
}
