"""Seed 004's experiment on the sentence's own numbers: a few tokens whose Q, K, V cells edit.

The experiment starts from the story head's queries, keys and values of up to six tokens:
the whole sentence when it is that short, else the focus and the five tokens it weighs
most, in sentence order. Its weights and outputs at the start are the ledger's
(``weights`` and ``outputs`` for the whole sentence, ``selected_weights(...)`` and
``selected_outputs(...)`` for a selection, :mod:`attention.worked.lessons`).
"""

from __future__ import annotations

from dataclasses import dataclass

from attention.worked.example import WorkedExample

__all__ = ["EXPERIMENT_SIZE", "Experiment", "experiment_for"]

EXPERIMENT_SIZE = 6  # tokens; seed 004's example has 3, a row of 6 still fits a phone


@dataclass(frozen=True)
class Experiment:
    """The experiment's tokens (positions in the sentence) and its ledger names.

    ``weights`` and ``outputs`` name the starting weights and outputs: ``weights[r, c]``
    is row ``r``, column ``c`` of the experiment (not of the sentence).
    """

    tokens: tuple[int, ...]
    weights: str
    outputs: str

    @property
    def whole_sentence(self) -> bool:
        """Whether the experiment holds every token of the sentence, in order."""
        return self.weights == "weights"


def experiment_for(example: WorkedExample, size: int = EXPERIMENT_SIZE) -> Experiment | None:
    """The experiment of ``example``: its tokens and how the ledger names their numbers;
    None for a trained model (its heads have 32 entries, not 4, and the reference checks
    the selected tokens' weights for the designed model only).

    Examples
    --------
    >>> from attention.worked.example import worked_example
    >>> experiment_for(worked_example()).tokens
    (0, 1, 2, 3, 4, 5)
    >>> long = worked_example("The old dog chased the red ball across the wide green park")
    >>> picked = experiment_for(long)
    >>> assert picked is not None
    >>> [long.tokens[i] for i in picked.tokens], picked.weights.partition("(")[0]
    (['dog', 'chased', 'red', 'ball', 'green', 'park'], 'selected_weights')
    """
    n, focus = example.n_tokens, example.focus_index
    if example.kind != "designed":
        return None
    if n <= size:
        return Experiment(tuple(range(n)), "weights", "outputs")
    row = example.weights[focus]
    others = sorted((i for i in range(n) if i != focus), key=lambda i: (-row[i], i))
    tokens = tuple(sorted([focus, *others[: size - 1]]))
    listed = ", ".join(str(i) for i in tokens)
    return Experiment(tokens, f"selected_weights({listed})", f"selected_outputs({listed})")
