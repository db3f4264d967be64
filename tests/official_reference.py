"""A plain, test-only restatement of the official dataset builders, written from the behaviour described
in the shared reference note ("Dataset builders: the exact draw order" and "Data layout").

It shares no code with ``recurse.data`` or ``recurse.tasks``: every draw, transform and file is spelled
out here again, so that comparing recurse's builds with these outputs can fail. Each function returns
``{relative path: bytes}`` for the files the official builder writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np

PUZZLE_ARRAYS = ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _metadata(seq_len, vocab_size, identifiers, groups, mean_examples, puzzles) -> bytes:
    # Field order of the official metadata model, serialised by json.dump with its defaults.
    return json.dumps(
        {
            "pad_id": 0,
            "ignore_label_id": 0,
            "blank_identifier_id": 0,
            "vocab_size": vocab_size,
            "seq_len": seq_len,
            "num_puzzle_identifiers": identifiers,
            "total_groups": groups,
            "mean_puzzle_examples": float(mean_examples),
            "total_puzzles": puzzles,
            "sets": ["all"],
        }
    ).encode()


def _csv_rows(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [(row[1], row[2]) for row in reader]


def _subsample(items: list, size: int | None, rs: np.random.RandomState) -> list:
    if size is not None and size < len(items):
        return [items[i] for i in rs.choice(len(items), size=size, replace=False)]  # drawn order, unsorted
    return items


def _one_example_per_puzzle(split: str, rows_in, rows_out, groups_of: list[int], seq_len, vocab) -> dict:
    """Files of a Sudoku/Maze split: one example per puzzle, groups of the given sizes, all ids 0."""
    puzzles = sum(groups_of)
    return {
        f"{split}/all__inputs.npy": _npy(rows_in),
        f"{split}/all__labels.npy": _npy(rows_out),
        f"{split}/all__puzzle_identifiers.npy": _npy(np.zeros(puzzles, dtype=np.int32)),
        f"{split}/all__puzzle_indices.npy": _npy(np.arange(puzzles + 1, dtype=np.int32)),
        f"{split}/all__group_indices.npy": _npy(np.concatenate([[0], np.cumsum(groups_of)]).astype(np.int32)),
        f"{split}/dataset.json": _metadata(seq_len, vocab, 1, len(groups_of), 1, len(groups_of)),
    }


# --- Sudoku -------------------------------------------------------------------------------------------
def sudoku_shuffle(rs: np.random.RandomState):
    """One official shuffle: digits, transpose coin, bands and their rows, stacks and their columns."""
    digit_map = np.concatenate([[0], rs.permutation(np.arange(1, 10))])  # int64: blanks stay 0
    transpose = rs.rand() < 0.5
    bands = rs.permutation(3)
    row_perm = np.concatenate([3 * band + rs.permutation(3) for band in bands])
    stacks = rs.permutation(3)
    col_perm = np.concatenate([3 * stack + rs.permutation(3) for stack in stacks])

    def apply(board: np.ndarray) -> np.ndarray:
        grid = board.T if transpose else board
        moved = np.array([[grid[row_perm[i], col_perm[j]] for j in range(9)] for i in range(9)], dtype=board.dtype)
        return digit_map[moved]

    return apply


def sudoku_files(folder: Path, *, seed: int, train_size: int | None, num_aug: int) -> dict[str, bytes]:
    rs = np.random.RandomState(seed)

    def board(text: str) -> np.ndarray:
        return np.array([0 if ch == "." else int(ch) for ch in text], dtype=np.uint8).reshape(9, 9)

    files = {}
    for split in ("train", "test"):
        pairs = [(board(q), board(a)) for q, a in _csv_rows(folder / f"{split}.csv")]
        if split == "train":
            pairs = _subsample(pairs, train_size, rs)
        aug = num_aug if split == "train" else 0
        inputs, labels = [], []
        for q, a in pairs:
            inputs.append(q.reshape(-1))
            labels.append(a.reshape(-1))
            for _ in range(aug):
                shuffle = sudoku_shuffle(rs)
                inputs.append(shuffle(q).reshape(-1))
                labels.append(shuffle(a).reshape(-1))
        dtype = np.int64 if aug > 0 else np.uint8  # the int64 digit map decides the augmented dtype
        files.update(
            _one_example_per_puzzle(
                split,
                np.array(inputs, dtype=dtype) + 1,
                np.array(labels, dtype=dtype) + 1,
                [1 + aug] * len(pairs),
                81,
                11,
            )
        )
    files["identifiers.json"] = json.dumps(["<blank>"]).encode()
    return files


# --- Maze ---------------------------------------------------------------------------------------------
MAZE_TRANSFORMS = (  # the official dihedral numbering
    lambda g: g,
    lambda g: np.rot90(g, 1),
    lambda g: np.rot90(g, 2),
    lambda g: np.rot90(g, 3),
    lambda g: g[:, ::-1],
    lambda g: g[::-1, :],
    lambda g: g.T,
    lambda g: np.rot90(g, 1)[:, ::-1],
)


def maze_files(folder: Path, *, seed: int, train_size: int | None, augment: bool) -> dict[str, bytes]:
    rs = np.random.RandomState(seed)
    ids = {ch: i + 1 for i, ch in enumerate("# SGo")}
    files = {}
    for split in ("train", "test"):
        rows = _csv_rows(folder / f"{split}.csv")
        side = int(round(len(rows[0][0]) ** 0.5))
        pairs = [
            tuple(np.array([ids[ch] for ch in text], dtype=np.uint8).reshape(side, side) for text in row)
            for row in rows
        ]
        if split == "train":
            pairs = _subsample(pairs, train_size, rs)
        count = 8 if split == "train" and augment else 1
        inputs = [MAZE_TRANSFORMS[t](q).reshape(-1) for q, _ in pairs for t in range(count)]
        labels = [MAZE_TRANSFORMS[t](a).reshape(-1) for _, a in pairs for t in range(count)]
        files.update(
            _one_example_per_puzzle(
                split,
                np.array(inputs, dtype=np.uint8),
                np.array(labels, dtype=np.uint8),
                [count] * len(pairs),
                side * side,
                6,
            )
        )
    files["identifiers.json"] = json.dumps(["<blank>"]).encode()
    return files


# --- ARC ----------------------------------------------------------------------------------------------
def _arc_transform(grid: np.ndarray, index: int) -> np.ndarray:
    return MAZE_TRANSFORMS[index](grid)


def _grid_digest(grid: np.ndarray) -> str:
    return hashlib.sha256(bytes(grid.shape) + grid.tobytes()).hexdigest()


def _puzzle_digest(examples: list[tuple[np.ndarray, np.ndarray]]) -> str:
    return hashlib.sha256(
        "|".join(sorted(f"{_grid_digest(i)}|{_grid_digest(o)}" for i, o in examples)).encode()
    ).hexdigest()


def _canvas(grid: np.ndarray, top: int, left: int) -> np.ndarray:
    canvas = np.zeros((30, 30), dtype=np.uint8)
    rows, cols = grid.shape
    canvas[top : top + rows, left : left + cols] = grid + 2
    for c in range(left, left + cols):  # end-of-grid marker below the grid
        if top + rows < 30:
            canvas[top + rows, c] = 1
    for r in range(top, top + rows):  # and right of it
        if left + cols < 30:
            canvas[r, left + cols] = 1
    return canvas.reshape(-1)


def arc_files(folder: Path, *, subsets: list[str], test_subset: str, num_aug: int, seed: int) -> dict[str, bytes]:
    rs = np.random.RandomState(seed)
    groups = []  # (in test subset?, [(name, {"train": examples, "test": examples})] identity first)
    test_puzzles = {}
    for subset in subsets:
        tasks = json.loads((folder / f"arc-agi_{subset}_challenges.json").read_text())
        solutions_file = folder / f"arc-agi_{subset}_solutions.json"
        solutions = json.loads(solutions_file.read_text()) if solutions_file.is_file() else None
        for name, task in tasks.items():
            for index, example in enumerate(task["test"]):
                example["output"] = solutions[name][index] if solutions else example.get("output", [[0]])
        items = list(tasks.items())
        rs.shuffle(items)
        for name, task in items:
            in_test = subset == test_subset
            if in_test:
                test_puzzles[name] = task
            split_of = {"train": "train", "test": "test" if in_test else "train"}
            base = {"train": [], "test": []}
            for key in task:  # the JSON's own key order decides the example order
                base[split_of[key]] += [
                    (np.array(e["input"], dtype=np.uint8), np.array(e["output"], dtype=np.uint8)) for e in task[key]
                ]
            members = [(name, base)]
            if num_aug > 0:
                seen = {_puzzle_digest(base["train"] + base["test"])}
                for _ in range(5 * num_aug):
                    index = rs.randint(0, 8)
                    colours = np.concatenate([np.zeros(1, np.uint8), rs.permutation(np.arange(1, 10, dtype=np.uint8))])
                    moved = {
                        s: [(_arc_transform(colours[i], index), _arc_transform(colours[o], index)) for i, o in ex]
                        for s, ex in base.items()
                    }
                    digest = _puzzle_digest(moved["train"] + moved["test"])
                    if digest not in seen:
                        seen.add(digest)
                        members.append((f"{name}|||t{index}|||{''.join(str(c) for c in colours)}", moved))
                    if len(members) >= num_aug + 1:
                        break
            groups.append((in_test, members))
    names = ["<blank>"]
    for _, members in groups:
        for name, _ in members:
            if name not in names:
                names.append(name)
    files = {}
    for split in ("train", "test"):
        inputs, labels, identifiers, puzzle_indices, group_indices = [], [], [], [0], [0]
        for in_test, members in groups:
            if split == "test" and not in_test:
                continue
            for name, examples in members:
                keep = rs.randint(0, len(examples[split]))
                for index, (i, o) in enumerate(examples[split]):
                    top = left = 0
                    if split == "train" and index != keep:
                        top = rs.randint(0, 30 - max(i.shape[0], o.shape[0]) + 1)
                        left = rs.randint(0, 30 - max(i.shape[1], o.shape[1]) + 1)
                    inputs.append(_canvas(i, top, left))
                    labels.append(_canvas(o, top, left))
                puzzle_indices.append(len(inputs))
                identifiers.append(names.index(name))
            group_indices.append(len(identifiers))
        files[f"{split}/all__inputs.npy"] = _npy(np.stack(inputs))
        files[f"{split}/all__labels.npy"] = _npy(np.stack(labels))
        files[f"{split}/all__puzzle_identifiers.npy"] = _npy(np.array(identifiers, dtype=np.int32))
        files[f"{split}/all__puzzle_indices.npy"] = _npy(np.array(puzzle_indices, dtype=np.int32))
        files[f"{split}/all__group_indices.npy"] = _npy(np.array(group_indices, dtype=np.int32))
        files[f"{split}/dataset.json"] = _metadata(
            900, 12, len(names), len(group_indices) - 1, len(inputs) / len(identifiers), len(identifiers)
        )
    files["identifiers.json"] = json.dumps(names).encode()
    files["test_puzzles.json"] = json.dumps(test_puzzles).encode()
    return files


def write_files(files: dict[str, bytes], root: Path) -> None:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
