"""The board of any task whose puzzles and answers are grids of one symbol per cell (Sudoku n×n and the
like): givens on their own colour, filled cells shaded by the network's confidence, cells changed by this
step outlined, box lines where the task has boxes; its editor is a grid of cells to click and type in."""

from __future__ import annotations

import numpy as np

from recurse.errors import PuzzleFormatError
from recurse.serve.boards.base import (
    BROKEN,
    CHANGED,
    GIVEN,
    Board,
    Frame,
    answer_confidence,
    caption,
    confidence_shade,
    escape,
)
from recurse.tasks import Task


def parse_or_none(task: Task, text: str | None) -> np.ndarray | None:
    if text is None:
        return None
    try:
        grid = task.parse(text)
    except PuzzleFormatError:
        return None
    return grid if grid.shape == task.drawn_as() else None


def box_shape(task: Task) -> tuple[int, int] | None:
    """(rows, columns) of the task's boxes when it has them (Sudoku), for the thicker lines between them."""
    rows, cols = getattr(task, "box_rows", None), getattr(task, "box_cols", None)
    return (rows, cols) if isinstance(rows, int) and isinstance(cols, int) else None


class GridBoard(Board):
    editor_kind = "cells"

    def cell_style(self, task: Task, symbol: str, given: bool, broken: bool, confidence: float) -> tuple[str, str]:
        """(CSS classes, inline style) of a cell; subclasses draw walls and endpoints their own way."""
        if broken:
            return "rc-broken", f"background:{BROKEN}"
        if given:
            return "rc-given", f"background:{GIVEN}"
        if np.isnan(confidence) or (task.blank is not None and symbol == task.alphabet[task.blank]):
            return "rc-empty", ""
        return "rc-filled", f"background:{confidence_shade(confidence)}"

    def symbol_text(self, task: Task, symbol: str) -> str:
        return "" if task.blank is not None and symbol == task.alphabet[task.blank] else symbol

    def render(self, task: Task, frame: Frame) -> str:
        puzzle = task.parse(frame.puzzle)
        grid = parse_or_none(task, frame.answer)
        shown = puzzle if grid is None else grid
        before = parse_or_none(task, frame.previous)
        if before is None:
            before = puzzle
        confidence = answer_confidence(task, frame.confidence if grid is not None else None).reshape(
            task.rows, task.cols
        )
        boxes = box_shape(task)
        cells = []
        for r in range(task.rows):
            for c in range(task.cols):
                symbol = task.alphabet[shown[r, c]]
                given = task.blank is not None and puzzle[r, c] != task.blank
                broken = given and shown[r, c] != puzzle[r, c]
                classes, style = self.cell_style(task, symbol, given, broken, confidence[r, c])
                if grid is not None and shown[r, c] != before[r, c]:
                    classes += " rc-changed"
                    style += f";box-shadow:inset 0 0 0 3px {CHANGED}"
                if boxes is not None:
                    if r % boxes[0] == 0 and r:
                        classes += " rc-box-top"
                    if c % boxes[1] == 0 and c:
                        classes += " rc-box-left"
                title = "" if np.isnan(confidence[r, c]) else f' title="confidence {confidence[r, c]:.2f}"'
                cells.append(
                    f'<div class="rc-cell {classes}" style="{style}"{title}>{escape(self.symbol_text(task, symbol))}</div>'
                )
        return (
            f'<div class="rc-frame"><div class="rc-caption">{caption(frame)}</div>'
            f'<div class="rc-grid" style="grid-template-columns:repeat({task.cols},var(--rc-cell))">'
            + "".join(cells)
            + "</div></div>"
        )

    def editor_value(self, task: Task, text: str) -> dict | None:
        grid = parse_or_none(task, text)
        if grid is None or task.blank is None or any(len(s) != 1 for s in task.alphabet):
            return None
        return {
            "kind": self.editor_kind,
            "rows": task.rows,
            "cols": task.cols,
            "cells": [task.alphabet[v] for v in grid.reshape(-1)],
            "symbols": "".join(task.alphabet),
            "blank": task.alphabet[task.blank],
            "boxes": list(box_shape(task) or (0, 0)),
        }

    def text_of(self, task: Task, value: dict) -> str:
        cells = value.get("cells") if isinstance(value, dict) else None
        if not isinstance(cells, list):
            raise PuzzleFormatError("the grid editor sent no cells")
        return "".join(str(c)[:1] or task.alphabet[task.blank or 0] for c in cells)
