"""Boards: how the page draws and edits each task's puzzles, a registry keyed by task name.

A task without a board of its own is drawn as a grid when its answers are grids (one symbol per cell),
and as text otherwise; a user's task plugin can register a board under its task's name.
"""

from __future__ import annotations

from recurse.errors import RecurseError
from recurse.registry import Registry
from recurse.serve.boards.base import Board, Frame
from recurse.serve.boards.graph import GraphBoard
from recurse.serve.boards.grid import GridBoard
from recurse.serve.boards.maze import MazeBoard
from recurse.serve.boards.text import TextBoard
from recurse.tasks import Task

BOARDS: Registry[type[Board]] = Registry("board")
BOARDS.register("sudoku")(GridBoard)
BOARDS.register("maze")(MazeBoard)
BOARDS.register("colouring")(GraphBoard)

__all__ = ["BOARDS", "Board", "Frame", "GraphBoard", "GridBoard", "MazeBoard", "TextBoard", "board_for"]


def board_for(task: Task, example: str | None = None) -> Board:
    """The board registered for the task, else a grid board when ``example`` reads as a grid, else text."""
    if task.name in BOARDS:
        return BOARDS.get(task.name)()
    if example is not None:
        try:
            grid = task.parse(example)
            if grid.shape == task.drawn_as() and task.format_answer(grid) == task.format(grid):
                return GridBoard()
        except (RecurseError, ValueError, IndexError):
            pass
    return TextBoard()
