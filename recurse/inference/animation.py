"""An animated GIF of a refinement: the puzzle, then the answer after each supervision step.

Givens, cells the model filled, cells a step changed, givens the model overwrote and filled cells that
break the task's rules each have their own colour, named in a legend under the board; wall cells ('#', as in mazes) are drawn as solid blocks rather than as text. A task that is not a
grid is drawn position by position: in the ``rows`` × ``cols`` it declares for drawing, or wrapped into a
near-square block, its input-only positions coloured as givens.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from recurse.errors import PuzzleFormatError, RecurseError
from recurse.tasks.base import Task

GIVEN = (0.78, 0.84, 0.93)  # blue-grey: the puzzle's clues
FILLED = (0.86, 0.95, 0.86)  # pale green: a blank the model filled
CHANGED = (1.0, 0.85, 0.3)  # yellow: changed by this step
BROKEN = (0.95, 0.45, 0.45)  # red: a given the model overwrote
INVALID = (0.97, 0.7, 0.86)  # pink: a filled cell that breaks the task's rules (never green like a valid one)
WALL = (0.15, 0.15, 0.15)  # a solid block
PLAIN = (1.0, 1.0, 1.0)


def require_matplotlib() -> None:
    """Raise a one-line ``RecurseError`` now if animations cannot be written (checked before solving)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RecurseError("--save-gif needs matplotlib: pip install 'recurse-reasoners[plots]'") from None


def drawing_shape(task: Task) -> tuple[int, int]:
    """The rows and columns a task's positions are drawn in: its grid, the ``rows`` × ``cols`` a task that
    is not a grid declares for drawing, or else its positions wrapped into a near-square block."""
    drawing = task.drawn_as()
    if drawing is not None and drawing[0] * drawing[1] == task.seq_len:
        return drawing
    cols = math.ceil(math.sqrt(task.seq_len))
    return math.ceil(task.seq_len / cols), cols


def check_drawable(task: Task) -> None:
    """Raise a one-line ``RecurseError`` now if this task's answers cannot be drawn (checked before solving)."""
    if not task.has_answer_parser():
        raise RecurseError(
            f"--save-gif cannot draw the {task.name} task: it writes answers with its own format_answer and "
            "defines no parse_answer to read them back (docs/tasks.md)"
        )


def _laid_out(task: Task, flat: np.ndarray, fill: object) -> np.ndarray:
    """``flat`` (one entry per position) placed row-major into the drawing, ``fill`` in the spare cells."""
    rows, cols = drawing_shape(task)
    out = np.empty((rows * cols, *flat.shape[1:]), dtype=flat.dtype)
    out[...] = fill
    out[: flat.shape[0]] = flat
    return out.reshape(rows, cols, *flat.shape[1:])


LEGEND = [
    (GIVEN, "given"),
    (FILLED, "filled"),
    (CHANGED, "changed by this step"),
    (INVALID, "breaks a rule"),
    (BROKEN, "given overwritten"),
]


