"""The task API: what a puzzle task declares so that recurse can build data, train, check and solve it.

A task is one Python class: its positions and their alphabet (from which tokens follow), which positions
hold the answer (by default all of them), a checker, its symmetries (each with an exact inverse), an
optional generator, a text format, and where its data comes from. Register it with
``@TASKS.register("name")`` and give it a ``Spec`` for its parameters. docs/tasks.md states the contract.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from recurse.errors import PuzzleFormatError, RecurseError
from recurse.tasks.symmetry import GridSymmetry

if TYPE_CHECKING:
    from recurse.config.run import DataBuildConfig
    from recurse.tasks.search import SearchProblem

PAD_TOKEN = 0


class Symmetry(Protocol):
    """A map of grids onto grids that keeps solutions valid, with an exact inverse."""

    def apply(self, grid: np.ndarray) -> np.ndarray: ...

    def inverse(self) -> Symmetry: ...


class DatasetEvaluator(Protocol):
    """Task-specific scoring that needs a whole split's predictions (for example voting over augmentations)."""

    def add(
        self, puzzle_ids: np.ndarray, inputs: np.ndarray, predictions: np.ndarray, confidence: np.ndarray
    ) -> None: ...

    def metrics(self) -> dict[str, float]: ...

    def write(self, folder: str | Path) -> Path: ...


