"""Grid symmetries as (cell permutation, value map) pairs, so every one has an exact, generic inverse."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GridSymmetry:
    """``apply(g)[i] = value_map[g.flat[source[i]]]`` over a grid's cells in row-major order.

    ``source`` is a permutation of the cell indices; ``value_map`` maps cell values (a permutation of
    0..V-1, usually fixing the blank/wall values).
    """

    source: np.ndarray  # [cells] int
    value_map: np.ndarray  # [values] int

    def apply(self, grid: np.ndarray) -> np.ndarray:
        return self.value_map[grid.reshape(-1)[self.source]].reshape(grid.shape)

    def inverse(self) -> "GridSymmetry":
        source = np.empty_like(self.source)
        source[self.source] = np.arange(self.source.size)
        value_map = np.empty_like(self.value_map)
        value_map[self.value_map] = np.arange(self.value_map.size)
        return GridSymmetry(source, value_map)

    def to_json(self) -> dict:
        return {"source": self.source.tolist(), "value_map": self.value_map.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> "GridSymmetry":
        return cls(np.asarray(data["source"], dtype=np.int64), np.asarray(data["value_map"], dtype=np.int64))

    @classmethod
    def identity(cls, cells: int, values: int) -> "GridSymmetry":
        return cls(np.arange(cells), np.arange(values))


def dihedral(rows: int, cols: int, index: int, values: int) -> GridSymmetry:
    """The ``index``-th (0..7) element of the square's dihedral group: ``index % 4`` quarter turns,
    then a left-right flip when ``index >= 4``. Non-square grids only admit 0, 2, 4 and 6."""
    cells = np.arange(rows * cols).reshape(rows, cols)
    moved = np.rot90(cells, k=index % 4)
    if index >= 4:
        moved = np.fliplr(moved)
    if moved.shape != (rows, cols):
        raise ValueError(f"dihedral element {index} does not map a {rows}×{cols} grid onto itself")
    return GridSymmetry(np.ascontiguousarray(moved).reshape(-1), np.arange(values))
