"""Batch sampling as the official trainer does it, but seeded and resumable.

Training: each epoch shuffles the groups, draws one puzzle (an augmentation) per group, and fills
batches with that puzzle's examples. The order is a pure function of (seed, epoch), so a position
(iteration, batch) is all a resume needs.
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


class TrainSampler:
    """Batches over iterations of ``epochs_per_iteration`` epochs, as the official trainer samples them.

    Within an iteration the epochs' group orders are concatenated and only the final partial batch is
    dropped (the official trainer evaluates once per iteration, so this keeps its step count).
    """

    def __init__(self, split: PuzzleSplit, batch_size: int, *, seed: int = 0, epochs_per_iteration: int = 1) -> None:
        self.split = split
        self.batch_size = batch_size
        self.seed = seed
        self.epochs_per_iteration = epochs_per_iteration

    def epoch_rows(self, epoch: int) -> np.ndarray:
        """The example rows of one epoch: groups shuffled, one random puzzle (augmentation) per group."""
        rng = np.random.default_rng([self.seed, epoch])
        groups = self.split.group_indices
        puzzles_idx = self.split.puzzle_indices
        order = rng.permutation(self.split.num_groups)
        first, last = groups[order], groups[order + 1]
        puzzles = first + (rng.random(order.size) * (last - first)).astype(np.int64)
        starts, sizes = puzzles_idx[puzzles], puzzles_idx[puzzles + 1] - puzzles_idx[puzzles]
        if np.all(sizes == 1):
            return starts.astype(np.int64)
        return np.concatenate([s + rng.permutation(n) for s, n in zip(starts, sizes)])

    def iteration_rows(self, iteration: int) -> np.ndarray:
        """Every row used in ``iteration``, in order, cut to whole batches."""
        first = iteration * self.epochs_per_iteration
        rows = np.concatenate([self.epoch_rows(e) for e in range(first, first + self.epochs_per_iteration)])
        return rows[: rows.size - rows.size % self.batch_size]

    def batches_per_iteration(self) -> int:
        """Batches in an iteration (the same for every iteration: each epoch has as many rows)."""
        return self.iteration_rows(0).size // self.batch_size

    def iterate(self, start_iteration: int = 0, start_batch: int = 0) -> Iterator[tuple[int, int, HostBatch]]:
        """Endless (iteration, batch index, batch) from a position."""
        iteration, batch = start_iteration, start_batch
        while True:
            rows = self.iteration_rows(iteration)
            if rows.size == 0:
                raise ValueError(f"the training split has fewer examples than one batch of {self.batch_size}")
            for b in range(batch, rows.size // self.batch_size):
                yield iteration, b, gather(self.split, rows[b * self.batch_size:(b + 1) * self.batch_size])
            iteration, batch = iteration + 1, 0


def eval_batches(split: PuzzleSplit, batch_size: int, limit: int | None = None) -> Iterator[HostBatch]:
    """Every example in order, the last batch padded to ``batch_size``."""
    total = split.num_examples if limit is None else min(limit, split.num_examples)
    for start in range(0, total, batch_size):
        rows = np.arange(start, min(start + batch_size, total))
        yield gather(split, rows, pad_to=batch_size)
