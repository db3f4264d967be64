"""Building a dataset in the official npy layout: seeded, deterministic, streamed to disk.

Each training puzzle becomes a group: the original followed by ``num_aug`` random symmetric copies
(duplicates within a group are skipped). Test puzzles are written as they are. ``manifest.json`` records
the task, source, seed, counts and a SHA-256 fingerprint of the arrays.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Iterable

import numpy as np
from tqdm.auto import tqdm

from recurse.data.npy_stream import NpyAppender
from recurse.data.sources import Pair
from recurse.io import write_json
from recurse.tasks.base import Task

MANIFEST = "manifest.json"


class SplitWriter:
    """Streams one split to disk: puzzles of one or more examples, gathered into groups."""

    def __init__(self, folder: Path, seq_len: int, digest) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.digest = digest
        self.inputs = NpyAppender(folder / "all__inputs.npy", np.uint8, (seq_len,))
        self.labels = NpyAppender(folder / "all__labels.npy", np.uint8, (seq_len,))
        self.puzzle_identifiers: list[int] = []
        self.puzzle_indices = [0]
        self.group_indices = [0]

    def add_puzzle(self, examples: list[tuple[np.ndarray, np.ndarray]], identifier: int = 0) -> None:
        for inputs, labels in examples:
            self.inputs.append(inputs[None])
            self.labels.append(labels[None])
            self.digest.update(inputs.tobytes())
            self.digest.update(labels.tobytes())
        self.puzzle_indices.append(self.puzzle_indices[-1] + len(examples))
        self.puzzle_identifiers.append(identifier)

    def end_group(self) -> None:
        self.group_indices.append(len(self.puzzle_indices) - 1)

    def close(self, *, vocab_size: int, seq_len: int, num_puzzle_identifiers: int = 1) -> dict:
        self.inputs.close()
        self.labels.close()
        puzzles = len(self.puzzle_indices) - 1
        identifiers = np.asarray(self.puzzle_identifiers, dtype=np.int32)
        np.save(self.folder / "all__puzzle_identifiers.npy", identifiers)
        np.save(self.folder / "all__puzzle_indices.npy", np.asarray(self.puzzle_indices, dtype=np.int32))
        np.save(self.folder / "all__group_indices.npy", np.asarray(self.group_indices, dtype=np.int32))
        groups = len(self.group_indices) - 1
        examples = self.puzzle_indices[-1]
        metadata = {
            "pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": vocab_size,
            "seq_len": seq_len, "num_puzzle_identifiers": num_puzzle_identifiers, "total_groups": groups,
            "mean_puzzle_examples": examples / max(puzzles, 1), "total_puzzles": puzzles, "sets": ["all"],
        }
        write_json(self.folder / "dataset.json", metadata)
        return {"groups": groups, "puzzles": puzzles, "examples": examples}


def stage(out: Path) -> Path:
    """A fresh folder beside ``out`` to build into; ``publish`` moves it into place when complete."""
    staging = out.with_name(f".{out.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def publish(staging: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


def _group(task: Task, puzzle: np.ndarray, solution: np.ndarray, num_aug: int, rng: np.random.Generator):
    examples = [(task.encode(puzzle), task.encode_label(solution))]
    seen = {examples[0][0].tobytes()}
    group = task.all_symmetries()
    if group is not None and num_aug >= len(group) - 1:
        candidates = iter(group[1:])  # a small group: take every element rather than drawing
    else:
        candidates = (task.random_symmetry(rng) for _ in range(num_aug * 4))  # bounded: groups may run out
    for symmetry in candidates:
        if len(examples) > num_aug:
            break
        inputs = task.encode(symmetry.apply(puzzle))
        if inputs.tobytes() in seen:
            continue
        seen.add(inputs.tobytes())
        examples.append((inputs, task.encode_label(symmetry.apply(solution))))
    return examples


def build_dataset(task: Task, out: str | Path, *, train: Iterable[Pair], test: Iterable[Pair], num_aug: int,
                  seed: int, source: dict, train_total: int | None = None, test_total: int | None = None,
                  progress: bool = True, record_train_rows: set[bytes] | None = None) -> dict:
    """Write ``train/`` and ``test/`` splits, ``identifiers.json`` and ``manifest.json`` under ``out``.

    ``record_train_rows`` collects the bytes of every training input written (augmented copies
    included) before the test pairs are read, so a lazy test source can keep its puzzles held out.

    The folder is built beside its destination and moved into place at the end, so an interrupted
    build never leaves a half-written dataset where training would read it.
    """
    out = Path(out)
    staging = stage(out)
    digest = hashlib.sha256()
    rng = np.random.default_rng([seed, 1])
    counts = {}
    for split, pairs, total, augment in (("train", train, train_total, num_aug), ("test", test, test_total, 0)):
        writer = SplitWriter(staging / split, task.seq_len, digest)
        for puzzle, solution in tqdm(pairs, total=total, desc=f"building {split}", unit="puzzle",
                                     disable=None if progress else True, leave=False):
            for example in _group(task, puzzle, solution, augment, rng):
                writer.add_puzzle([example])  # one example per puzzle
                if split == "train" and record_train_rows is not None:
                    record_train_rows.add(example[0].tobytes())
            writer.end_group()
        counts[split] = writer.close(vocab_size=task.vocab_size, seq_len=task.seq_len)
    write_json(staging / "identifiers.json", ["<blank>"])
    manifest = {
        "task": task.spec(), "source": source, "seed": seed, "num_aug": num_aug, "counts": counts,
        "vocab": task.vocab, "fingerprint": digest.hexdigest(),
    }
    write_json(staging / MANIFEST, manifest)
    publish(staging, out)
    return manifest


def read_manifest(root: str | Path) -> dict | None:
    path = Path(root) / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else None
