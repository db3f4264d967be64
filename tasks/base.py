"""The task API: what a puzzle task declares so that recurse can build data, train, check and solve it.

A task is one Python class: its positions and their values (from which tokens follow), which positions
hold the answer (by default all of them), a checker, its symmetries (each with an exact inverse), an
optional generator, a text format, and where its data comes from. Register it with
``@TASKS.register("name")`` and give it a ``Spec`` for its parameters. docs/tasks.md states the contract.

Positions come either as a grid (``rows`` × ``cols``, puzzles shaped [rows, cols]) or directly as
``seq_len`` (puzzles flat, [seq_len]; ``rows`` and ``cols``, when given too, only say how to draw them).
"""

from __future__ import annotations

from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from recurse.errors import PuzzleFormatError, RecurseError, TaskDefinitionError
from recurse.tasks.interactions import Interactions
from recurse.tasks.symmetry import GridSymmetry

if TYPE_CHECKING:
    import torch

    from recurse.config.run import DataBuildConfig
    from recurse.tasks.search import SearchProblem

PAD_TOKEN = 0
MAX_VALUES = 255  # tokens are stored as bytes (uint8) and token 0 is padding: values 0..254 are tokens 1..255


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


class _CheckedTaskType(ABCMeta):
    """Checks every task once it is constructed, so a definition that cannot work (300 values in byte-sized
    tokens, no positions) fails where it is made, in one line, not deep inside a dataset build."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        task = super().__call__(*args, **kwargs)
        task.check_definition()
        return task


class Task(ABC, metaclass=_CheckedTaskType):
    """A puzzle task over a fixed set of positions, each holding one of ``len(alphabet)`` values.

    Value v is token ``v + 1``; token 0 is padding. ``alphabet[v]`` is how value v is written (one
    character, or a string of any length in a list), and ``blank`` (a value) marks positions to fill.

    A puzzle and its solution are arrays of the same shape over ``seq_len`` positions: [rows, cols] for a
    grid task, flat [seq_len] for a task that declares ``seq_len`` itself. The answer is the solution at
    ``answer_positions()``; the other positions are input only (clues, edges, signs): their labels are
    padding, which training and scoring ignore, and a prediction there is never read.
    """

    @property
    def name(self) -> str:
        """The name the task is registered under."""
        return getattr(type(self), "registry_name", type(self).__name__.lower())

    # A grid task sets rows and cols; a task that is not a grid sets seq_len instead (a class attribute or
    # in __init__), and may set rows and cols as well, only to say how --save-gif draws its positions.
    # Unset, they are absent: ``drawn_as()`` says whether a task has them.
    rows: int
    cols: int
    alphabet: Sequence[str]  # the symbol of each value: one-character symbols, or a list of strings
    blank: int | None = 0
    # Whether a generated puzzle may have more than one answer the checker accepts. Such a task that can
    # list them (``answers``) is trained against the checker and judged by checker-valid (docs/tasks.md,
    # "Several valid answers"); the contract tests hold a task that leaves it False to one answer per
    # generated puzzle.
    several_answers: bool = False

    # --- tokens -------------------------------------------------------------------------------------
    @property
    def seq_len(self) -> int:
        """How many positions (tokens) a puzzle has: the declared ``seq_len``, else ``rows × cols``."""
        declared = self.__dict__.get("_seq_len")
        if declared is not None:
            return declared
        drawing = self.drawn_as()
        if drawing is None:
            raise TaskDefinitionError(
                f"the {self.name} task declares neither seq_len nor rows and cols; set seq_len (its number "
                "of positions) or rows and cols (a grid)"
            )
        return drawing[0] * drawing[1]

    @seq_len.setter
    def seq_len(self, value: int) -> None:
        self._seq_len = value

    def drawn_as(self) -> tuple[int, int] | None:
        """(rows, cols) when the task sets both (a grid, or how to draw a sequence), else None."""
        rows, cols = getattr(self, "rows", None), getattr(self, "cols", None)
        return (rows, cols) if rows is not None and cols is not None else None

    def is_grid(self) -> bool:
        """Whether puzzles are [rows, cols] grids (False for a task that declares ``seq_len`` itself)."""
        return "_seq_len" not in self.__dict__ and type(self).seq_len is Task.seq_len

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of a puzzle array: (rows, cols) for a grid task, (seq_len,) otherwise."""
        return (self.rows, self.cols) if self.is_grid() else (self.seq_len,)

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
        tokens = np.asarray(tokens).reshape(self.shape).astype(np.int64)
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

    def parse_answer(self, puzzle: np.ndarray, text: str) -> np.ndarray:
        """The solution that answer ``text`` (as ``format_answer`` writes it) gives ``puzzle``: the inverse
        of ``format_answer``, which ``--save-gif`` uses to draw each step. The default reads the whole
        puzzle text; a task that writes its answers in its own format defines this beside it."""
        if not self.has_answer_parser():
            raise RecurseError(
                f"the {self.name} task writes answers with its own format_answer but defines no parse_answer "
                "to read them back; add one (docs/tasks.md) to draw its answers"
            )
        return self.parse(text)

    @classmethod
    def has_answer_parser(cls) -> bool:
        """Whether ``parse_answer`` can read answers back: they are whole puzzles, or the task defines it."""
        return cls.format_answer is Task.format_answer or cls.parse_answer is not Task.parse_answer

    def accepts(self, input_tokens: np.ndarray, output_tokens: np.ndarray) -> bool:
        """Whether the checker accepts the answer in ``output_tokens`` for the puzzle in ``input_tokens``
        (any valid answer counts, not only the label)."""
        puzzle = self.decode(input_tokens)
        return self.is_solution(puzzle, self.answer_of(puzzle, output_tokens))

    # --- text ---------------------------------------------------------------------------------------
    def single_character_symbols(self) -> bool:
        """Whether every value is written as one character (then text needs no separators)."""
        return all(len(symbol) == 1 for symbol in self.alphabet)

    def parse(self, text: str) -> np.ndarray:
        """A puzzle from its text: one symbol per position, row-major. Single-character symbols may be
        written together (line breaks, and spaces the alphabet does not use, are ignored); longer symbols
        are separated by spaces or line breaks."""
        if self.single_character_symbols():
            cells = [ch for ch in text if ch not in "\r\n" and (ch in self.alphabet or not ch.isspace())]
        else:
            cells = text.split()
        if len(cells) != self.seq_len:
            raise PuzzleFormatError(f"expected {self.seq_len} cells for a {self.describe()}, got {len(cells)}")
        lookup = {symbol: i for i, symbol in enumerate(self.alphabet)}
        lookup.update(self.aliases())
        bad = sorted({symbol for symbol in cells if symbol not in lookup})
        if bad:
            shown = "".join(bad) if self.single_character_symbols() else " ".join(bad[:5])
            choices = self.alphabet if isinstance(self.alphabet, str) else " ".join(self.alphabet[:20])
            raise PuzzleFormatError(f"unexpected symbol(s) {shown!r} for a {self.describe()}; use {choices!r}")
        return np.array([lookup[symbol] for symbol in cells], dtype=np.int64).reshape(self.shape)

    def format(self, grid: np.ndarray) -> str:
        """The one-line text of a puzzle (the format ``parse`` reads)."""
        separator = "" if self.single_character_symbols() else " "
        return separator.join(self.alphabet[v] for v in np.asarray(grid).reshape(-1))

    def render(self, grid: np.ndarray) -> str:
        """A multi-line, human-readable picture of a puzzle: a line per row of its grid (or of the
        ``rows`` × ``cols`` drawing a task that is not a grid declares); one line when it has neither."""
        drawing = self.drawn_as()
        if drawing is None:
            return self.format(grid)
        return "\n".join(self.format(row) for row in np.asarray(grid).reshape(drawing))

    def aliases(self) -> dict[str, int]:
        """Extra symbols accepted by ``parse`` (for example '0' for a blank)."""
        return {}

    def describe(self) -> str:
        if self.is_grid():
            return f"{self.rows}×{self.cols} {self.name}"
        return f"{self.name} of {self.seq_len} positions"

    def describe_position(self, index: int) -> str:
        """How people name flat position ``index`` (row and column for a grid), for messages and failing
        contract tests; a task with named positions (vertex 3, clause 7) can say so."""
        if self.is_grid():
            return f"row {index // self.cols + 1}, column {index % self.cols + 1}"
        return f"position {index}"

    def symbol(self, value: int) -> str:
        """How value ``value`` is written (its ``alphabet`` symbol), or ``<value N>`` when it has none."""
        return self.alphabet[value] if 0 <= value < len(self.alphabet) else f"<value {value}>"

    def check_definition(self) -> None:
        """Raise ``TaskDefinitionError`` (one line) if the task cannot work: no positions, a drawing shape
        that does not hold them, no values or more than byte-sized tokens hold, answer positions outside
        the puzzle. Runs once when a task is constructed."""
        seq_len = self.seq_len
        if not isinstance(seq_len, (int, np.integer)) or seq_len < 1:
            raise TaskDefinitionError(f"the {self.name} task has seq_len {seq_len!r}; it must be a positive integer")
        drawing = self.drawn_as()
        if not self.is_grid() and drawing is not None and drawing[0] * drawing[1] != seq_len:
            raise TaskDefinitionError(
                f"the {self.name} task draws its {seq_len} positions as {drawing[0]}×{drawing[1]}; rows × cols "
                "must equal seq_len (or leave rows and cols unset)"
            )
        alphabet = getattr(self, "alphabet", None)
        if not isinstance(alphabet, (str, list, tuple)) or not all(isinstance(a, str) for a in alphabet):
            raise TaskDefinitionError(
                f"the {self.name} task's alphabet must be a string of symbols or a list of strings, one per value"
            )
        values = len(alphabet)
        if values < 1:
            raise TaskDefinitionError(f"the {self.name} task has no values; its alphabet lists the symbol of each")
        if values > MAX_VALUES:
            raise TaskDefinitionError(
                f"the {self.name} task has {values} values, but tokens are stored as bytes (uint8, token 0 is "
                f"padding): at most {MAX_VALUES}; use fewer values, or spread one over several positions"
            )
        positions = np.asarray(self.answer_positions())
        if positions.size and (positions.min() < 0 or positions.max() >= seq_len):
            raise TaskDefinitionError(
                f"the {self.name} task's answer_positions() run from {positions.min()} to {positions.max()}, "
                f"outside its {seq_len} positions"
            )

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

    def answers(self, puzzle: np.ndarray, limit: int = 64) -> list[np.ndarray] | None:
        """Up to ``limit`` answers the checker accepts (whole solutions), all of them when there are fewer;
        None when the task cannot list them. A task with ``several_answers`` that lists them is trained
        against the checker (docs/tasks.md, "Several valid answers"). Default: the solutions of the task's
        exact search (``search_problem``), when it is a ``DomainProblem``."""
        problem = self.search_problem(puzzle)
        solutions = getattr(problem, "solutions", None)
        return solutions(limit) if solutions is not None else None

    @classmethod
    def lists_answers(cls) -> bool:
        """Whether the task can list its answers: it defines ``answers`` or a steerable exact search."""
        return cls.answers is not Task.answers or cls.search_problem is not Task.search_problem

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

    # --- candidate sets ---------------------------------------------------------------------------------
    def candidates(self, puzzle: np.ndarray, rounds: int | None = None) -> np.ndarray | None:
        """bool [seq_len, len(alphabet)]: which values each position can still take after the task's own
        propagation from the givens (``rounds`` rounds of it; None: to its fixed point), or None when the
        task has no propagation (the default). Candidate-set supervision trains on these (docs/tasks.md)."""
        return None

    def batch_candidates(self, puzzles: np.ndarray, rounds: int | np.ndarray | None = None) -> np.ndarray:
        """``candidates`` of a batch of puzzles, bool [B, seq_len, len(alphabet)]; ``rounds`` may give each
        puzzle its own count. Override it when the propagation runs faster over a whole batch at once."""
        each = np.broadcast_to(np.asarray(rounds if rounds is not None else -1), (len(puzzles),))
        sets = []
        for puzzle, count in zip(puzzles, each):
            candidates = self.candidates(puzzle, None if count < 0 else int(count))
            if candidates is None:
                raise RecurseError(f"the {self.name} task has no candidate propagation (it defines no candidates)")
            sets.append(candidates)
        return np.stack(sets)

    @classmethod
    def has_candidates(cls) -> bool:
        """Whether the task gives candidate sets (overrides ``candidates``)."""
        return cls.candidates is not Task.candidates

    # --- relaxed rules --------------------------------------------------------------------------------
    def relaxed_violations(self, tokens: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        """[B, rules] the probability that each rule is broken when every answer position is drawn from
        ``probs`` [B, L, vocab] (over token ids) independently, for puzzles ``tokens`` [B, L]: a
        differentiable checker for the ``relaxed_checker`` loss term. Tasks without one raise."""
        raise NotImplementedError(f"the {self.name} task has no relaxed_violations()")

    @classmethod
    def has_relaxed_violations(cls) -> bool:
        """Whether the task relaxes its checker (overrides ``relaxed_violations``)."""
        return cls.relaxed_violations is not Task.relaxed_violations

    # --- structure ----------------------------------------------------------------------------------
    def interactions(self) -> Interactions | None:
        """Which positions interact (``recurse.tasks.interactions``), for models built with
        ``model.interactions: task``; None (the default) when the task declares no structure."""
        return None

    @classmethod
    def has_interactions(cls) -> bool:
        """Whether the task declares its interaction structure (overrides ``interactions``)."""
        return cls.interactions is not Task.interactions

    def search_problem(self, puzzle: np.ndarray) -> SearchProblem | None:
        """The puzzle as an exact search the network's distribution can steer (``recurse.tasks.search``),
        or None when the task has none (a task with only ``solve`` is still solved exactly)."""
        return None

    def spec(self) -> dict:
        """The task's name and parameters, as saved with datasets and checkpoints."""
        return {"kind": self.name}
