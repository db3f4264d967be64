"""Where a task's (puzzle, solution) pairs come from: its generator, a local CSV, or a Hub dataset."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from recurse.errors import RecurseError
from recurse.store.hub_files import hub_file
from recurse.tasks.base import Task
from recurse.tasks.budget import stall_limit

Pair = tuple[np.ndarray, np.ndarray]


def generate_one(task: Task, rng: np.random.Generator, stall_seconds: float | None = None) -> Pair:
    """One pair from the task's generator, stopped with one line if it returns nothing for
    ``stall_seconds`` (a plugin's generator is the user's code and may never return)."""
    with stall_limit(f"the generator of {task.describe()}", stall_seconds):
        return task.generate(rng)


def generated_pairs(
    task: Task, count: int, rng: np.random.Generator, stall_seconds: float | None = None
) -> Iterator[Pair]:
    for _ in range(count):
        yield generate_one(task, rng, stall_seconds)


def read_csv_pairs(task: Task, path: str | Path) -> list[Pair]:
    """Pairs from a CSV with ``question`` and ``answer`` columns (the official Sudoku and Maze format)."""
    path = Path(path)
    if not path.is_file():
        raise RecurseError(f"{path} not found")
    pairs = []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"question", "answer"} <= set(reader.fieldnames):
            raise RecurseError(f"{path} needs 'question' and 'answer' columns (found {reader.fieldnames})")
        for line, row in enumerate(reader, start=2):
            try:
                pairs.append((task.parse(row["question"]), task.parse(row["answer"])))
            except RecurseError as error:
                raise RecurseError(f"{path}:{line}: {error}") from None
    return pairs


def source_pairs(task: Task, source: str, split: str) -> list[Pair]:
    """Pairs for ``split`` from a source naming a CSV (``path/{split}.csv`` or a file) or ``hub:<repo>``."""
    if source.startswith("hub:"):
        return read_csv_pairs(task, hub_file(source[4:], f"{split}.csv"))
    path = Path(source)
    if path.is_dir():
        path = path / f"{split}.csv"
    return read_csv_pairs(task, path)