class Task(ABC):
    """A puzzle task over a fixed grid of cells, each holding one of ``len(alphabet)`` values.

    Cell value v is token ``v + 1``; token 0 is padding. ``alphabet[v]`` is how value v is written, and
    ``blank`` (a value) marks cells the solver must fill.

    A puzzle and its solution are arrays of the same shape over ``seq_len`` positions. The answer is the
    solution at ``answer_positions()``; the other positions are input only (clues, edges, signs): their
    labels are padding, which training and scoring ignore, and a prediction there is never read.
    """

    @property
    def name(self) -> str:
        """The name the task is registered under."""
        return getattr(type(self), "registry_name", type(self).__name__.lower())

    rows: int
    cols: int
    alphabet: Sequence[str]  # a string of one-character symbols, or a list of longer names
    blank: int | None = 0
    # Whether a generated puzzle may have more than one answer the checker accepts. Training compares
    # with one label, so a task whose puzzles have several should say so (docs/tasks.md, "Several valid
    # answers"); the contract tests hold a task that leaves it False to one answer per generated puzzle.
    several_answers: bool = False

    # --- tokens -------------------------------------------------------------------------------------
    @property
    def seq_len(self) -> int:
        return self.rows * self.cols

    @property
    def vocab_size(self) -> int:
        return len(self.alphabet) + 1

    @property
    def vocab(self) -> list[str]:
        """Token id → symbol, with ``<pad>`` at 0."""
        return ["<pad>", *self.alphabet]

    def encode(self, grid: np.ndarray) -> np.ndarray:
        """Tokens of a puzzle or solution (value v → token v + 1), flat, ``seq_len`` long."""
        return (np.asarray(grid).reshape(-1) + 1).astype(np.uint8)

    def decode(self, tokens: np.ndarray) -> np.ndarray:
        """The puzzle-shaped array of values that ``tokens`` encode (padding reads as value 0)."""
        tokens = np.asarray(tokens).reshape(self.rows, self.cols).astype(np.int64)
        return np.clip(tokens - 1, 0, len(self.alphabet) - 1)

    # --- answer -------------------------------------------------------------------------------------
    def answer_positions(self) -> np.ndarray:
        """Flat indices of the positions the model fills; the rest are input only. Default: every one."""
        return np.arange(self.seq_len)

    def encode_label(self, solution: np.ndarray) -> np.ndarray:
        """Label tokens of a solution: its tokens at answer positions, padding (ignored) elsewhere."""
        tokens = self.encode(solution)
        positions = self.answer_positions()
        if positions.size == tokens.size:
            return tokens
        labels = np.full_like(tokens, PAD_TOKEN)
        labels[positions] = tokens[positions]
        return labels

    def answer_of(self, puzzle: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """The solution a model's output tokens propose: the puzzle with its answer positions taken from
        ``tokens``; input-only positions keep the puzzle's values whatever the model put there."""
        decoded = self.decode(tokens)
        positions = self.answer_positions()
        if positions.size == self.seq_len:
            return decoded
        answer = np.array(puzzle, copy=True)
        answer.reshape(-1)[positions] = decoded.reshape(-1)[positions]
        return answer

    def format_answer(self, solution: np.ndarray) -> str:
        """The text of a solution's answer as the task writes it (default: the whole grid, one line)."""
        return self.format(solution)

    def render_answer(self, text: str) -> str:
        """A human-readable picture of an answer written by ``format_answer`` (default: the grid drawn)."""
        return self.render(self.parse(text))

    def accepts(self, input_tokens: np.ndarray, output_tokens: np.ndarray) -> bool:
        """Whether the checker accepts the answer in ``output_tokens`` for the puzzle in ``input_tokens``
        (any valid answer counts, not only the label)."""
        puzzle = self.decode(input_tokens)
        return self.is_solution(puzzle, self.answer_of(puzzle, output_tokens))

    # --- text ---------------------------------------------------------------------------------------
    def parse(self, text: str) -> np.ndarray:
        """A grid from its text: one symbol per cell, row-major; line breaks and spaces between cells are
        ignored unless the alphabet uses them."""
        cells = [ch for ch in text if ch not in "\r\n" and (ch in self.alphabet or not ch.isspace())]
        if len(cells) != self.seq_len:
            raise PuzzleFormatError(f"expected {self.seq_len} cells for a {self.describe()}, got {len(cells)}")
        lookup = {ch: i for i, ch in enumerate(self.alphabet)}
        lookup.update(self.aliases())
        bad = sorted({ch for ch in cells if ch not in lookup})
        if bad:
            raise PuzzleFormatError(
                f"unexpected symbol(s) {''.join(bad)!r} for a {self.describe()}; use {self.alphabet!r}"
            )
        return np.array([lookup[ch] for ch in cells], dtype=np.int64).reshape(self.rows, self.cols)

    def format(self, grid: np.ndarray) -> str:
        """The one-line text of a grid (the format ``parse`` reads)."""
        return "".join(self.alphabet[v] for v in np.asarray(grid).reshape(-1))

    def render(self, grid: np.ndarray) -> str:
        """A multi-line, human-readable picture of a grid."""
        return "\n".join(self.format(row) for row in np.asarray(grid).reshape(self.rows, self.cols))

    def aliases(self) -> dict[str, int]:
        """Extra symbols accepted by ``parse`` (for example '0' for a blank)."""
        return {}

    def describe(self) -> str:
        return f"{self.rows}×{self.cols} {self.name}"

    # --- rules --------------------------------------------------------------------------------------
    @abstractmethod
    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        """Every rule that ``answer`` breaks as a solution of ``puzzle``; empty when it solves it."""

    def is_solution(self, puzzle: np.ndarray, answer: np.ndarray) -> bool:
        return not self.violations(puzzle, answer)

    def count_answers(self, puzzle: np.ndarray, limit: int = 2) -> int | None:
        """How many answers the checker accepts for ``puzzle``, counted up to ``limit``; None when the
        task cannot count them (the default)."""
        return None

    def validate_puzzle(self, puzzle: np.ndarray) -> None:
        """Raise ``PuzzleFormatError`` if the puzzle itself breaks the rules (for example clashing givens).

        The default accepts every puzzle: a task whose givens cannot clash needs no check."""
        return None

    # --- symmetries ---------------------------------------------------------------------------------
    @abstractmethod
    def random_symmetry(self, rng: np.random.Generator) -> Symmetry:
        """A symmetry drawn from the task's group: it maps (puzzle, solution) pairs onto valid pairs."""

    def all_symmetries(self) -> list[GridSymmetry] | None:
        """Every element of a small symmetry group (identity first), or None when it is too large to list."""
        return None

    # --- data ---------------------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One (puzzle, solution) pair. Tasks without a generator load their data from files."""
        raise RecurseError(f"the {self.name} task has no generator; build its data from files")

    @classmethod
    def has_generator(cls) -> bool:
        return cls.generate is not Task.generate

    @classmethod
    def has_exact_solver(cls) -> bool:
        """Whether answers can be verified: the task defines a steerable search or an exact ``solve``."""
        return cls.search_problem is not Task.search_problem or cls.solve is not Task.solve

    def build_dataset(self, out: str | Path, build: DataBuildConfig, *, progress: bool = True) -> dict[str, Any] | None:
        """Build the task's dataset in its own way and return the manifest, or None to use the generic
        builder (one puzzle per example, augmented by ``random_symmetry``)."""
        return None

    def dataset_evaluator(self, root: str | Path) -> DatasetEvaluator | None:
        """Extra scoring over a whole split of the dataset at ``root``, or None when there is none."""
        return None

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        """An exact solution, if the task has a symbolic solver (None when there is none)."""
        return None

    def search_problem(self, puzzle: np.ndarray) -> SearchProblem | None:
        """The puzzle as an exact search the network's distribution can steer (``recurse.tasks.search``),
        or None when the task has none (a task with only ``solve`` is still solved exactly)."""
        return None

    def spec(self) -> dict:
        """The task's name and parameters, as saved with datasets and checkpoints."""
        return {"kind": self.name}
