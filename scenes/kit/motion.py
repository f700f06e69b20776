"""Motions that perform an operation: a vector scaled by its weight, vectors poured into
their sum, a vector cut into slices and joined again.

Each helper returns animations (or targets) for objects already on screen, so a chapter
plays what the narration names at the moment it names it, with the objects that persist
moving and transforming rather than fading out and in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from manim import (
    Animation,
    LaggedStart,
    Mobject,
    MoveToTarget,
    ReplacementTransform,
    Succession,
    VGroup,
)

from scenes.kit.style import dim

__all__ = [
    "WEIGHTED_FLOOR",
    "converge",
    "cue_shares",
    "cued_spans",
    "scaled_by_weight",
    "weighted_size",
    "word_share",
]

# the smallest share of its size a weighted vector keeps: its digits stay legible at 480p
WEIGHTED_FLOOR = 0.72


def weighted_size(weight: float, top: float, floor: float = WEIGHTED_FLOOR) -> float:
    """The size factor of a vector weighted by ``weight`` when ``top`` is the largest weight.

    The largest weight keeps its full size; smaller ones shrink in proportion down to
    ``floor`` (a zero weight), so the eye reads "counts less" and the digits stay legible.

    Examples
    --------
    >>> weighted_size(0.5, 0.5), weighted_size(0.0, 0.5), weighted_size(0.25, 0.5)
    (1.0, 0.72, 0.86)
    """
    share = weight / top if top > 0 else 1.0
    return round(floor + (1.0 - floor) * share, 9)


def scaled_by_weight(
    vectors: VGroup, weights: Sequence[float], *, lag_ratio: float = 0.12
) -> Animation:
    """Each of ``vectors`` (a VGroup on screen) shrinks and fades to its weight's share.

    One after another, left to right: "each value is scaled by its weight".

    The vector's size follows :func:`weighted_size` (about its own centre) and its
    opacity ``0.3 + 0.7 * weight / top``: the same dimming chapter 5 has always used.

    Examples
    --------
    >>> from manim import Square, VGroup
    >>> anim = scaled_by_weight(VGroup(Square(), Square()), [0.2, 0.8])
    >>> len(anim.animations)
    2
    """
    top = max(weights) if len(weights) else 1.0
    moves = []
    for vector, weight in zip(vectors, weights, strict=True):
        vector.generate_target()
        vector.target.scale(weighted_size(weight, top))
        dim(vector.target, 0.3 + 0.7 * (weight / top if top > 0 else 1.0))
        moves.append(MoveToTarget(vector))
    # the animation's group is ``vectors`` itself, so the scene gains no second parent
    return LaggedStart(*moves, lag_ratio=lag_ratio, group=vectors)


def converge(parts: Sequence[Mobject], whole: Mobject, *, lag_ratio: float = 0.1) -> Animation:
    """Copies of ``parts`` travel to ``whole``'s place and become it: a sum forming.

    Each copy moves onto ``whole`` (lagged, so the eye follows them one by one), then
    the gathered copies transform into ``whole``, which stays on screen; the ``parts``
    themselves stay where they are.

    Examples
    --------
    >>> from manim import Circle, Square, VGroup
    >>> anim = converge([Square(), Square()], Circle())
    >>> len(anim.animations)
    2
    """
    copies = VGroup(*(part.copy() for part in parts))
    moves = []
    for copy in copies:
        copy.generate_target()
        copy.target.scale_to_fit_height(whole.height).move_to(whole)
        moves.append(MoveToTarget(copy))
    # the copies are the animations' one group: the scene swaps them for ``whole`` at the end
    return Succession(
        LaggedStart(*moves, lag_ratio=lag_ratio, group=copies, run_time=2.0),
        ReplacementTransform(copies, whole, run_time=1.0),
        group=copies,
    )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def word_share(text: str, phrase: str, *, after: float = 0.0) -> float | None:
    """How far into ``text`` (a share of its letters) the narrator starts saying ``phrase``.

    Speech time follows the letters said closely enough to start an animation on the
    word it shows. Words are compared case-insensitively, punctuation aside; the first
    occurrence at or after share ``after`` counts. ``None`` when the text never says it
    (a script with other words): the caller then leaves that motion out.

    Examples
    --------
    >>> word_share("Ask, compare, blend.", "compare")  # 3 of 15 letters said before it
    0.2
    >>> word_share("Ask, compare, blend.", "compare blend"), word_share("Ask.", "why") is None
    (0.2, True)
    """
    words, wanted = _words(text), _words(phrase)
    total = sum(len(w) for w in words)
    said = 0
    for i in range(len(words)):
        if words[i : i + len(wanted)] == wanted and said / total >= after:
            return said / total
        said += len(words[i])
    return None


def cue_shares(text: str, phrases: Sequence[str], *, start: float = 0.0) -> list[float]:
    """Each of ``phrases``' share in ``text`` (:func:`word_share`), in order, each after the
    last; a phrase the text does not say is placed evenly between its neighbours.

    Examples
    --------
    >>> cue_shares("softmax of Q K transposed, over root d, times V.", ["Q", "K", "V"])
    [0.25, 0.277777778, 0.972222222]
    >>> cue_shares("one two three", ["one", "nothing", "three"])  # 0, 6 of 11 letters
    [0.0, 0.272727273, 0.545454545]
    """
    found: list[float | None] = []
    last = start
    for phrase in phrases:
        share = word_share(text, phrase, after=last)
        found.append(share)
        last = share if share is not None else last
    shares = [0.0] * len(found)
    for i, share in enumerate(found):
        if share is not None:
            shares[i] = share
            continue
        before = max([s for s in found[:i] if s is not None], default=start)
        nexts = [s for s in found[i + 1 :] if s is not None]
        after = nexts[0] if nexts else 1.0
        gap = next((k for k, s in enumerate(found[i + 1 :]) if s is not None), len(found) - i - 1)
        shares[i] = before + (after - before) / (gap + 2)
    return [round(s, 9) for s in shares]


def cued_spans(
    text: str,
    phrases: Sequence[str],
    *,
    start: float = 0.0,
    end: float = 0.95,
    least: float = 0.06,
    lead: float = 0.02,
) -> list[float]:
    """Run-time shares of ``len(phrases) + 1`` motions played back to back from share
    ``start`` to ``end`` of a beat: motion ``i + 1`` starts ``lead`` before the narrator
    says ``phrases[i]`` (:func:`cue_shares`), so the eye meets it as the ear does.

    Each span is at least ``least`` and they always add up to ``end - start`` (over-long
    spans give up their spare time in proportion), so a beat never overruns, whatever
    words a script says or leaves out.

    Examples
    --------
    >>> cued_spans("one two three", ["two", "three"], lead=0.0)  # said at 3/11 and 6/11
    [0.2727, 0.2727, 0.4045]
    >>> round(sum(cued_spans("a b", ["b", "b", "b"], start=0.5, least=0.2)), 6)
    0.45
    """
    cues = [max(share - lead, start) for share in cue_shares(text, phrases, start=start)]
    bounds = [start, *cues, end]
    spans = [max(b - a, least) for a, b in zip(bounds, bounds[1:], strict=False)]
    room, excess = end - start, sum(spans) - (end - start)
    if excess > 1e-9:
        spare = [span - least for span in spans]
        if sum(spare) > excess:
            keep = (sum(spare) - excess) / sum(spare)
            spans = [least + s * keep for s in spare]
        else:  # too many motions for the room: share it evenly
            spans = [room / len(spans)] * len(spans)
    return [round(span, 4) for span in spans]
