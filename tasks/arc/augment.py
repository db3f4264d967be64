"""ARC augmentations: one of the 8 dihedral transforms composed with a permutation of colours 1..9.

Colour 0 (the background) stays fixed. An augmented puzzle is named ``<task>|||t<k>|||<map>``, where k
numbers the transforms as the official builder does (0 identity, 1-3 quarter turns anticlockwise, 4 left-
right flip, 5 up-down flip, 6 transpose, 7 anti-transpose) and ``<map>`` lists the new colour of colours
0..9. Datasets built by either tool therefore name their puzzles the same way, and the inverse of any
augmentation can be read back from the name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recurse.tasks.arc.grid import NUM_COLOURS
from recurse.tasks.symmetry import draw_index, official_dihedral

SEPARATOR = "|||"
DIHEDRAL_INVERSE = (0, 3, 2, 1, 4, 5, 6, 7)


dihedral = official_dihedral  # the official numbering, on grids of any shape


@dataclass(frozen=True)
class ArcAugmentation:
    """``apply(g) = dihedral(colours[g], index)``; colours is a permutation of 0..9 with colours[0] = 0."""

    index: int
    colours: np.ndarray

    def apply(self, grid: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(dihedral(self.colours[grid], self.index))

    def inverse(self) -> InverseArcAugmentation:
        return InverseArcAugmentation(self)

    @property
    def suffix(self) -> str:
        return f"{SEPARATOR}t{self.index}{SEPARATOR}{''.join(str(int(c)) for c in self.colours)}"

    @classmethod
    def identity(cls) -> ArcAugmentation:
        return cls(0, np.arange(NUM_COLOURS, dtype=np.uint8))

    @classmethod
    def draw(cls, rng: np.random.RandomState | np.random.Generator) -> ArcAugmentation:
        """A uniformly random augmentation. With a legacy ``RandomState`` the draws (transform, then the
        colour permutation) follow the official builder's order."""
        index = draw_index(rng, 8)
        colours = np.concatenate([[0], rng.permutation(np.arange(1, NUM_COLOURS))]).astype(np.uint8)
        return cls(index, colours)


@dataclass(frozen=True)
class InverseArcAugmentation:
    """Undoes an ``ArcAugmentation``: the inverse transform, then the inverse colour map."""

    forward: ArcAugmentation

    def apply(self, grid: np.ndarray) -> np.ndarray:
        inverse_colours = np.argsort(self.forward.colours).astype(np.uint8)
        return np.ascontiguousarray(inverse_colours[dihedral(grid, DIHEDRAL_INVERSE[self.forward.index])])

    def inverse(self) -> ArcAugmentation:
        return self.forward


def split_name(name: str) -> tuple[str, ArcAugmentation]:
    """The original task name and the augmentation that a puzzle name records (identity when none)."""
    if SEPARATOR not in name:
        return name, ArcAugmentation.identity()
    base, transform, colours = name.rsplit(SEPARATOR, 2)
    if not transform.startswith("t") or len(colours) != NUM_COLOURS:
        raise ValueError(f"malformed augmented ARC puzzle name {name!r}")
    return base, ArcAugmentation(int(transform[1:]), np.array([int(c) for c in colours], dtype=np.uint8))
