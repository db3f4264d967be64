"""The official dataset layout, read through memory maps so that training never loads a split into RAM.

A split folder holds ``all__inputs.npy`` and ``all__labels.npy`` ([N, seq_len] uint8 tokens),
``all__puzzle_identifiers.npy`` ([P] int32, one per puzzle), ``all__puzzle_indices.npy`` ([P+1] int32: the
examples of puzzle p are rows indices[p]..indices[p+1]) and ``all__group_indices.npy`` ([G+1] int32: the
puzzles of group g, an original and its augmentations), plus ``dataset.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from recurse.errors import DatasetError, RecurseError, one_line
from recurse.io import not_found

ARRAYS = ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")
OPTIONAL_ARRAYS = ("answers", "answer_positions")  # recurse's own, for tasks with several answers


class DatasetMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")  # official files may carry fields this reader does not use
    pad_id: int = 0
    ignore_label_id: int | None = 0
    blank_identifier_id: int = 0
    vocab_size: int
    seq_len: int
    num_puzzle_identifiers: int
    total_groups: int
    mean_puzzle_examples: float
    total_puzzles: int = 0
    sets: list[str] = ["all"]


@dataclass
class PuzzleSplit:
    path: Path
    metadata: DatasetMetadata
    inputs: np.ndarray
    labels: np.ndarray
    puzzle_identifiers: np.ndarray
    puzzle_indices: np.ndarray
    group_indices: np.ndarray
    # Answer sets of a task with several answers (recurse.data.answer_sets): [N, K, A] tokens at the
    # answer positions [A], zeros for no answer; None for every other dataset.
    answers: np.ndarray | None = None
    answer_positions: np.ndarray | None = None

    @property
    def num_examples(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def num_groups(self) -> int:
        return int(self.group_indices.shape[0] - 1)

    def example_puzzles(self) -> np.ndarray:
        """The puzzle index of every example row."""
        counts = np.diff(self.puzzle_indices)
        return np.repeat(np.arange(counts.size), counts)


def read_puzzle_identifiers(root: str | Path) -> list[str] | None:
    """A dataset's ``identifiers.json`` (puzzle id → name, ``<blank>`` at 0), or None when it has none."""
    path = Path(root) / "identifiers.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _read_array(file: Path) -> np.ndarray:
    """A memory-mapped integer array, never unpickled: object arrays cannot be memory-mapped and are refused."""
    try:
        array = np.load(file, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DatasetError(f"{file} is not a readable .npy array ({one_line(error)}); rebuild the dataset") from None
    if array.dtype.kind not in "iu":
        raise DatasetError(f"{file} holds {array.dtype} values, not integers; rebuild the dataset")
    return array


def load_split(root: str | Path, split: str, set_name: str = "all") -> PuzzleSplit:
    """Memory-map one split (``train`` or ``test``) of a dataset folder."""
    folder = Path(root) / split
    meta_path = folder / "dataset.json"
    if not meta_path.is_file():
        raise RecurseError(
            f"{meta_path} {not_found(meta_path)}; build the data first (recurse data build …) or fix data.path"
        )
    try:
        metadata = DatasetMetadata.model_validate(json.loads(meta_path.read_bytes().decode("utf-8")))
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, nested too deeply, or invalid fields
        reason = "nested too deeply" if isinstance(error, RecursionError) else one_line(error)
        raise DatasetError(f"{meta_path} is not a valid dataset.json ({reason}); rebuild the dataset") from None
    arrays = {}
    for name in ARRAYS:
        file = folder / f"{set_name}__{name}.npy"
        if not file.is_file():
            raise RecurseError(f"{file} {not_found(file)}; the dataset at {root} is incomplete")
        arrays[name] = _read_array(file)
    for name in OPTIONAL_ARRAYS:
        file = folder / f"{set_name}__{name}.npy"
        if file.is_file():
            arrays[name] = _read_array(file)
    if ("answers" in arrays) != ("answer_positions" in arrays):
        raise DatasetError(f"{folder} has only one of all__answers.npy and all__answer_positions.npy; rebuild the data")
    split_data = PuzzleSplit(path=folder, metadata=metadata, **arrays)
    shape = split_data.inputs.shape
    if shape != split_data.labels.shape or len(shape) != 2 or shape[1] != metadata.seq_len:
        raise RecurseError(
            f"{folder}: inputs {split_data.inputs.shape} and labels {split_data.labels.shape} do not "
            f"match seq_len {metadata.seq_len}"
        )
    if split_data.answers is not None:
        positions = np.asarray(split_data.answer_positions)
        listed = split_data.answers.shape
        if (
            len(listed) != 3
            or listed[0] != shape[0]
            or positions.ndim != 1
            or listed[2] != positions.size
            or (positions.size and not 0 <= positions.min() <= positions.max() < metadata.seq_len)
        ):
            raise DatasetError(
                f"{folder}: answers {listed} do not match {shape[0]} examples and answer positions "
                f"{positions.shape} within seq_len {metadata.seq_len}; rebuild the dataset"
            )
    return split_data
