"""Batch sampling as the official trainer does it, but seeded and resumable.

Training: each epoch shuffles the groups and draws one puzzle (an augmentation) per group. Batches are
filled with those puzzles' examples in random order; a puzzle that does not fit in the rest of a batch
contributes a random subset of its examples and the others are skipped, so every batch starts with a
new puzzle. An iteration spans several epochs and drops only its final partial batch. The order is a
pure function of (seed, epoch), so a position (iteration, batch) is all a resume needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from recurse.store.layout import PuzzleSplit

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
    # [B, K, L] int32 label tokens of each example's listed answers (−100 outside the answer positions and
    # in rows without an answer), for tasks with several answers; None otherwise.
    answers: np.ndarray | None = None


def answer_labels(split: PuzzleSplit, rows: np.ndarray) -> np.ndarray | None:
    """The answer sets of ``rows`` (−1 for padding) as label tokens [B, K, L], or None without answer sets."""
    if split.answers is None:
        return None
    listed = np.asarray(split.answers[np.maximum(rows, 0)], dtype=np.int32)  # [B, K, A]
    listed[rows < 0] = 0
    answers = np.full((len(rows), listed.shape[1], split.metadata.seq_len), IGNORE_INDEX, np.int32)
    answers[:, :, np.asarray(split.answer_positions)] = np.where(listed == 0, IGNORE_INDEX, listed)
    return answers


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
    return HostBatch(inputs, labels, ids, real, rows, answer_labels(split, rows))


class TrainSampler:
    """Batches over iterations of ``epochs_per_iteration`` epochs, as the official trainer samples them.

    Batches are made epoch by epoch as they are needed, so an iteration of thousands of epochs costs no
    memory; a resume replays its iteration's packing up to the saved batch.
    """

    def __init__(self, split: PuzzleSplit, batch_size: int, *, seed: int = 0, epochs_per_iteration: int = 1) -> None:
        self.split = split
        self.batch_size = batch_size
        self.seed = seed
        self.epochs_per_iteration = epochs_per_iteration
        sizes = np.diff(np.asarray(split.puzzle_indices))
        self.one_example_per_puzzle = bool(sizes.size == 0 or np.all(sizes == 1))

    def epoch_puzzles(self, epoch: int) -> np.ndarray:
        """The puzzles of one epoch: groups shuffled, one random puzzle (augmentation) of each."""
        rng = np.random.default_rng([self.seed, epoch])
        groups = self.split.group_indices
        order = rng.permutation(self.split.num_groups)
        first, last = groups[order], groups[order + 1]
        return first + (rng.random(order.size) * (last - first)).astype(np.int64)

    def epoch_rows(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """One epoch's example rows (each puzzle's examples in random order) and where each puzzle ends."""
        index = self.split.puzzle_indices
        puzzles = self.epoch_puzzles(epoch)
        starts, sizes = index[puzzles].astype(np.int64), (index[puzzles + 1] - index[puzzles]).astype(np.int64)
        ends = np.cumsum(sizes)
        if self.one_example_per_puzzle:
            return starts, ends
        rng = np.random.default_rng([self.seed, epoch, 1])
        segment = np.repeat(np.arange(puzzles.size), sizes)
        offset = np.arange(ends[-1]) - np.repeat(ends - sizes, sizes)
        order = np.lexsort((rng.random(offset.size), segment))  # a random order within each puzzle
        return np.repeat(starts, sizes) + offset[order], ends

    def _batches(self, iteration: int) -> Iterator[np.ndarray]:
        """The row indices of each batch of ``iteration``, in order; the final partial batch is dropped."""
        size = self.batch_size
        pending = np.empty(0, dtype=np.int64)  # whole puzzles carried into the next epoch's first batch
        first = iteration * self.epochs_per_iteration
        for epoch in range(first, first + self.epochs_per_iteration):
            rows, ends = self.epoch_rows(epoch)
            if self.one_example_per_puzzle:
                rows = np.concatenate([pending, rows])
                whole = rows.size // size
                yield from rows[: whole * size].reshape(whole, size)
                pending = rows[whole * size :]
                continue
            position = 0
            while True:
                need = size - pending.size
                last = int(np.searchsorted(ends, position + need))  # the puzzle that fills the batch
                if last == ends.size:
                    pending = np.concatenate([pending, rows[position:]])
                    break
                yield np.concatenate([pending, rows[position : position + need]])
                pending = np.empty(0, dtype=np.int64)
                position = int(ends[last])  # the rest of that puzzle is skipped

    def batches_in(self, iteration: int) -> int:
        """The exact number of batches in ``iteration`` (counted by making them)."""
        return sum(1 for _ in self._batches(iteration))

    def expected_batches_per_iteration(self) -> int:
        """Exact with one example per puzzle; otherwise the official estimate (examples per epoch over
        the batch size), which the learning-rate schedule and the epoch counter use."""
        meta = self.split.metadata
        groups = self.split.num_groups * self.epochs_per_iteration
        if self.one_example_per_puzzle:
            return groups // self.batch_size
        return int(groups * meta.mean_puzzle_examples // self.batch_size)

    def iterate(self, start_iteration: int = 0, start_batch: int = 0) -> Iterator[tuple[int, int, bool, HostBatch]]:
        """Endless (iteration, batch index, last batch of its iteration?, batch) from a position."""
        iteration, skip = start_iteration, start_batch
        while True:
            batches = self._batches(iteration)
            current = next(batches, None)
            if current is None and skip == 0:
                raise ValueError(f"the training split has fewer examples than one batch of {self.batch_size}")
            index = 0
            while current is not None:
                following = next(batches, None)  # one batch ahead, to know which batch ends the iteration
                if index >= skip:
                    yield iteration, index, following is None, gather(self.split, current)
                current, index = following, index + 1
            iteration, skip = iteration + 1, 0


def eval_batches(split: PuzzleSplit, batch_size: int, limit: int | None = None) -> Iterator[HostBatch]:
    """Every example in order, the last batch padded to ``batch_size`` (to no more than the examples when
    they fit in one batch: ``limit=4`` must not compute 256 rows)."""
    total = split.num_examples if limit is None else min(limit, split.num_examples)
    for start in range(0, total, batch_size):
        rows = np.arange(start, min(start + batch_size, total))
        yield gather(split, rows, pad_to=min(batch_size, total))
