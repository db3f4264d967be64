"""Steerable exact search for all-different grids (Sudoku, Latin squares, Futoshiki's digits): the
bitmask propagation of ``AllDifferentSolver`` (naked and hidden singles, inequalities) at every node."""

from __future__ import annotations

import numpy as np

from recurse.tasks.search import DomainProblem
from recurse.tasks.solver import AllDifferentSolver


class AllDifferentProblem(DomainProblem):
    """Variable i is solver cell i, its values 1..n; it sits at ``positions[i]`` of the flat task grid
    (by default the grid is the solver's cells), and ``grid`` is what the answer is written into."""

    def __init__(
        self,
        solver: AllDifferentSolver,
        givens: np.ndarray,
        *,
        grid: np.ndarray | None = None,
        positions: np.ndarray | None = None,
    ) -> None:
        self.solver = solver
        self.givens = np.asarray(givens).reshape(-1)
        self.grid = np.asarray(grid if grid is not None else givens)
        self.positions = np.arange(self.givens.size) if positions is None else np.asarray(positions)

    def root(self):
        return self.solver.start(self.givens)

    def domains(self, state) -> list[int]:
        return state[0]

    def assign(self, state, var: int, value: int):
        return self.solver.branch(state[0], state[1], var, value)

    def answer(self, state) -> np.ndarray:
        flat = self.grid.reshape(-1).copy()
        flat[self.positions] = state[1]
        return flat.reshape(self.grid.shape)

    def value_scores(self, prior: np.ndarray) -> np.ndarray:
        # Cell value v is symbol v of the alphabet for every all-different task (0 is the blank).
        return prior[self.positions, : self.solver.n + 1]
