"""Symmetries as (position permutation, value map) pairs, so every one has an exact, generic inverse.

``GridSymmetry`` maps every value the same way wherever it sits (relabel digits, turn a grid);
``PositionwiseSymmetry`` gives each position its own value map, for symmetries whose effect on a value
depends on where it is (flip one Boolean variable and the clauses that mention it, leave the rest).
"""

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

    def inverse(self) -> GridSymmetry:
        source = np.empty_like(self.source)
        source[self.source] = np.arange(self.source.size)
        value_map = np.empty_like(self.value_map)
        value_map[self.value_map] = np.arange(self.value_map.size)
        return GridSymmetry(source, value_map)

    def to_json(self) -> dict:
        return {"source": self.source.tolist(), "value_map": self.value_map.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> GridSymmetry:
        return cls(np.asarray(data["source"], dtype=np.int64), np.asarray(data["value_map"], dtype=np.int64))

    @classmethod
    def identity(cls, cells: int, values: int) -> GridSymmetry:
        return cls(np.arange(cells), np.arange(values))


@dataclass(frozen=True)
class PositionwiseSymmetry:
    """``apply(g)[i] = value_maps[i, g.flat[source[i]]]``: position i reads position ``source[i]`` and maps
    the value it finds with its own row of ``value_maps`` (a permutation of 0..V-1 per position)."""

    source: np.ndarray  # [positions] int, a permutation
    value_maps: np.ndarray  # [positions, values] int, each row a permutation

    def apply(self, grid: np.ndarray) -> np.ndarray:
        flat = np.asarray(grid).reshape(-1)
        return self.value_maps[np.arange(self.source.size), flat[self.source]].reshape(np.shape(grid))

    def inverse(self) -> PositionwiseSymmetry:
        # Output position i came from input position source[i] through map i, so input position j is
        # output position i = source⁻¹[j] read back through the inverse of map i.
        back = np.empty_like(self.source)
        back[self.source] = np.arange(self.source.size)
        maps = self.value_maps[back]
        inverse_maps = np.empty_like(maps)
        np.put_along_axis(inverse_maps, maps, np.arange(maps.shape[1])[None, :].repeat(maps.shape[0], 0), axis=1)
        return PositionwiseSymmetry(back, inverse_maps)

    @classmethod
    def identity(cls, positions: int, values: int) -> PositionwiseSymmetry:
        return cls(np.arange(positions), np.tile(np.arange(values), (positions, 1)))


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


def official_dihedral(grid: np.ndarray, index: int) -> np.ndarray:
    """The ``index``-th dihedral transform in the official builders' numbering: 0 identity, 1-3 quarter
    turns anticlockwise (``np.rot90``), 4 left-right flip, 5 up-down flip, 6 transpose, 7 left-right flip
    of one quarter turn (the anti-transpose). Works on non-square grids."""
    if index < 4:
        return np.rot90(grid, k=index)
    return (np.fliplr, np.flipud, np.transpose, lambda g: np.fliplr(np.rot90(g)))[index - 4](grid)


def official_dihedral_symmetry(rows: int, cols: int, index: int, values: int) -> GridSymmetry:
    """``official_dihedral`` as a ``GridSymmetry`` of a square grid (the cell each output cell reads)."""
    moved = official_dihedral(np.arange(rows * cols).reshape(rows, cols), index)
    if moved.shape != (rows, cols):
        raise ValueError(f"dihedral element {index} does not map a {rows}×{cols} grid onto itself")
    return GridSymmetry(np.ascontiguousarray(moved).reshape(-1), np.arange(values))


def draw_index(rng: np.random.Generator | np.random.RandomState, count: int) -> int:
    """A uniform integer in [0, count) from either numpy stream (``randint`` on the legacy one, as the
    official builders draw)."""
    return int(rng.randint(0, count) if isinstance(rng, np.random.RandomState) else rng.integers(count))
