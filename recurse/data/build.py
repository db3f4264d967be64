"""Building a dataset in the official npy layout: seeded, deterministic, streamed to disk.

Each training puzzle becomes a group: the original followed by ``num_aug`` random symmetric copies.
Test puzzles are written as they are. Two procedures share this writer:

- from source files (a CSV or a Hub dataset), the official Sudoku/Maze builders' procedure: the legacy
  numpy stream (``RandomState(seed)``), one draw of ``task.random_symmetry`` per copy, duplicates kept,
  and a small symmetry group (the maze's 8 dihedral images) written whole in its official numbering;
- generated data, recurse's own: a ``Generator`` stream, and copies that repeat a puzzle already in the
  group skipped (small tasks have few distinct images).

``dataset.json`` and ``identifiers.json`` carry the official fields with their official meanings, written
as ``json.dump`` writes them; recurse's own record (task, source, seed, counts, a SHA-256 fingerprint of
the arrays) goes in ``manifest.json``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from recurse.data.answer_sets import DEFAULT_LIMIT, answer_tokens, list_answers
from recurse.data.sources import Pair
from recurse.io import write_json
from recurse.store.writer import IDENTIFIERS, MANIFEST, SplitWriter, publish, stage, write_official_json
from recurse.tasks.base import Symmetry, Task


def _group(
    task: Task,
    puzzle: np.ndarray,
    solution: np.ndarray,
    num_aug: int,
    rng: np.random.Generator,
    answers: list[np.ndarray] | None = None,
    answer_limit: int = 0,
) -> list[tuple[np.ndarray, ...]]:
    """recurse's own augmentation (generated data): distinct copies only, drawn from a ``Generator``.
    With ``answers`` (a task with several), each example also carries its answer set, moved by the same
    symmetry as its puzzle."""

    def answer_set(symmetry: Symmetry | None) -> tuple[np.ndarray, ...]:
        if answers is None:
            return ()
        moved = answers if symmetry is None else [symmetry.apply(a) for a in answers]
        return (answer_tokens(task, moved, answer_limit),)

    examples = [(task.encode(puzzle), task.encode_label(solution), *answer_set(None))]
    seen = {examples[0][0].tobytes()}
    group = task.all_symmetries()
    if group is not None and num_aug >= len(group) - 1:
        candidates: Iterator[Symmetry] = iter(group[1:])  # a small group: take every element rather than drawing
    else:
        candidates = (task.random_symmetry(rng) for _ in range(num_aug * 4))  # bounded: groups may run out
    for symmetry in candidates:
        if len(examples) > num_aug:
            break
        inputs = task.encode(symmetry.apply(puzzle))
        if inputs.tobytes() in seen:
            continue
        seen.add(inputs.tobytes())
        examples.append((inputs, task.encode_label(symmetry.apply(solution)), *answer_set(symmetry)))
    return examples


def _official_group(
    task: Task, puzzle: np.ndarray, solution: np.ndarray, num_aug: int, rng: Any
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The official builders' augmentation: the original, then one ``random_symmetry`` draw per copy
    (puzzle and solution share it), duplicates kept; a small group (the maze's dihedral images) is
    written whole, in its listed order, without drawing."""
    group = task.all_symmetries()
    if group is not None and num_aug >= len(group) - 1:
        symmetries: Iterable[Symmetry] = group[1:]
    else:
        symmetries = (task.random_symmetry(rng) for _ in range(num_aug))
    examples = [(task.encode(puzzle), task.encode_label(solution))]
    examples += [(task.encode(s.apply(puzzle)), task.encode_label(s.apply(solution))) for s in symmetries]
    return examples


def build_dataset(
    task: Task,
    out: str | Path,
    *,
    train: Iterable[Pair],
    test: Iterable[Pair],
    num_aug: int,
    seed: int,
    source: dict,
    train_total: int | None = None,
    test_total: int | None = None,
    progress: bool = True,
    record_train_rows: set[bytes] | None = None,
    stream: np.random.RandomState | None = None,
    answer_limit: int = DEFAULT_LIMIT,
) -> dict:
    """Write ``train/`` and ``test/`` splits, ``identifiers.json`` and ``manifest.json`` under ``out``.

    ``stream``: a legacy ``RandomState`` selects the official procedure (augmentations drawn from it, in
    its order); without one, recurse's own procedure for generated data.

    ``record_train_rows`` collects the bytes of every training input written (augmented copies
    included) before the test pairs are read, so a lazy test source can keep its puzzles held out.

    The folder is built beside its destination and moved into place at the end, so an interrupted
    build never leaves a half-written dataset where training would read it.

    A generated dataset of a task with several answers that can list them also stores up to
    ``answer_limit`` answers per example (``recurse.data.answer_sets``), for training against the checker.
    """
    out = Path(out)
    staging = stage(out)
    digest = hashlib.sha256()
    official = stream is not None
    generator = np.random.default_rng([seed, 1])
    listing = not official and task.several_answers and task.lists_answers()

    def grouping(puzzle: np.ndarray, solution: np.ndarray, augment: int) -> Sequence[tuple[np.ndarray, ...]]:
        if stream is not None:
            return _official_group(task, puzzle, solution, augment, stream)
        if not listing:
            return _group(task, puzzle, solution, augment, generator)
        answers = list_answers(task, puzzle, solution, answer_limit)
        return _group(task, puzzle, solution, augment, generator, answers, answer_limit)

    counts = {}
    for split, pairs, total, augment in (("train", train, train_total, num_aug), ("test", test, test_total, 0)):
        # The official Sudoku builder's digit map is int64, so its augmented arrays are int64 (a task says
        # so with ``augmented_dtype``); every other array of the official builders is uint8.
        dtype: Any = getattr(task, "augmented_dtype", np.uint8) if official and augment > 0 else np.uint8
        writer = SplitWriter(
            staging / split,
            task.seq_len,
            digest,
            dtype,
            answer_positions=task.answer_positions() if listing else None,
            answer_limit=answer_limit,
        )
        for puzzle, solution in tqdm(
            pairs, total=total, desc=f"building {split}", unit="puzzle", disable=None if progress else True, leave=False
        ):
            for example in grouping(puzzle, solution, augment):
                writer.add_puzzle([example])  # one example per puzzle
                if split == "train" and record_train_rows is not None:
                    record_train_rows.add(example[0].tobytes())
            writer.end_group()
        counts[split] = writer.close(vocab_size=task.vocab_size, seq_len=task.seq_len)
    write_official_json(staging / IDENTIFIERS, ["<blank>"])
    manifest = {
        "task": task.spec(),
        "source": source,
        "seed": seed,
        "num_aug": num_aug,
        "procedure": "official" if official else "recurse",
        "counts": counts,
        "vocab": task.vocab,
        "fingerprint": digest.hexdigest(),
    }
    if listing:
        manifest["answer_limit"] = answer_limit
    write_json(staging / MANIFEST, manifest)
    publish(staging, out)
    return manifest
