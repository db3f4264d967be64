"""An animated GIF of a refinement: the answer after each supervision step, with changed cells highlighted."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recurse.errors import RecurseError
from recurse.tasks.base import Task

GIVEN, CHANGED, PLAIN = (0.86, 0.86, 0.86), (1.0, 0.85, 0.3), (1.0, 1.0, 1.0)


def save_refinement_gif(task: Task, puzzle: str, trace: list[str], path: str | Path, *, seconds_per_step: float = 0.6,
                        valid: bool | None = None) -> Path:
    """Write ``path``: one frame per step; givens are grey, cells changed by the step are yellow."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.animation import FuncAnimation, PillowWriter
    except ImportError:
        raise RecurseError("--save-gif needs matplotlib: pip install 'recurse[plots]'") from None
    if not trace:
        raise RecurseError("there is no trace to animate")
    given = task.parse(puzzle)
    frames = [task.parse(answer) for answer in trace]
    rows, cols = task.rows, task.cols
    size = max(2.5, min(8.0, 0.32 * max(rows, cols)))
    fig, ax = plt.subplots(figsize=(size, size + 0.4))
    font = max(5, int(220 / max(rows, cols) ** 1.1))

    def draw(index: int):
        ax.clear()
        grid = frames[index]
        before = frames[index - 1] if index else given
        colours = np.empty((rows, cols, 3))
        blank = task.blank if task.blank is not None else -1
        for r in range(rows):
            for c in range(cols):
                if given[r, c] != blank and given[r, c] == grid[r, c] and task.blank is not None:
                    colours[r, c] = GIVEN
                elif grid[r, c] != before[r, c]:
                    colours[r, c] = CHANGED
                else:
                    colours[r, c] = PLAIN
        ax.imshow(colours, interpolation="nearest")
        for r in range(rows):
            for c in range(cols):
                ax.text(c, r, task.alphabet[grid[r, c]], ha="center", va="center", fontsize=font)
        ax.set_xticks(np.arange(-0.5, cols), minor=True)
        ax.set_yticks(np.arange(-0.5, rows), minor=True)
        ax.grid(which="minor", color="0.6", linewidth=0.5)
        ax.tick_params(which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
        verdict = "" if index < len(frames) - 1 or valid is None else (" · valid" if valid else " · not valid")
        ax.set_title(f"step {index + 1} of {len(frames)}{verdict}", fontsize=10)

    animation = FuncAnimation(fig, draw, frames=len(frames))
    path = Path(path)
    animation.save(str(path), writer=PillowWriter(fps=1 / seconds_per_step))
    plt.close(fig)
    return path
