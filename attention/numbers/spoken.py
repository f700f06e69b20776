"""Numbers the narration says, each paired with a number its scene shows."""

from __future__ import annotations

import re
from collections.abc import Iterable

from attention.numbers.ledger import LedgerEntry

__all__ = ["spoken_numbers"]

# A number said with a decimal point ("0.41", "-0.23", "1.55."); counts like "6" are sizes.
_SPOKEN_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+")


def spoken_numbers(
    said: Iterable[tuple[str, str, str]],
    entries: Iterable[LedgerEntry],
    words: Iterable[str] = (),
) -> tuple[list[dict[str, str]], list[str]]:
    """Match each decimal number the narration says to a number its own scene shows.

    ``said`` holds ``(scene id, beat id, narration text)`` with placeholders filled. Returns
    one record per spoken number (scene, beat, the text said, the label and source of the
    on-screen number it matches) and one problem line per number the scene never shows,
    so the voice cannot state a number the screen does not. A number that is one of the
    sentence's own ``words`` ("3.5" in "add 3.5 cups") is a word read out, not a claim.

    Examples
    --------
    >>> shown = [LedgerEntry("softmax", "w cat", "0.41", "weights[2, 1]", 2)]
    >>> records, problems = spoken_numbers([("softmax", "gives", "cat gets 0.41.")], shown)
    >>> records[0]["source"], problems
    ('weights[2, 1]', [])
    >>> spoken_numbers([("softmax", "gives", "cat gets 0.42")], shown)[1]
    ["scene 'softmax', beat 'gives' says 0.42 but the scene shows no 0.42"]
    >>> spoken_numbers([("tokens", "split", "Take: add 3.5 cups.")], shown, ["3.5"])
    ([], [])
    """
    read_out = set(words)
    by_scene: dict[str, dict[str, LedgerEntry]] = {}
    for e in entries:
        if not e.blank:  # a blank cell shows no digits for the narration to repeat
            by_scene.setdefault(e.scene, {}).setdefault(e.shown.strip(), e)
    records, problems = [], []
    for scene, beat, text in said:
        for number in _SPOKEN_DECIMAL.findall(text):
            if number in read_out:
                continue
            match = by_scene.get(scene, {}).get(number)
            if match is None:
                problems.append(
                    f"scene {scene!r}, beat {beat!r} says {number} but the scene shows no {number}"
                )
            else:
                records.append(
                    {"scene": scene, "beat": beat, "said": number,
                     "label": match.label, "source": match.source}
                )  # fmt: skip
    return records, problems
