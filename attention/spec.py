"""The example spec: which sentence, which word the story follows, which model.

A spec is the whole input of the worked example. The script loader builds it once and
checks it (:func:`attention.worked.example.checked_spec` resolves the focus); plans, the timeline
and the outputs refer to that one value, and :func:`attention.worked.example.example_for` turns it
into numbers once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_MODEL", "DEFAULT_SENTENCE", "ExampleSpec"]

DEFAULT_SENTENCE = "The cat sat on the mat"
DEFAULT_MODEL = "hand"


@dataclass(frozen=True)
class ExampleSpec:
    """A sentence, the word its story follows (None: the model's default) and a model name.

    Examples
    --------
    >>> spec = ExampleSpec("The cat sat on the mat", "sat")
    >>> spec.model, ExampleSpec.from_dict(spec.to_dict()) == spec
    ('hand', True)
    """

    sentence: str = DEFAULT_SENTENCE
    focus: str | None = None
    model: str = DEFAULT_MODEL

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``sentence``, ``focus`` and ``model``."""
        return {"sentence": self.sentence, "focus": self.focus, "model": self.model}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExampleSpec:
        """The spec :meth:`to_dict` described (a missing model is the default one)."""
        return cls(str(data["sentence"]), data.get("focus"), str(data.get("model", DEFAULT_MODEL)))
