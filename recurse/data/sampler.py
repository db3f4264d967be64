"""Batch sampling as the official trainer does it, but seeded and resumable.

Training: each epoch shuffles the groups and draws one puzzle (an augmentation) per group. Batches are
filled with those puzzles' examples in random order; a puzzle that does not fit in the rest of a batch
contributes a random subset of its examples and the others are skipped, so every batch starts with a
new puzzle. An iteration spans several epochs and drops only its final partial batch. The order is a
pure function of (seed, epoch), so a position (iteration, batch) is all a resume needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from recurse.data.layout import PuzzleSplit

IGNORE_INDEX = -100


@dataclass
class HostBatch:
    """A batch as numpy arrays: inputs/labels [B, L] int32 (labels use −100 for ignored),
    puzzle_identifiers [B] int32, and how many rows are real (the rest is padding)."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    real: int
    rows: np.ndarray  # example indices, −1 for padding


def gather(split: PuzzleSplit, rows: np.ndarray, pad_to: int | None = None) -> HostBatch:
    meta = split.metadata
    rows = np.asarray(rows, dtype=np.int64)
    inputs = np.asarray(split.inputs[rows], dtype=np.int32)
    labels = np.asarray(split.labels[rows], dtype=np.int32)
    if meta.ignore_label_id is not None:
        labels[labels == meta.ignore_label_id] = IGNORE_INDEX
    puzzles = np.searchsorted(split.puzzle_indices, rows, side="right") - 1
    ids = np.asarray(split.puzzle_identifiers[puzzles], dtype=np.int32)
    real = len(rows)
    if pad_to is not None and pad_to > real:
        extra = pad_to - real
        inputs = np.concatenate([inputs, np.full((extra, inputs.shape[1]), meta.pad_id, np.int32)])
        labels = np.concatenate([labels, np.full((extra, labels.shape[1]), IGNORE_INDEX, np.int32)])
        ids = np.concatenate([ids, np.full(extra, meta.blank_identifier_id, np.int32)])
        rows = np.concatenate([rows, np.full(extra, -1)])
    return HostBatch(inputs, labels, ids, real, rows)


@dataclass
class IterationPlan:
    """The batches of one iteration: batch b is ``rows[starts[b]:starts[b] + batch_size]``."""

    rows: np.ndarray
    starts: np.ndarray


class TrainSampler:
    """Batches over iterations of ``epochs_per_iteration`` epochs, as the official trainer samples them."""

    def __init__(self, split: PuzzleSplit, batch_size: int, *, seed: int = 0, epochs_per_iteration: int = 1) -> None:
        self.split = split
        self.batch_size = batch_size
        self.seed = seed
        self.epochs_per_iteration = epochs_per_iteration
        self._cached: tuple[int, IterationPlan] | None = None

    def epoch_puzzles(self, epoch: int) -> np.ndarray:
        """The puzzles of one epoch: groups shuffled, one random puzzle (augmentation) of each."""
        rng = np.random.default_rng([self.seed, epoch])
        groups = self.split.group_indices
        order = rng.permutation(self.split.num_groups)
        first, last = groups[order], groups[order + 1]
        return first + (rng.random(order.size) * (last - first)).astype(np.int64)

    def epoch_rows(self, epoch: int) -> np.ndarray:
        """The example rows of one epoch's puzzles, each puzzle's examples in random order."""
        return self._shuffled_rows(self.epoch_puzzles(epoch), np.random.default_rng([self.seed, epoch, 1]))[0]

    def _shuffled_rows(self, puzzles: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Rows of ``puzzles`` in order (examples shuffled within each puzzle), and each puzzle's end."""
        index = self.split.puzzle_indices
        starts, sizes = index[puzzles].astype(np.int64), (index[puzzles + 1] - index[puzzles]).astype(np.int64)
        ends = np.cumsum(sizes)
        if np.all(sizes == 1):
            return starts, ends
        segment = np.repeat(np.arange(puzzles.size), sizes)
        offset = np.arange(ends[-1]) - np.repeat(ends - sizes, sizes)
        order = np.lexsort((rng.random(offset.size), segment))  # a random order within each puzzle
        return np.repeat(starts, sizes) + offset[order], ends

    def plan(self, iteration: int) -> IterationPlan:
        """The batches of ``iteration`` (the last one built is kept, since the trainer asks twice)."""
        if self._cached is not None and self._cached[0] == iteration:
            return self._cached[1]
        first = iteration * self.epochs_per_iteration
        parts = [self._shuffled_rows(self.epoch_puzzles(e), np.random.default_rng([self.seed, e, 1]))
                 for e in range(first, first + self.epochs_per_iteration)]
        rows = np.concatenate([r for r, _ in parts])
        shift = np.cumsum([0] + [r.size for r, _ in parts[:-1]])
        ends = np.concatenate([e + k for (_, e), k in zip(parts, shift)])
        size = self.batch_size
        if ends.size == rows.size:  # one example per puzzle: whole batches, back to back
            starts = np.arange(rows.size // size, dtype=np.int64) * size
        else:
            starts, start = [], 0
            while True:
                last = int(np.searchsorted(ends, start + size))  # the puzzle that fills the batch
                if last == ends.size:
                    break  # the final partial batch is dropped
                starts.append(start)
                start = int(ends[last])  # the rest of that puzzle is skipped
            starts = np.asarray(starts, dtype=np.int64)
        plan = IterationPlan(rows, starts)
        self._cached = (iteration, plan)
        return plan

    def batches_in(self, iteration: int) -> int:
        return int(self.plan(iteration).starts.size)

    def iterate(self, start_iteration: int = 0, start_batch: int = 0) -> Iterator[tuple[int, int, bool, HostBatch]]:
        """Endless (iteration, batch index, last batch of its iteration?, batch) from a position."""
        iteration, batch = start_iteration, start_batch
        while True:
            plan = self.plan(iteration)
            if plan.starts.size == 0:
                raise ValueError(f"the training split has fewer examples than one batch of {self.batch_size}")
            for b in range(batch, plan.starts.size):
                start = plan.starts[b]
                yield iteration, b, b == plan.starts.size - 1, gather(self.split, plan.rows[start:start + self.batch_size])
            iteration, batch = iteration + 1, 0


def eval_batches(split: PuzzleSplit, batch_size: int, limit: int | None = None) -> Iterator[HostBatch]:
    """Every example in order, the last batch padded to ``batch_size``."""
    total = split.num_examples if limit is None else min(limit, split.num_examples)
    for start in range(0, total, batch_size):
        rows = np.arange(start, min(start + batch_size, total))
        yield gather(split, rows, pad_to=batch_size)
