"""Futoshiki, defined only through recurse's public task API.

An n×n Latin square (each row and column holds 1..n once) with inequality signs between some
neighbouring cells. The text grid is (2n−1)×(2n−1): digit cells ('.' when blank) at even (row, column),
signs between them: '<' or '>' between horizontal neighbours, '^' (upper is smaller) or 'v' (upper is
larger) between vertical ones, ' ' for none. It is registered as ``futoshiki`` with the built-in tasks.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from recurse.spec import Spec as PluginSpec
from recurse.tasks import TASKS, GridSymmetry, PuzzleFormatError, Task
from recurse.tasks.budget import Deadline
from recurse.tasks.solver import AllDifferentSolver
from recurse.tasks.symmetry import dihedral

SIGNS = " <>^v"


@TASKS.register("futoshiki")
class Futoshiki(Task):
    class Spec(PluginSpec):
        kind: Literal["futoshiki"] = "futoshiki"
        size: int = Field(5, ge=3, le=9)
        signs: float = Field(0.3, ge=0, le=1, description="generator: share of neighbour pairs given a sign")

        def build(self) -> Futoshiki:
            return Futoshiki(self.size, signs=self.signs)

    def __init__(self, size: int = 5, *, signs: float = 0.3) -> None:
        self.n = size
        self.rows = self.cols = 2 * size - 1
        self.sign_share = signs
        self.alphabet = "." + "123456789"[:size] + SIGNS
        self.blank_sign = size + 1  # value of ' '
        self.sign_value = {s: size + 1 + i for i, s in enumerate(SIGNS)}

    def spec(self) -> dict:
        return {"kind": "futoshiki", "size": self.n, "signs": self.sign_share}

    # -- structure -----------------------------------------------------------------------------------
    def _cell(self, r: int, c: int) -> int:
        return (2 * r) * self.cols + 2 * c  # flat index in the text grid of digit cell (r, c)

    def _relations(self, grid: np.ndarray) -> list[tuple[int, int]]:
        """(smaller, larger) pairs of solver cells (r·n + c) from the signs in the grid."""
        pairs, value = [], self.sign_value
        for r in range(self.n):
            for c in range(self.n):
                if c + 1 < self.n:
                    sign = grid[2 * r, 2 * c + 1]
                    if sign == value["<"]:
                        pairs.append((r * self.n + c, r * self.n + c + 1))
                    elif sign == value[">"]:
                        pairs.append((r * self.n + c + 1, r * self.n + c))
                if r + 1 < self.n:
                    sign = grid[2 * r + 1, 2 * c]
                    if sign == value["^"]:
                        pairs.append((r * self.n + c, (r + 1) * self.n + c))
                    elif sign == value["v"]:
                        pairs.append(((r + 1) * self.n + c, r * self.n + c))
        return pairs

    def _solver(self, grid: np.ndarray) -> AllDifferentSolver:
        n = self.n
        groups = [[r * n + c for c in range(n)] for r in range(n)] + [[r * n + c for r in range(n)] for c in range(n)]
        return AllDifferentSolver(n, groups, self._relations(grid), num_cells=n * n)

    def _digits(self, grid: np.ndarray) -> np.ndarray:
        return np.asarray(grid)[::2, ::2]

    # -- rules ---------------------------------------------------------------------------------------
    def validate_puzzle(self, puzzle: np.ndarray) -> None:
        grid = np.asarray(puzzle)
        digits, signs = grid[::2, ::2], grid.copy()
        signs[::2, ::2] = self.blank_sign
        if (
            (digits > self.n).any()
            or (signs[1::2, 1::2] != self.blank_sign).any()
            or ((signs <= self.n) & (signs != self.blank_sign)).any()
        ):
            raise PuzzleFormatError("digits must sit at even (row, column) positions and signs between them")
        if not self._solver(grid).solve(digits, limit=1).solutions:
            raise PuzzleFormatError("this futoshiki has no solution (its givens and signs contradict)")

    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        puzzle, answer = np.asarray(puzzle), np.asarray(answer)
        problems = []
        signs = puzzle.copy()
        signs[::2, ::2] = 0
        answer_signs = answer.copy()
        answer_signs[::2, ::2] = 0
        if not np.array_equal(signs, answer_signs):
            problems.append("the signs were changed")
        digits, givens = self._digits(answer), self._digits(puzzle)
        if ((digits < 1) | (digits > self.n)).any():
            problems.append("a cell holds no digit")
            return problems
        if ((givens != 0) & (digits != givens)).any():
            problems.append("a given digit was changed")
        for axis, name in ((1, "row"), (0, "column")):
            if any(len(set(line)) != self.n for line in np.moveaxis(digits, axis, 1)):
                problems.append(f"a {name} repeats a digit")
        flat = digits.reshape(-1)
        if any(flat[a] >= flat[b] for a, b in self._relations(puzzle)):
            problems.append("an inequality does not hold")
        return problems

    def count_answers(self, puzzle: np.ndarray, limit: int = 2) -> int | None:
        grid = np.asarray(puzzle)
        return len(self._solver(grid).solve(self._digits(grid), limit=limit).solutions)

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        grid = np.asarray(puzzle)
        found = self._solver(grid).solve(self._digits(grid), limit=1).solutions
        if not found:
            return None
        answer = grid.copy()
        answer[::2, ::2] = found[0]
        return answer

    def search_problem(self, puzzle: np.ndarray):
        from recurse.tasks.constraint_search import AllDifferentProblem

        grid = np.asarray(puzzle)
        positions = [self._cell(r, c) for r in range(self.n) for c in range(self.n)]
        return AllDifferentProblem(self._solver(grid), self._digits(grid), grid=grid, positions=np.array(positions))

    # -- symmetries ----------------------------------------------------------------------------------
    def _with_signs_turned(self, symmetry: GridSymmetry, index: int) -> GridSymmetry:
        """A dihedral move of the grid must also turn the signs it carries."""
        v = self.sign_value
        quarter_turn = {"<": "v", ">": "^", "^": "<", "v": ">"}  # as np.rot90 turns the grid anticlockwise
        mapping = np.arange(len(self.alphabet))
        sign_map = {s: s for s in "<>^v"}
        for _ in range(index % 4):
            sign_map = {s: quarter_turn[t] for s, t in sign_map.items()}
        if index >= 4:
            flip = {"<": ">", ">": "<", "^": "^", "v": "v"}
            sign_map = {s: flip[t] for s, t in sign_map.items()}
        for s, t in sign_map.items():
            mapping[v[s]] = v[t]
        return GridSymmetry(symmetry.source, mapping)

    def all_symmetries(self) -> list[GridSymmetry]:
        return [self._with_signs_turned(dihedral(self.rows, self.cols, i, len(self.alphabet)), i) for i in range(8)]

    def random_symmetry(self, rng: np.random.Generator) -> GridSymmetry:
        return self.all_symmetries()[int(rng.integers(8))]

    # -- generation ----------------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A random Latin square, signs on a random share of neighbour pairs, then digits removed while
        the solution stays unique."""
        n = self.n
        deadline = Deadline(f"a {n}×{n} futoshiki", "lower task.size or task.signs, or build the data from files")
        square = AllDifferentSolver(
            n,
            [[r * n + c for c in range(n)] for r in range(n)] + [[r * n + c for r in range(n)] for c in range(n)],
            num_cells=n * n,
        )
        digits = square.solve(np.zeros((n, n), dtype=np.int64), limit=1, rng=rng, deadline=deadline).solutions[0]
        solution = np.full((self.rows, self.cols), self.blank_sign, dtype=np.int64)
        solution[::2, ::2] = digits
        v = self.sign_value
        for r in range(n):
            for c in range(n):
                if c + 1 < n and rng.random() < self.sign_share:
                    solution[2 * r, 2 * c + 1] = v["<"] if digits[r, c] < digits[r, c + 1] else v[">"]
                if r + 1 < n and rng.random() < self.sign_share:
                    solution[2 * r + 1, 2 * c] = v["^"] if digits[r, c] < digits[r + 1, c] else v["v"]
        puzzle = solution.copy()
        solver = self._solver(solution)
        for r, c in rng.permutation([(r, c) for r in range(n) for c in range(n)]):
            kept = puzzle[2 * r, 2 * c]
            puzzle[2 * r, 2 * c] = 0
            if len(solver.solve(self._digits(puzzle), limit=2, deadline=deadline).solutions) != 1:
                puzzle[2 * r, 2 * c] = kept
        return puzzle, solution
