"""Where a task's (puzzle, solution) pairs come from: its generator, a local CSV, or a Hub dataset."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

import numpy as np

from recurse.errors import RecurseError
from recurse.tasks.base import Task

Pair = tuple[np.ndarray, np.ndarray]


def generated_pairs(task: Task, count: int, rng: np.random.Generator, **options) -> Iterator[Pair]:
    for _ in range(count):
        yield task.generate(rng, **options)


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


def hub_file(repo_id: str, filename: str, *, revision: str | None = None) -> Path:
    """Download (or reuse from the cache) one file of a Hub dataset through huggingface_hub."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    from recurse.hub import offline_mode, unreachable

    # Without network the client retries for tens of seconds: probe first and use the cache at once.
    local = not offline_mode() and unreachable() is not None
    try:
        return Path(hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision, local_files_only=local))
    except LocalEntryNotFoundError:
        why = "HF_HUB_OFFLINE is set and it is not cached" if offline_mode() else \
            "the Hub cannot be reached and it is not cached"
        raise RecurseError(f"cannot get {filename} of the dataset {repo_id}: {why}; download it where you have "
                           "network access, or pass a local copy as the source") from None
    except Exception as error:  # noqa: BLE001  network and HTTP errors come in many types
        raise RecurseError(f"cannot download {filename} of the dataset {repo_id}: {error}") from None


def source_pairs(task: Task, source: str, split: str) -> list[Pair]:
    """Pairs for ``split`` from a source naming a CSV (``path/{split}.csv`` or a file) or ``hub:<repo>``."""
    if source.startswith("hub:"):
        return read_csv_pairs(task, hub_file(source[4:], f"{split}.csv"))
    path = Path(source)
    if path.is_dir():
        path = path / f"{split}.csv"
    return read_csv_pairs(task, path)
