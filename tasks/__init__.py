"""Puzzle tasks: tokens, checker, symmetries and generator of each, registered by name."""

from recurse.registry import Registry

TASKS: Registry = Registry("task")

# The order registers the built-in tasks; the examples import names bound above.
# isort: off
from recurse.tasks.base import PuzzleFormatError, Task  # noqa: E402
from recurse.tasks.arc import Arc  # noqa: E402  (registers "arc")
from recurse.tasks.maze import Maze  # noqa: E402  (registers "maze")
from recurse.tasks.sudoku import Sudoku  # noqa: E402  (registers "sudoku")
from recurse.tasks.symmetry import GridSymmetry, PositionwiseSymmetry  # noqa: E402
from recurse.tasks import examples  # noqa: E402,F401  (registers "nqueens", "futoshiki", "colouring", "sat")
# isort: on


def build_task(spec: dict) -> Task:
    """The task a saved spec describes (a checkpoint's or a dataset's ``task``), or a one-line error."""
    from recurse.errors import RecurseError
    from recurse.spec import validate_spec

    try:
        return validate_spec(TASKS, spec).build()
    except RecurseError:
        raise  # already one line (a TaskDefinitionError from the task's own check)
    except ValueError as error:
        raise RecurseError(
            f"cannot build the task {spec!r}: {error} (load your own task's file with --plugin)"
        ) from None


__all__ = [
    "TASKS",
    "Arc",
    "GridSymmetry",
    "Maze",
    "PositionwiseSymmetry",
    "PuzzleFormatError",
    "Sudoku",
    "Task",
    "build_task",
]
