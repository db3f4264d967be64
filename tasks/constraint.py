"""A base for constraint grids: values 1..n, groups of cells that must all differ, and fixed givens.

Latin squares, Sudoku and its variants, and Futoshiki-like puzzles (add ``less_than`` pairs) are a few
lines on top: declare the groups, the symmetries, and the generator and solver come for free.
"""

from __future__ import annotations

import numpy as np

from recurse.tasks.base import PuzzleFormatError, Task
from recurse.tasks.budget import Deadline
from recurse.tasks.interactions import Interactions
from recurse.tasks.propagation import BatchedPropagation
from recurse.tasks.solver import AllDifferentSolver, SolveResult


class ConstraintGridTask(Task):
    """Cell value 0 is blank; 1..n are the symbols. Subclasses set ``rows``, ``cols``, ``n``, ``alphabet``
    and implement ``groups()`` (and optionally ``less_than()``)."""

    n: int
    clues: int | None = None  # the generator's default: stop removing clues at this many givens (None: minimal)

    def groups(self) -> list[list[int]]:
        raise NotImplementedError

    def less_than(self) -> list[tuple[int, int]]:
        """Pairs (a, b) of cells whose values must satisfy value[a] < value[b]."""
        return []

    def group_kind(self, index: int) -> str:
        """What sort of group group ``index`` is (``row``, ``box``): the first word of its name."""
        return self.group_name(index).split()[0]

    def interactions(self) -> Interactions:
        """Two cells interact when they share a group (a Sudoku cell's peers), with one kind for each set of
        group sorts they share (``row``, ``box``, ``row & box``), so that attention can tell a cell's row
        from its box: reasoning about where a value can go in one group needs that."""
        shared: dict[tuple[int, int], set[str]] = {}
        for index, group in enumerate(self.groups()):
            sort = self.group_kind(index)
            for a in group:
                for b in group:
                    if a != b:  # a cell with itself is the model's own kind
                        shared.setdefault((a, b), set()).add(sort)
        names = sorted({" & ".join(sorted(sorts)) for sorts in shared.values()}, key=lambda s: (s.count("&"), s))
        pairs = np.zeros((self.seq_len, self.seq_len), dtype=np.int64)
        for (a, b), sorts in shared.items():
            pairs[a, b] = names.index(" & ".join(sorted(sorts))) + 1
        return Interactions(names=tuple(names), pairs=pairs)

    @property
    def solver(self) -> AllDifferentSolver:
        if getattr(self, "_solver", None) is None:
            self._solver = AllDifferentSolver(self.n, self.groups(), self.less_than(), num_cells=self.seq_len)
        return self._solver

    # -- rules ---------------------------------------------------------------------------------------
    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        puzzle = np.asarray(puzzle).reshape(-1)
        answer = np.asarray(answer).reshape(-1)
        problems = []
        if answer.shape != puzzle.shape:
            return [f"answer has {answer.size} cells, puzzle has {puzzle.size}"]
        empty = np.flatnonzero((answer < 1) | (answer > self.n))
        if empty.size:
            problems.append(f"{empty.size} cell(s) hold no value 1..{self.n}")
        changed = np.flatnonzero((puzzle != 0) & (answer != puzzle))
        if changed.size:
            problems.append(f"{changed.size} given(s) changed")
        for index, group in enumerate(self.groups()):
            vals = answer[group]
            vals = vals[(vals >= 1) & (vals <= self.n)]
            if np.unique(vals).size != vals.size:
                problems.append(f"group {index} repeats a value")
        for a, b in self.less_than():
            if not answer[a] < answer[b]:
                problems.append(f"cell {a} must be less than cell {b}")
        return problems

    def validate_puzzle(self, puzzle: np.ndarray) -> None:
        flat = np.asarray(puzzle).reshape(-1)
        for index, group in enumerate(self.groups()):
            vals = flat[group]
            vals = vals[vals != 0]
            if np.unique(vals).size != vals.size:
                raise PuzzleFormatError(f"the givens repeat a value in {self.group_name(index)}")

    def group_name(self, index: int) -> str:
        return f"group {index}"

    # -- solving and generating ----------------------------------------------------------------------
    def solve_all(self, puzzle: np.ndarray, limit: int = 2) -> SolveResult:
        return self.solver.solve(puzzle, limit=limit)

    def count_answers(self, puzzle: np.ndarray, limit: int = 2) -> int | None:
        return len(self.solve_all(puzzle, limit=limit).solutions)

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        result = self.solver.solve(puzzle, limit=1)
        return result.solutions[0] if result.solutions else None

    @property
    def propagation(self) -> BatchedPropagation:
        if getattr(self, "_propagation", None) is None:
            self._propagation = BatchedPropagation(self.solver)
        return self._propagation

    def candidates(self, puzzle: np.ndarray, rounds: int | None = None) -> np.ndarray:
        """The solver's candidates: naked and hidden singles (and inequalities) from the givens."""
        return self.batch_candidates(np.asarray(puzzle)[None], rounds)[0]

    def batch_candidates(self, puzzles: np.ndarray, rounds: int | np.ndarray | None = None) -> np.ndarray:
        givens = np.asarray(puzzles).reshape(len(puzzles), -1)
        return self.propagation.candidates(givens, rounds)

    def search_problem(self, puzzle: np.ndarray):
        from recurse.tasks.constraint_search import AllDifferentProblem

        return AllDifferentProblem(self.solver, puzzle)

    def rating(self, puzzle: np.ndarray) -> int:
        """Difficulty: the guesses the solver needed to prove the solution unique."""
        return self.solver.solve(puzzle, limit=2).guesses

    def random_solution(self, rng: np.random.Generator, deadline: Deadline | None = None) -> np.ndarray:
        empty = np.zeros((self.rows, self.cols), dtype=np.int64)
        result = self.solver.solve(empty, limit=1, rng=rng, deadline=deadline)
        if not result.solutions:
            raise ValueError(f"{self.describe()} has no solution")
        return result.solutions[0]

    def generate(self, rng: np.random.Generator, *, clues: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """A puzzle with exactly one solution. Clues are removed in random order while the solution stays
        unique, down to ``clues`` givens (default: the task's ``clues``) or until no clue can go (a minimal
        puzzle)."""
        clues = self.clues if clues is None else clues
        deadline = Deadline(
            f"a {self.describe()} puzzle",
            "this grid is too large for the built-in generator; build its data from files or choose a smaller grid",
        )
        solution = self.random_solution(rng, deadline)
        puzzle = solution.reshape(-1).copy()
        remaining = puzzle.size
        for cell in rng.permutation(puzzle.size):
            if clues is not None and remaining <= clues:
                break
            kept = puzzle[cell]
            puzzle[cell] = 0
            if len(self.solver.solve(puzzle, limit=2, deadline=deadline).solutions) != 1:
                puzzle[cell] = kept
            else:
                remaining -= 1
        return puzzle.reshape(self.rows, self.cols), solution
