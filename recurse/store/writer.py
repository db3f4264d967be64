"""Writing a dataset folder: splits streamed to npy files, the official ``dataset.json`` and
``identifiers.json`` (as ``json.dump`` writes them), and a folder built beside its destination and moved
into place when complete. ``manifest.json`` holds recurse's own record of the build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recurse.errors import DatasetError
from recurse.io import atomic_path
from recurse.store.npy_stream import NpyAppender

MANIFEST = "manifest.json"
IDENTIFIERS = "identifiers.json"


def write_official_json(path: str | Path, data) -> None:
    """JSON as the official builders write it: ``json.dump`` defaults (", "/": " separators, ASCII, no
    indent, no final newline), so the file compares byte for byte."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data))


def official_metadata(
    *,
    seq_len: int,
    vocab_size: int,
    num_puzzle_identifiers: int,
    total_groups: int,
    mean_puzzle_examples: float,
    total_puzzles: int,
) -> dict:
    """``dataset.json`` in the official field order (the official builders dump their pydantic metadata
    model, whose fields start with the three ids) and meanings (``mean_puzzle_examples`` a float)."""
    return {
        "pad_id": 0,
        "ignore_label_id": 0,
        "blank_identifier_id": 0,
        "vocab_size": vocab_size,
        "seq_len": seq_len,
        "num_puzzle_identifiers": num_puzzle_identifiers,
        "total_groups": total_groups,
        "mean_puzzle_examples": float(mean_puzzle_examples),
        "total_puzzles": total_puzzles,
        "sets": ["all"],
    }