def invalid_cells(task: Task, given: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Bool per position: the answer positions of ``grid`` (not givens) that break the task's rules.

    A constraint grid (Sudoku and the like) names the cells themselves: a repeated value in a group, a
    value out of range, a broken ``less_than`` pair. For another task whose answer breaks a rule, every
    position the model filled is marked, since the rules do not say which one is wrong."""
    from recurse.tasks.constraint import ConstraintGridTask

    flat_given, flat = np.asarray(given).reshape(-1), np.asarray(grid).reshape(-1)
    bad = np.zeros(flat.size, dtype=bool)
    if flat.size != flat_given.size or not task.violations(given, grid):
        return bad
    answer = np.zeros(flat.size, dtype=bool)
    answer[task.answer_positions()] = True
    filled = answer & ((flat_given == task.blank) if task.blank is not None else True)
    if not isinstance(task, ConstraintGridTask):
        return filled
    bad |= (flat < 1) | (flat > task.n)
    for group in task.groups():
        values = flat[group]
        repeated = [v for v in np.unique(values) if 1 <= v <= task.n and (values == v).sum() > 1]
        for value in repeated:
            bad[np.asarray(group)[values == value]] = True
    for a, b in task.less_than():
        if not flat[a] < flat[b]:
            bad[[a, b]] = True
    return bad & filled


def cell_colours(
    task: Task, given: np.ndarray, grid: np.ndarray, before: np.ndarray, invalid: np.ndarray | None = None
) -> np.ndarray:
    """[rows, cols, 3] colours of ``grid`` as a step of solving ``given`` that followed ``before``, in the
    task's drawing (``drawing_shape``). Input-only positions count as givens; ``invalid`` (a bool per
    position, :func:`invalid_cells`) marks filled cells that break a rule."""
    given, grid, before = (np.asarray(a).reshape(-1) for a in (given, grid, before))
    invalid = np.zeros(grid.size, dtype=bool) if invalid is None else np.asarray(invalid).reshape(-1)
    colours = np.empty((grid.size, 3))
    has_blanks = task.blank is not None
    input_only = np.ones(grid.size, dtype=bool)
    input_only[task.answer_positions()] = False
    for i in range(grid.size):
        is_given = input_only[i] or (has_blanks and given[i] != task.blank)
        if task.symbol(grid[i]) == "#":
            colours[i] = WALL
        elif is_given and grid[i] != given[i]:
            colours[i] = BROKEN
        elif invalid[i]:
            colours[i] = INVALID
        elif grid[i] != before[i]:
            colours[i] = CHANGED
        elif is_given:
            colours[i] = GIVEN
        elif has_blanks and grid[i] != task.blank:
            colours[i] = FILLED
        else:
            colours[i] = PLAIN
    return _laid_out(task, colours, PLAIN)


def save_refinement_gif(
    task: Task,
    puzzle: str,
    trace: list[str],
    path: str | Path,
    *,
    seconds_per_step: float = 0.6,
    valid: bool | None = None,
) -> Path:
    """Write ``path``: the puzzle, then one frame per supervision step of ``trace`` (answers as the task's
    ``format_answer`` writes them, read back with its ``parse_answer``)."""
    require_matplotlib()
    check_drawable(task)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    if not trace:
        raise RecurseError("there is no trace to animate")
    given = task.parse(puzzle)
    frames = [given] + [task.parse_answer(given, answer) for answer in trace]
    if any(np.size(frame) != np.size(given) for frame in frames):
        raise PuzzleFormatError("the answers change the grid's size, which this animation cannot show")
    rows, cols = drawing_shape(task)
    size = max(2.5, min(8.0, 0.32 * max(rows, cols)))
    width = max(size, 4.2)  # room for the legend under a small board
    fig, ax = plt.subplots(figsize=(width, size + 1.0))
    fig.subplots_adjust(bottom=0.2)
    from matplotlib.patches import Patch

    fig.legend(
        handles=[Patch(facecolor=colour, edgecolor="0.6", label=label) for colour, label in LEGEND],
        loc="lower center",
        ncol=3 if width >= 5.5 else 2,
        fontsize=7,
        frameon=False,
    )
    # Symbols about 60% of a cell's height (the axes take about 80% of the figure), so none spills over;
    # longer symbols (a task's multi-character values) shrink to fit the cell's width.
    longest = max(len(task.symbol(v)) for v in range(len(task.alphabet)))
    font = max(3.0, 0.6 * 72 * 0.8 * size / max(rows, cols) / max(1.0, 0.6 * longest))

    def draw(index: int):
        ax.clear()
        grid = np.asarray(frames[index]).reshape(-1)
        broken_rules = invalid_cells(task, given, frames[index]) if index else None
        colours = cell_colours(task, given, grid, frames[max(index - 1, 0)], broken_rules)
        ax.imshow(colours, interpolation="nearest")
        for i, value in enumerate(grid):
            symbol = task.symbol(value)
            if symbol != "#":
                ax.text(i % cols, i // cols, symbol, ha="center", va="center", fontsize=font)
        ax.set_xticks(np.arange(-0.5, cols), minor=True)
        ax.set_yticks(np.arange(-0.5, rows), minor=True)
        ax.grid(which="minor", color="0.6", linewidth=0.5)
        ax.tick_params(which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
        if index == 0:
            title = "puzzle"
        else:
            last = index == len(frames) - 1 and valid is not None
            title = f"step {index} of {len(frames) - 1}" + ((" · valid" if valid else " · not valid") if last else "")
        ax.set_title(title, fontsize=10)

    animation = FuncAnimation(fig, draw, frames=len(frames))
    path = Path(path)
    writer = PillowWriter(fps=1 / seconds_per_step)  # type: ignore[arg-type]  # Pillow takes a fractional rate
    animation.save(str(path), writer=writer)
    plt.close(fig)
    return path
