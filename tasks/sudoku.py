"""``sudoku``: n×n Sudoku with r×c boxes (4×4, 6×6, 9×9, 16×16, …).

Text: n² symbols, row-major, with '.' (or '0') for blanks and "123456789ABCDEFG" for the digits. Tokens:
pad 0, blank 1, digit d → d + 1 (9×9: vocabulary 11, as in the official datasets).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from recurse.spec import Spec as PluginSpec
from recurse.tasks import TASKS
from recurse.tasks.constraint import ConstraintGridTask
from recurse.tasks.symmetry import GridSymmetry

DIGITS = "123456789ABCDEFG"


@TASKS.register("sudoku")
class Sudoku(ConstraintGridTask):
    # The official builder maps digits through an int64 array, so its augmented arrays are int64.
    augmented_dtype = np.int64

    class Spec(PluginSpec):
        kind: Literal["sudoku"] = "sudoku"
        box_rows: int = Field(3, ge=1, description="r: rows per box")
        box_cols: int = Field(3, ge=1, description="c: columns per box")
        clues: int | None = Field(
            None, ge=0, description="the generator stops removing clues at this many givens (default: a minimal puzzle)"
        )
        build_options = ("clues",)

        @model_validator(mode="after")
        def _size(self):
            if self.box_rows * self.box_cols > len(DIGITS):
                raise ValueError(f"boxes of {self.box_rows}×{self.box_cols} need more than {len(DIGITS)} digits")
            return self

        def build(self) -> Sudoku:
            return Sudoku(self.box_rows, self.box_cols, clues=self.clues)

    def __init__(self, box_rows: int = 3, box_cols: int = 3, *, clues: int | None = None) -> None:
        self.box_rows, self.box_cols = box_rows, box_cols
        self.clues = clues
        self.n = box_rows * box_cols
        self.rows = self.cols = self.n
        self.alphabet = "." + DIGITS[: self.n]

    def describe(self) -> str:
        return f"{self.n}×{self.n} sudoku (boxes {self.box_rows}×{self.box_cols})"

    def spec(self) -> dict:
        return {
            "kind": "sudoku",
            "box_rows": self.box_rows,
            "box_cols": self.box_cols,
            **({"clues": self.clues} if self.clues is not None else {}),
        }

    def aliases(self) -> dict[str, int]:
        return {"0": 0, "_": 0} | {d.lower(): i + 1 for i, d in enumerate(DIGITS[: self.n]) if d.isalpha()}

    def parse(self, text: str) -> np.ndarray:
        # Grids are often drawn with box separators; they carry no cells.
        return super().parse("".join(ch for ch in text if ch not in "|+-"))

    def render(self, grid: np.ndarray) -> str:
        grid = np.asarray(grid).reshape(self.n, self.n)
        lines = []
        for r in range(self.n):
            if r and r % self.box_rows == 0:
                lines.append("+".join("-" * (2 * self.box_cols - 1) for _ in range(self.n // self.box_cols)))
            row = [self.alphabet[v] for v in grid[r]]
            boxes = [" ".join(row[c : c + self.box_cols]) for c in range(0, self.n, self.box_cols)]
            lines.append("|".join(boxes))
        return "\n".join(lines)

    def groups(self) -> list[list[int]]:
        n, r, c = self.n, self.box_rows, self.box_cols
        rows = [[i * n + j for j in range(n)] for i in range(n)]
        cols = [[i * n + j for i in range(n)] for j in range(n)]
        boxes = [
            [(br + i) * n + (bc + j) for i in range(r) for j in range(c)]
            for br in range(0, n, r)
            for bc in range(0, n, c)
        ]
        return rows + cols + boxes

    def group_name(self, index: int) -> str:
        kind = ("row", "column", "box")[index // self.n]
        return f"{kind} {index % self.n + 1}"

    def random_symmetry(self, rng: np.random.Generator | np.random.RandomState) -> GridSymmetry:
        """Relabel digits; permute bands, rows within a band, stacks and columns within a stack; and for
        square boxes transpose with probability ½. Blanks stay blank.

        The draws come in the official builder's order (digit permutation; one uniform number, transpose
        below ½; bands, then each band's rows in the new band order; stacks, then their columns), and
        the map is new(i, j) = old(row_order[i], col_order[j]) of the transposed grid, so a legacy
        ``RandomState`` gives the official shuffles."""
        n, r, c = self.n, self.box_rows, self.box_cols
        value_map = np.concatenate([[0], 1 + rng.permutation(n)])
        transpose = r == c and rng.random() < 0.5
        row_order = np.concatenate([band * r + rng.permutation(r) for band in rng.permutation(n // r)])
        col_order = np.concatenate([stack * c + rng.permutation(c) for stack in rng.permutation(n // c)])
        cells = np.arange(n * n).reshape(n, n)
        if transpose:
            cells = cells.T
        source = cells[row_order][:, col_order]
        return GridSymmetry(np.ascontiguousarray(source).reshape(-1), value_map)