class SplitWriter:
    """Streams one split to disk: puzzles of one or more examples, gathered into groups."""

    def __init__(
        self,
        folder: Path,
        seq_len: int,
        digest,
        dtype: np.dtype | type[np.generic] = np.uint8,
        *,
        answer_positions: np.ndarray | None = None,
        answer_limit: int = 0,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.digest = digest
        self.inputs = NpyAppender(folder / "all__inputs.npy", dtype, (seq_len,))
        self.labels = NpyAppender(folder / "all__labels.npy", dtype, (seq_len,))
        # Answer sets (recurse.data.answer_sets): only for tasks with several answers, so every other
        # dataset keeps exactly the official files.
        self.answers = None
        if answer_positions is not None:
            np.save(folder / "all__answer_positions.npy", np.asarray(answer_positions, dtype=np.int32))
            self.answers = NpyAppender(folder / "all__answers.npy", np.uint8, (answer_limit, len(answer_positions)))
        self.puzzle_identifiers: list[int] = []
        self.puzzle_indices = [0]
        self.group_indices = [0]

    def add_puzzle(self, examples: Sequence[tuple[np.ndarray, ...]], identifier: int = 0) -> None:
        """Examples as (inputs, labels), or (inputs, labels, answers) when the split stores answer sets."""
        for inputs, labels, *answers in examples:
            self.inputs.append(inputs[None])
            self.labels.append(labels[None])
            self.digest.update(inputs.tobytes())
            self.digest.update(labels.tobytes())
            if self.answers is not None:
                self.answers.append(answers[0][None])
                self.digest.update(answers[0].tobytes())
        self.puzzle_indices.append(self.puzzle_indices[-1] + len(examples))
        self.puzzle_identifiers.append(identifier)

    def end_group(self) -> None:
        self.group_indices.append(len(self.puzzle_indices) - 1)

    def close(
        self,
        *,
        vocab_size: int,
        seq_len: int,
        num_puzzle_identifiers: int = 1,
        groups_as_puzzles: bool = True,
    ) -> dict:
        """Finish the arrays and write ``dataset.json``. ``groups_as_puzzles``: the official Sudoku and Maze
        builders count groups (original puzzles) as ``total_puzzles`` and write ``mean_puzzle_examples``
        1; the ARC builder counts puzzles and examples per puzzle."""
        self.inputs.close()
        self.labels.close()
        if self.answers is not None:
            self.answers.close()
        puzzles = len(self.puzzle_indices) - 1
        identifiers = np.asarray(self.puzzle_identifiers, dtype=np.int32)
        np.save(self.folder / "all__puzzle_identifiers.npy", identifiers)
        np.save(
            self.folder / "all__puzzle_indices.npy",
            np.asarray(self.puzzle_indices, dtype=np.int32),
        )
        np.save(
            self.folder / "all__group_indices.npy",
            np.asarray(self.group_indices, dtype=np.int32),
        )
        groups = len(self.group_indices) - 1
        examples = self.puzzle_indices[-1]
        metadata = official_metadata(
            seq_len=seq_len,
            vocab_size=vocab_size,
            num_puzzle_identifiers=num_puzzle_identifiers,
            total_groups=groups,
            mean_puzzle_examples=1.0 if groups_as_puzzles else examples / max(puzzles, 1),
            total_puzzles=groups if groups_as_puzzles else puzzles,
        )
        write_official_json(self.folder / "dataset.json", metadata)
        return {"groups": groups, "puzzles": puzzles, "examples": examples}


def destination(out: str | Path) -> Path:
    """The absolute folder a dataset may be built into, or a ``DatasetError``.

    A build replaces its destination, so the destination must be new, an empty folder, or a dataset that
    recurse built (it has ``manifest.json``): a folder of the user's, or a dataset the official builders
    wrote, is never deleted. The file system root and a path that ends in ``.`` or ``..`` are refused too
    (``path=.`` would replace the working folder).
    """
    raw = str(out)
    path = Path(os.path.abspath(raw))
    inside = Path.cwd() == path or path in Path.cwd().parents  # the working folder or one that holds it
    if not raw.strip() or path.parent == path or Path(raw).name in ("", ".", "..") or inside:
        raise DatasetError(f"cannot build a dataset at {raw!r}: name a new folder, e.g. path=data/my-dataset")
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise DatasetError(
            f"{path} exists and is not a plain folder (a file or a link); choose another path= (nothing was written)"
        )
    if path.is_dir() and any(path.iterdir()) and not (path / MANIFEST).is_file():
        raise DatasetError(
            f"{path} exists and is not a dataset built by recurse (no {MANIFEST}); choose another path= "
            "or remove the folder yourself (nothing was written)"
        )
    return path


def _remove_leftover(path: Path) -> None:
    """Remove what an earlier build left under one of recurse's own names; a link there is removed itself,
    never followed (its target is not recurse's)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _staging_name(out: Path) -> Path:
    return out.with_name(f".{out.name}.building")


def stage(out: Path) -> Path:
    """A fresh folder beside ``out`` to build into; ``publish`` moves it into place when complete."""
    out = destination(out)
    staging = _staging_name(out)
    _remove_leftover(staging)
    staging.mkdir(parents=True)
    return staging


def unstage(out: Path) -> None:
    """Remove what a failed build left in ``stage(out)``'s folder."""
    out = Path(os.path.abspath(out))
    if out.parent != out:  # the root has no staging folder (a build there is refused)
        shutil.rmtree(_staging_name(out), ignore_errors=True)


def publish(staging: Path, out: Path) -> None:
    """Move a complete build into place. A previous dataset recurse built there is renamed aside first and
    removed only once the new one is in place, so a reader finds the old or the new dataset, never a mix;
    anything that is not such a dataset is refused (checked again: the folder may have changed since
    ``stage``)."""
    out = destination(out)
    if not out.exists():
        staging.rename(out)
        return
    previous = out.with_name(f".{out.name}.replaced")
    _remove_leftover(previous)
    out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


def read_manifest(root: str | Path) -> dict | None:
    path = Path(root) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply
        manifest = None
    if not isinstance(manifest, dict):
        raise DatasetError(f"{path} is not a valid dataset manifest; rebuild the dataset")
    return manifest
