"""Candidate sets of many puzzles at once: the propagation of ``AllDifferentSolver`` (naked singles,
hidden singles, inequalities from decided cells), run over a whole batch in lockstep rounds.

A round applies every rule once to every puzzle of the batch, from the candidates the previous round left;
rounds repeat until nothing changes (the fixed point, which is the solver's propagated root: each rule only
removes candidates and still applies to any smaller set, so the order of applying them does not matter) or
until a given number of rounds. The round count is what candidate-set supervision uses as a curriculum:
the candidates after k rounds are k steps of the solver's deduction.
"""

from __future__ import annotations

import numpy as np

from recurse.tasks.solver import AllDifferentSolver


class BatchedPropagation:
    """Bitmask candidates (bit v set = value v still possible) for a batch of givens, with numpy."""

    def __init__(self, solver: AllDifferentSolver) -> None:
        self.n = solver.n
        self.cells = solver.cells
        self.full = solver.full
        width = max((len(p) for p in solver.peers), default=0)
        # Each cell's peers, padded with a dummy cell (index `cells`) that is never decided.
        self.peers = np.array([p + [self.cells] * (width - len(p)) for p in solver.peers], dtype=np.int64)
        self.full_groups = np.array(solver.full_groups, dtype=np.int64).reshape(-1, self.n)
        # Where each cell sits in the flattened [groups × n] members, padded with one slot past the end.
        slots: list[list[int]] = [[] for _ in range(self.cells)]
        for index, cell in enumerate(self.full_groups.reshape(-1)):
            slots[cell].append(index)
        depth = max((len(s) for s in slots), default=0)
        self.member_slots = np.array([s + [self.full_groups.size] * (depth - len(s)) for s in slots], dtype=np.int64)
        pairs = [(a, b) for a in range(self.cells) for b in solver.greater[a]]
        self.smaller_cells = np.array([a for a, _ in pairs], dtype=np.int64)
        self.greater_cells = np.array([b for _, b in pairs], dtype=np.int64)

    def bitmasks(self, givens: np.ndarray, rounds: int | np.ndarray | None = None) -> np.ndarray:
        """int32 [B, cells]: the candidates of each cell after ``rounds`` rounds (None: the fixed point; an
        array: each puzzle's own count).

        ``givens`` is [B, cells] of values 0..n (0 = empty). Round 0 is the givens alone: a given cell
        holds its value, an empty cell every value."""
        givens = np.asarray(givens, dtype=np.int64).reshape(len(givens), self.cells)
        cand = np.where(givens > 0, np.left_shift(1, givens), self.full).astype(np.int32)
        limit = None if rounds is None else np.broadcast_to(np.asarray(rounds, dtype=np.int64), (len(givens),))
        done = 0
        while limit is None or done < limit.max(initial=0):
            new = self._round(cand)
            done += 1
            if limit is not None:
                new = np.where((done <= limit)[:, None], new, cand)  # a puzzle stops at its own count
            if np.array_equal(new, cand):
                break
            cand = new
        return cand

    def candidates(self, givens: np.ndarray, rounds: int | np.ndarray | None = None) -> np.ndarray:
        """bool [B, cells, n + 1]: column v says whether value v is still possible (column 0, the blank,
        never is)."""
        bits = self.bitmasks(givens, rounds)
        return (bits[..., None] >> np.arange(self.n + 1)) & 1 == 1

    def _round(self, cand: np.ndarray) -> np.ndarray:
        batch = cand.shape[0]
        decided = np.where(cand & (cand - 1) == 0, cand, 0)
        padded = np.concatenate([decided, np.zeros((batch, 1), np.int32)], axis=1)
        # Naked singles: a decided value leaves every peer.
        new = cand & ~np.bitwise_or.reduce(padded[:, self.peers], axis=2) if self.peers.size else cand.copy()
        new = np.where(decided != 0, cand, new)  # a decided cell keeps its own value
        if self.smaller_cells.size:
            self._inequalities(new, decided)
        # Hidden singles: a value that fits one cell of a full group goes there.
        if self.full_groups.size:
            members = new[:, self.full_groups]  # [B, groups, n]
            once = np.zeros(members.shape[:2], np.int32)
            twice = np.zeros_like(once)
            for j in range(self.n):
                twice |= once & members[:, :, j]
                once |= members[:, :, j]
            lonely = ((once & ~twice)[:, :, None] & members).reshape(batch, -1)  # each member's lonely values
            lonely = np.concatenate([lonely, np.zeros((batch, 1), np.int32)], axis=1)
            hits = np.bitwise_or.reduce(lonely[:, self.member_slots], axis=2)
            new = np.where(hits != 0, hits & new, new)
        return new

    def _inequalities(self, cand: np.ndarray, decided: np.ndarray) -> None:
        """value[a] < value[b]: a decided a bounds b from below, a decided b bounds a from above."""
        low = decided[:, self.smaller_cells]  # the smaller cell's value bit, or 0
        above = np.where(low != 0, self.full & ~((low << 1) - 1), self.full)
        high = decided[:, self.greater_cells]
        below = np.where(high != 0, (high - 1) & ~1, self.full)
        # numpy's stubs type ufunc.at's index as an array, not the (slice, array) tuple numpy accepts.
        np.bitwise_and.at(cand, (slice(None), self.greater_cells), above.astype(np.int32))  # type: ignore[arg-type]
        np.bitwise_and.at(cand, (slice(None), self.smaller_cells), below.astype(np.int32))  # type: ignore[arg-type]
