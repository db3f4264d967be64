"""The maze board: walls as solid blocks, start and goal in their own colours, the path the network marks
shaded by its confidence; its editor draws walls, open cells, the start and the goal with a brush."""

from __future__ import annotations

import numpy as np

from recurse.errors import PuzzleFormatError
from recurse.serve.boards.base import BROKEN, CHANGED, confidence_shade
from recurse.serve.boards.grid import GridBoard, parse_or_none
from recurse.tasks import Task

WALL_COLOUR, START_COLOUR, GOAL_COLOUR = "#1f2937", "#86efac", "#fca5a5"
OPEN_TEXT = "."  # how the editor and the text box write an open cell (the maze task reads '.' as open)


class MazeBoard(GridBoard):
    editor_kind = "maze"

    def cell_style(self, task: Task, symbol: str, given: bool, broken: bool, confidence: float) -> tuple[str, str]:
        if symbol == "#":
            return "rc-wall", f"background:{WALL_COLOUR}"
        if symbol == "S":
            return "rc-start", f"background:{START_COLOUR}"
        if symbol == "G":
            return "rc-goal", f"background:{GOAL_COLOUR}"
        if symbol == "o" and not np.isnan(confidence):
            return "rc-path", f"background:{confidence_shade(confidence)}"
        return "rc-open", ""

    def legend(self) -> list[tuple[str, str]]:
        return [
            (f"background:{WALL_COLOUR}", "wall"),
            (f"background:{START_COLOUR}", "start S"),
            (f"background:{GOAL_COLOUR}", "goal G"),
            ("confidence", "path • marked by the network: pale unsure, deep sure"),
            (f"box-shadow:inset 0 0 0 3px {CHANGED}", "changed at this step"),
        ]

    def symbol_text(self, task: Task, symbol: str) -> str:
        return {"o": "•", "S": "S", "G": "G"}.get(symbol, "")

    def render(self, task: Task, frame) -> str:
        html = super().render(task, frame)
        # An answer that moved a wall, the start or the goal is marked like an overwritten given.
        puzzle, answer = task.parse(frame.puzzle), parse_or_none(task, frame.answer)
        if answer is not None and np.any((answer != puzzle) & (answer != task.alphabet.index("o"))):
            html = html.replace('class="rc-frame"', f'class="rc-frame" style="outline:2px solid {BROKEN}"', 1)
        return html

    def editor_value(self, task: Task, text: str) -> dict | None:
        grid = parse_or_none(task, text)
        if grid is None:
            return None
        cells = [task.alphabet[v] for v in grid.reshape(-1)]
        return {
            "kind": self.editor_kind,
            "rows": task.rows,
            "cols": task.cols,
            "cells": [OPEN_TEXT if c in " o" else c for c in cells],
            "symbols": "#.SG",
            "blank": OPEN_TEXT,
            "boxes": [0, 0],
        }

    def text_of(self, task: Task, value: dict) -> str:
        cells = value.get("cells") if isinstance(value, dict) else None
        if not isinstance(cells, list) or len(cells) != task.seq_len:
            raise PuzzleFormatError("the maze editor sent no cells")
        symbols = [str(c)[:1] if str(c)[:1] in "#SG" else OPEN_TEXT for c in cells]
        return "\n".join("".join(symbols[r * task.cols : (r + 1) * task.cols]) for r in range(task.rows))
