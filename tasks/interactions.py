"""Which positions of a puzzle interact: the structure an attention core can be restricted to.

A task that knows its constraint graph declares it with ``Task.interactions()``. A model built with
``model.interactions: task`` then lets each position attend only to the positions it interacts with (and
itself, and any puzzle-embedding prefix), with a learned per-head bias for each kind of interaction. This
is message passing on the task's own graph, which is what lets a tiny network learn tasks whose structure
differs from puzzle to puzzle (a graph's edges, a formula's clauses) or is sparse (a Sudoku cell's 20 peers).

Two sources, combined by taking the larger kind at each pair and made symmetric:

- ``pairs`` [seq_len, seq_len]: kinds that hold in every puzzle (same row, same clause).
- ``links`` [len(alphabet), seq_len]: kinds that depend on what a position holds. Row v says which
  positions a position holding value v interacts with: an edge slot holding ``3-7`` links to vertices 3 and
  7, a literal ``-3`` to variable 3 (as a negated occurrence).

Kind 0 means "no interaction"; kinds 1..``kinds`` are the task's own, named by ``names``. Both arrays must
be invariant under the task's symmetries: ``pairs`` under the position permutations, ``links`` under the
value maps with them (the contract tests check this), so that augmented puzzles keep their structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from recurse.errors import TaskDefinitionError

MAX_KINDS = 32


@dataclass(frozen=True)
class Interactions:
    """A task's interaction structure: ``pairs`` that always interact and ``links`` that a value creates."""

    names: tuple[str, ...]  # the name of kind k + 1 (kind 0 is "none")
    pairs: np.ndarray  # [seq_len, seq_len] int: the kind of interaction between positions i and j
    links: np.ndarray | None = None  # [values, seq_len] int: a position holding value v interacts with j

    @property
    def kinds(self) -> int:
        return len(self.names)

    def check(self, *, seq_len: int, values: int, task: str = "task") -> None:
        """``TaskDefinitionError`` unless the arrays fit a task of ``seq_len`` positions and ``values`` values."""
        where = f"the {task} task's interactions()"
        if not 1 <= self.kinds <= MAX_KINDS:
            raise TaskDefinitionError(f"{where} names {self.kinds} kinds of interaction; give 1 to {MAX_KINDS}")
        arrays = {"pairs": (self.pairs, (seq_len, seq_len))}
        if self.links is not None:
            arrays["links"] = (self.links, (values, seq_len))
        for label, (array, shape) in arrays.items():
            array = np.asarray(array)
            if array.shape != shape:
                raise TaskDefinitionError(f"{where}: {label} has shape {array.shape}, expected {shape}")
            if not np.issubdtype(array.dtype, np.integer) and array.dtype != bool:
                raise TaskDefinitionError(f"{where}: {label} must hold whole numbers (kinds), not {array.dtype}")
            if array.size and (array.min() < 0 or array.max() > self.kinds):
                raise TaskDefinitionError(
                    f"{where}: {label} holds kinds outside 0..{self.kinds} (0 is none, 1..{self.kinds} are "
                    f"{', '.join(self.names)})"
                )

    def between(self, puzzle: np.ndarray) -> np.ndarray:
        """[seq_len, seq_len] kinds for one puzzle (values, not tokens): what a model computes from tokens."""
        kinds = np.asarray(self.pairs, dtype=np.int64)
        if self.links is not None:
            linked = np.asarray(self.links, dtype=np.int64)[np.asarray(puzzle).reshape(-1)]
            kinds = np.maximum(kinds, linked)
        return np.maximum(kinds, kinds.T)


def pairs_from_groups(seq_len: int, groups: Iterable[tuple[int, Sequence[int]]]) -> np.ndarray:
    """[seq_len, seq_len] kinds where every two positions of a group interact with that group's kind.

    ``groups`` yields (kind, positions) pairs, for instance (1, a row's cells); a pair in several groups
    keeps the largest kind.
    """
    pairs = np.zeros((seq_len, seq_len), dtype=np.int64)
    for kind, positions in groups:
        index = np.asarray(positions, dtype=np.int64)
        block = pairs[np.ix_(index, index)]
        pairs[np.ix_(index, index)] = np.maximum(block, kind)
    return pairs


def interactions_of(task) -> Interactions | None:
    """The task's declared interactions, checked against its positions and values (None: it has none)."""
    interactions = task.interactions()
    if interactions is not None:
        if not isinstance(interactions, Interactions):
            raise TaskDefinitionError(
                f"the {task.name} task's interactions() returned {type(interactions).__name__}; return an "
                "Interactions (recurse.tasks.interactions) or None"
            )
        interactions.check(seq_len=task.seq_len, values=len(task.alphabet), task=task.name)
    return interactions
