"""An exact solver for problems whose rules are "these groups of cells hold different values" (plus
optional "cell a < cell b" relations): Latin squares, Sudoku, Futoshiki, graph colouring (a group per
edge). It counts solutions up to a limit and the guesses it needed.

Candidates are bitmasks (bit v set = value v allowed). Each search node propagates naked singles and
hidden singles to a fixed point, then branches on the cell with the fewest candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from recurse.tasks.budget import Deadline


@dataclass
class SolveResult:
    solutions: list[np.ndarray] = field(default_factory=list)
    guesses: int = 0  # value trials at cells that had two or more candidates

    @property
    def unique(self) -> bool:
        return len(self.solutions) == 1


class _Contradiction(Exception):
    pass


class AllDifferentSolver:
    def __init__(
        self,
        num_values: int,
        groups: list[list[int]],
        less_than: Sequence[tuple[int, int]] = (),
        num_cells: int | None = None,
    ) -> None:
        self.n = num_values
        self.groups = [list(g) for g in groups]
        self.full_groups = [g for g in self.groups if len(g) == num_values]
        self.cells = num_cells if num_cells is not None else 1 + max(c for g in self.groups for c in g)
        peers: list[set[int]] = [set() for _ in range(self.cells)]
        for group in self.groups:
            for c in group:
                peers[c].update(group)
        self.peers = [sorted(p - {c}) for c, p in enumerate(peers)]
        self.greater: list[list[int]] = [[] for _ in range(self.cells)]  # cells that must exceed this one
        self.smaller: list[list[int]] = [[] for _ in range(self.cells)]
        for a, b in less_than:
            self.greater[a].append(b)
            self.smaller[b].append(a)
        self.full = sum(1 << v for v in range(1, num_values + 1))

    # -- propagation ---------------------------------------------------------------------------------
    def _assign(self, cand: list[int], values: list[int], cell: int, value: int, queue: list[int]) -> None:
        bit = 1 << value
        if not cand[cell] & bit:
            raise _Contradiction
        cand[cell] = bit
        values[cell] = value
        for p in self.peers[cell]:
            if cand[p] & bit:
                cand[p] &= ~bit
                if not cand[p]:
                    raise _Contradiction
                if values[p] == 0 and cand[p] & (cand[p] - 1) == 0:
                    queue.append(p)
        above = self.full & ~((1 << (value + 1)) - 1)  # values > value
        below = (1 << value) - 2  # values 1..value-1
        for others, keep in ((self.greater[cell], above), (self.smaller[cell], below)):
            for p in others:
                if cand[p] & ~keep:
                    cand[p] &= keep
                    if not cand[p]:
                        raise _Contradiction
                    if values[p] == 0 and cand[p] & (cand[p] - 1) == 0:
                        queue.append(p)

    def _propagate(self, cand: list[int], values: list[int], queue: list[int]) -> None:
        while True:
            while queue:
                cell = queue.pop()
                if values[cell] == 0:
                    self._assign(cand, values, cell, cand[cell].bit_length() - 1, queue)
            # Hidden singles: a value that fits only one cell of a group goes there. Only a group of n
            # cells must hold every value; a smaller one (a graph's edge) may leave a value out.
            for group in self.full_groups:
                seen_once = seen_twice = 0
                for c in group:
                    seen_twice |= seen_once & cand[c]
                    seen_once |= cand[c]
                if seen_once != self.full:
                    raise _Contradiction
                lonely = seen_once & ~seen_twice
                if lonely:
                    for c in group:
                        hit = cand[c] & lonely
                        if hit and values[c] == 0:
                            if hit & (hit - 1):
                                raise _Contradiction  # one cell would need two values
                            cand[c] = hit
                            queue.append(c)
            if not queue:
                return

    # -- states ------------------------------------------------------------------------------------
    def start(self, givens: np.ndarray) -> tuple[list[int], list[int]] | None:
        """The propagated (candidates, values) of ``givens`` (0 = empty cell), or None if they contradict."""
        cand = [self.full] * self.cells
        values = [0] * self.cells
        try:
            queue: list[int] = []
            for cell, value in enumerate(int(v) for v in np.asarray(givens).reshape(-1)):
                if value:
                    if values[cell] == 0:
                        self._assign(cand, values, cell, value, queue)
                    elif values[cell] != value:
                        raise _Contradiction
            self._propagate(cand, values, queue)
        except _Contradiction:
            return None
        return cand, values

    def branch(self, cand: list[int], values: list[int], cell: int, value: int) -> tuple[list[int], list[int]] | None:
        """Propagated copies of (candidates, values) with ``cell`` set to ``value``, or None on a contradiction."""
        cand, values = cand.copy(), values.copy()
        try:
            queue: list[int] = []
            self._assign(cand, values, cell, value, queue)
            self._propagate(cand, values, queue)
        except _Contradiction:
            return None
        return cand, values

    # -- search --------------------------------------------------------------------------------------
    def solve(
        self,
        givens: np.ndarray,
        *,
        limit: int = 2,
        rng: np.random.Generator | None = None,
        deadline: Deadline | None = None,
    ) -> SolveResult:
        """Up to ``limit`` solutions of ``givens`` (0 = empty cell). ``rng`` randomises the value order;
        ``deadline`` (a generator's time limit) is checked at every search node."""
        result = SolveResult()
        state = self.start(givens)
        if state is not None:
            self._search(*state, result, limit, rng, np.asarray(givens).shape, deadline)
        return result

    def _search(self, cand, values, result, limit, rng, shape, deadline=None) -> None:
        if deadline is not None:
            deadline.check()
        open_cells = [c for c in range(self.cells) if values[c] == 0]
        if not open_cells:
            result.solutions.append(np.array(values, dtype=np.int64).reshape(shape))
            return
        cell = min(open_cells, key=lambda c: cand[c].bit_count())
        options = [v for v in range(1, self.n + 1) if cand[cell] >> v & 1]
        if rng is not None:
            rng.shuffle(options)
        for value in options:
            if len(result.solutions) >= limit:
                return
            result.guesses += 1
            branch = self.branch(cand, values, cell, value)
            if branch is not None:
                self._search(*branch, result, limit, rng, shape, deadline)
