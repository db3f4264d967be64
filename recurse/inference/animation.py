"""An animated GIF of a refinement: the puzzle, then the answer after each supervision step.

Givens, cells the model filled, cells a step changed and givens the model overwrote each have their own
colour; wall cells ('#', as in mazes) are drawn as solid blocks rather than as text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recurse.errors import PuzzleFormatError, RecurseError
from recurse.tasks.base import Task

GIVEN = (0.78, 0.84, 0.93)  # blue-grey: the puzzle's clues
FILLED = (0.86, 0.95, 0.86)  # pale green: a blank the model filled
CHANGED = (1.0, 0.85, 0.3)  # yellow: changed by this step
BROKEN = (0.95, 0.45, 0.45)  # red: a given the model overwrote
WALL = (0.15, 0.15, 0.15)  # a solid block
PLAIN = (1.0, 1.0, 1.0)


def require_matplotlib() -> None:
    """Raise a one-line ``RecurseError`` now if animations cannot be written (checked before solving)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RecurseError("--save-gif needs matplotlib: pip install 'recurse-reasoners[plots]'") from None


def cell_colours(task: Task, given: np.ndarray, grid: np.ndarray, before: np.ndarray) -> np.ndarray:
    """[rows, cols, 3] colours of ``grid`` as a step of solving ``given`` that followed ``before``."""
    rows, cols = grid.shape
    colours = np.empty((rows, cols, 3))
    has_blanks = task.blank is not None
    for r in range(rows):
        for c in range(cols):
            is_given = has_blanks and given[r, c] != task.blank
            if task.alphabet[grid[r, c]] == "#":
                colours[r, c] = WALL
            elif is_given and grid[r, c] != given[r, c]:
                colours[r, c] = BROKEN
            elif grid[r, c] != before[r, c]:
                colours[r, c] = CHANGED
            elif is_given:
                colours[r, c] = GIVEN
            elif has_blanks and grid[r, c] != task.blank:
                colours[r, c] = FILLED
            else:
                colours[r, c] = PLAIN
    return colours


def save_refinement_gif(
    task: Task,
    puzzle: str,
    trace: list[str],
    path: str | Path,
    *,
    seconds_per_step: float = 0.6,
    valid: bool | None = None,
) -> Path:
    """Write ``path``: the puzzle, then one frame per supervision step of ``trace``."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    if not trace:
        raise RecurseError("there is no trace to animate")
    given = task.parse(puzzle)
    frames = [given] + [task.parse(answer) for answer in trace]
    if any(frame.shape != given.shape for frame in frames):
        raise PuzzleFormatError("the answers change the grid's size, which this animation cannot show")
    rows, cols = given.shape
    size = max(2.5, min(8.0, 0.32 * max(rows, cols)))
    fig, ax = plt.subplots(figsize=(size, size + 0.4))
    # Symbols about 60% of a cell's height (the axes take about 80% of the figure), so none spills over.
    font = max(4.0, 0.6 * 72 * 0.8 * size / max(rows, cols))

    def draw(index: int):
        ax.clear()
        grid = frames[index]
        ax.imshow(cell_colours(task, given, grid, frames[max(index - 1, 0)]), interpolation="nearest")
        for r in range(rows):
            for c in range(cols):
                symbol = task.alphabet[grid[r, c]]
                if symbol != "#":
                    ax.text(c, r, symbol, ha="center", va="center", fontsize=font)
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
