"""N-Queens completion, defined only through recurse's public task API.

A puzzle is an n×n board with a few queens placed ('Q') and every other cell unknown ('.'); the answer
marks the n queens of the unique way to complete it ('Q' queen, '.' empty). It is registered as ``nqueens``
with the built-in tasks; then ``data: {task: {kind: nqueens, size: 8}}`` works in any recipe.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from recurse.spec import Spec as PluginSpec
from recurse.tasks import TASKS, GridSymmetry, Task
from recurse.tasks.budget import Deadline
from recurse.tasks.search import DomainProblem
from recurse.tasks.symmetry import dihedral

EMPTY, QUEEN = 0, 1


@TASKS.register("nqueens")
class NQueens(Task):
    alphabet = ".Q"

    class Spec(PluginSpec):
        kind: Literal["nqueens"] = "nqueens"
        size: int = Field(8, ge=4, le=16)

        def build(self) -> NQueens:
            return NQueens(self.size)

    def __init__(self, size: int = 8) -> None:
        self.rows = self.cols = self.n = size

    def spec(self) -> dict:
        return {"kind": "nqueens", "size": self.n}

    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        answer = np.asarray(answer)
        queens = np.argwhere(answer == QUEEN)
        problems = []
        if len(queens) != self.n:
            problems.append(f"{len(queens)} queens instead of {self.n}")
        if (np.asarray(puzzle) == QUEEN).any() and (answer[np.asarray(puzzle) == QUEEN] != QUEEN).any():
            problems.append("a given queen was removed")
        for kind, key in (
            ("row", lambda r, c: r),
            ("column", lambda r, c: c),
            ("diagonal", lambda r, c: r - c),
            ("anti-diagonal", lambda r, c: r + c),
        ):
            keys = [key(r, c) for r, c in queens]
            if len(set(keys)) != len(keys):
                problems.append(f"two queens share a {kind}")
        return problems

    def completions(self, puzzle: np.ndarray, limit: int = 2, deadline: Deadline | None = None) -> list[np.ndarray]:
        """Up to ``limit`` ways to complete the board (row-by-row backtracking); ``deadline`` is a
        generator's time limit, checked at every node."""
        given = {int(r): int(c) for r, c in np.argwhere(np.asarray(puzzle) == QUEEN)}
        found: list[np.ndarray] = []
        columns: list[int] = []

        def place(row: int) -> None:
            if len(found) >= limit:
                return
            if deadline is not None:
                deadline.check()
            if row == self.n:
                board = np.zeros((self.n, self.n), dtype=np.int64)
                board[np.arange(self.n), columns] = QUEEN
                found.append(board)
                return
            options = [given[row]] if row in given else range(self.n)
            for col in options:
                if all(col != c and abs(col - c) != row - r for r, c in enumerate(columns)):
                    columns.append(col)
                    place(row + 1)
                    columns.pop()

        place(0)
        return found

    def count_answers(self, puzzle: np.ndarray, limit: int = 2) -> int | None:
        return len(self.completions(puzzle, limit=limit))

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        found = self.completions(puzzle, limit=1)
        return found[0] if found else None

    def search_problem(self, puzzle: np.ndarray) -> QueensProblem:
        return QueensProblem(self.n, np.asarray(puzzle))

    def generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A random full placement, then queens revealed one at a time until its completion is unique."""
        deadline = Deadline(
            f"a {self.n}-queens puzzle", "lower task.size (boards above 12 have too many placements for this generator)"
        )
        solutions = self.completions(np.zeros((self.n, self.n), dtype=np.int64), limit=100_000, deadline=deadline)
        solution = solutions[rng.integers(len(solutions))]
        puzzle = np.zeros_like(solution)
        for r, c in rng.permutation(np.argwhere(solution == QUEEN)):
            puzzle[r, c] = QUEEN
            if len(self.completions(puzzle, limit=2, deadline=deadline)) == 1:
                break
        return puzzle, solution

    def random_symmetry(self, rng: np.random.Generator) -> GridSymmetry:
        return dihedral(self.n, self.n, int(rng.integers(8)), len(self.alphabet))

    def all_symmetries(self) -> list[GridSymmetry]:
        return [dihedral(self.n, self.n, i, len(self.alphabet)) for i in range(8)]


class QueensProblem(DomainProblem):
    """Row r's domain is the bitmask of columns its queen may take. Propagation: a placed queen takes its
    column and diagonals from every other row, and a column that only one row can still use gets it."""

    def __init__(self, n: int, puzzle: np.ndarray) -> None:
        self.n, self.puzzle = n, puzzle

    def root(self) -> list[int] | None:
        full = (1 << self.n) - 1
        domains = [full] * self.n
        for r, c in np.argwhere(self.puzzle == QUEEN):
            domains[r] &= 1 << int(c)  # two givens in one row leave it empty: no solution
        return self._propagate(domains)

    def domains(self, state: list[int]) -> list[int]:
        return state

    def assign(self, state: list[int], var: int, value: int) -> list[int] | None:
        domains = state.copy()
        domains[var] = 1 << value
        return self._propagate(domains)

    def answer(self, state: list[int]) -> np.ndarray:
        board = np.zeros((self.n, self.n), dtype=np.int64)
        board[np.arange(self.n), [d.bit_length() - 1 for d in state]] = QUEEN
        return board

    def value_scores(self, prior: np.ndarray) -> np.ndarray:
        return prior[:, QUEEN].reshape(self.n, self.n)

    def _propagate(self, domains: list[int]) -> list[int] | None:
        n, changed = self.n, True
        while changed:
            changed = False
            for r in range(n):
                if not domains[r]:
                    return None
                if domains[r] & (domains[r] - 1):
                    continue
                c = domains[r].bit_length() - 1
                for other in range(n):
                    if other == r:
                        continue
                    shift = abs(other - r)
                    attacked = 1 << c | 1 << (c + shift) | (1 << (c - shift) if c >= shift else 0)
                    if domains[other] & attacked:
                        domains[other] &= ~attacked
                        changed = True
                        if not domains[other]:
                            return None
            for c in range(n):
                rows = [r for r in range(n) if domains[r] >> c & 1]
                if not rows:
                    return None
                if len(rows) == 1 and domains[rows[0]] != 1 << c:
                    domains[rows[0]] = 1 << c
                    changed = True
        return domains
