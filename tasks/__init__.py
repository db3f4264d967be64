"""Puzzle tasks: tokens, checker, symmetries and generator of each, registered by name."""

from recurse.registry import Registry

TASKS: Registry = Registry("task")

from recurse.tasks.base import PuzzleFormatError, Task  # noqa: E402
from recurse.tasks.arc import Arc  # noqa: E402  (registers "arc")
from recurse.tasks.maze import Maze  # noqa: E402  (registers "maze")
from recurse.tasks.sudoku import Sudoku  # noqa: E402  (registers "sudoku")
from recurse.tasks.symmetry import GridSymmetry  # noqa: E402
from recurse.tasks import examples  # noqa: E402,F401  (registers "nqueens" and "futoshiki")

__all__ = ["TASKS", "Arc", "GridSymmetry", "Maze", "PuzzleFormatError", "Sudoku", "Task"]
