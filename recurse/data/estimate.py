"""What a dataset build will cost, estimated before it starts: disk, memory and (for generated data) time.

Like the training budget (``recurse/config/budget.py``) the figures are rough, within a small factor: a
build that cannot fit on the disk or in memory is refused with one line before anything is written, and
one expected to run for more than an hour says so before it starts.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import numpy as np

from recurse.config.budget import WARN_SECONDS, available_memory_bytes, human_duration
from recurse.data.sources import generate_one
from recurse.errors import ResourceError

log = logging.getLogger("recurse")

PROBE_SECONDS = 1.0  # at most this long spent timing the generator, and only for large builds
PROBE_FROM_PUZZLES = 10_000  # smaller builds are not timed: they take seconds
INDEX_BYTES = 12  # per row: its puzzle index, group index and identifier (int32 each)


def _free_disk(path: Path) -> int | None:
    for folder in (path, *path.parents):
        if folder.exists():
            try:
                return shutil.disk_usage(folder).free
            except OSError:
                return None
    return None


def _gib(count: float) -> str:
    return f"{count / 2**30:.1f} GiB"


def check_build_size(task, spec, out: str | Path) -> None:
    """Refuse (``ResourceError``) a build whose arrays would not fit on the disk at ``out``, or whose
    held-out check (generated data keeps every training row in memory) would not fit in memory; warn
    when generating would take more than an hour. Sizes a source file decides are not known here."""
    if spec.train_size is None or spec.test_size is None:
        return
    generated = spec.source == "generate"
    train_puzzles = spec.train_size * (1 + (spec.easier_copies if generated else 0))
    rows = train_puzzles * (1 + spec.num_aug) + spec.test_size
    token_bytes = 8 if getattr(task, "augmented_dtype", np.uint8) == np.int64 and spec.num_aug else 1
    need = rows * (2 * task.seq_len * token_bytes + INDEX_BYTES)
    where = Path(os.path.abspath(out))
    free = _free_disk(where)
    what = f"data build: {rows:,} rows of {task.seq_len} tokens"
    if free is not None and need > free:
        raise ResourceError(
            f"{what} need about {_gib(need)} on disk, more than the {_gib(free)} free at {where.parent}; "
            "lower build.train_size or build.num_aug"
        )
    if generated:
        held = train_puzzles * (1 + spec.num_aug) * (task.seq_len + 64)  # each row's bytes in a set
        memory = available_memory_bytes()
        if memory is not None and held > memory:
            raise ResourceError(
                f"{what}: checking that test puzzles are held out needs about {_gib(held)} of memory, more "
                f"than the {_gib(memory)} available; lower build.train_size or build.num_aug"
            )
        if train_puzzles + spec.test_size >= PROBE_FROM_PUZZLES:
            _warn_if_slow(task, train_puzzles + spec.test_size, spec.stall_seconds)


def _warn_if_slow(task, puzzles: int, stall_seconds: float) -> None:
    """Time the generator on a stream of its own (the build's draws are untouched) and warn past an hour."""
    rng = np.random.default_rng(2**32 - 1)
    started = time.perf_counter()
    made = 0
    while made < 3 and time.perf_counter() - started < PROBE_SECONDS:
        generate_one(task, rng, stall_seconds)
        made += 1
    seconds = (time.perf_counter() - started) / made * puzzles
    if seconds > WARN_SECONDS:
        log.warning(f"note: data build may take about {human_duration(seconds)} ({puzzles:,} puzzles to generate)")
