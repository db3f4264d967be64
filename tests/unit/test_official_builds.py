"""Builds from source files write what the official builders write, byte for byte.

The golden files (tests/fixtures/golden) come from ``tests/official_reference.py``, a restatement of the
official builders that shares no code with recurse. The pinned tests below recompute single official
behaviours by hand from a fresh ``RandomState``, so that each one names what it guards.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from recurse.config import DataConfig
from recurse.data.prepare import build_from_config
from recurse.store.layout import load_split

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
ARC = ROOT / "tests" / "fixtures" / "data" / "arc"
sys.path.insert(0, str(GOLDEN))
from make_golden import CASES  # noqa: E402

from tests.official_reference import write_files  # noqa: E402


def _build(words: list[str], out: Path) -> Path:
    """Run the build a golden case names (the same key=value words as ``recurse data build``)."""
    from recurse.config.overrides import apply_overrides, validate_config

    words = [w.format(source=GOLDEN, arc=ARC) for w in words]
    raw = apply_overrides({"task": {"kind": words[0]}, "path": str(out), "build": {}}, words[1:])
    build_from_config(validate_config(DataConfig, raw, source="test"), progress=False)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_equals_the_golden_files_byte_for_byte(case, tmp_path):
    """Every array (values, dtype, order, numpy's own npy header), dataset.json, identifiers.json and
    test_puzzles.json as the official builder writes them; recurse adds only manifest.json."""
    built = _files(_build(CASES[case][1], tmp_path / case))
    golden = _files(GOLDEN / case)
    assert built.pop("manifest.json")
    assert sorted(built) == sorted(golden)
    for name, content in golden.items():
        assert built[name] == content, f"{case}/{name} differs from the official output"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_files_follow_the_reference(case, tmp_path):
    """The checked-in golden files are what the reference restatement writes (no stale goldens)."""
    write_files(CASES[case][0](), tmp_path)
    assert _files(tmp_path) == _files(GOLDEN / case)


def _source_boards(split: str) -> list[np.ndarray]:
    with open(GOLDEN / "sudoku-source" / f"{split}.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [np.array([0 if ch == "." else int(ch) for ch in row["question"]]).reshape(9, 9) for row in rows]


def test_sudoku_subsample_keeps_the_drawn_order_and_shuffles_follow_the_legacy_stream():
    split = load_split(GOLDEN / "sudoku-aug", "train")
    boards = _source_boards("train")
    rs = np.random.RandomState(7)
    # Subsample: choice(8, 5, replace=False), used in the order drawn. This seed's draw is unsorted, so
    # a sorted subsample would fail here.
    chosen = rs.choice(8, size=5, replace=False)
    assert list(chosen) != sorted(chosen)
    for group, index in enumerate(chosen):
        first = split.puzzle_indices[split.group_indices[group]]
        assert np.array_equal(split.inputs[first], boards[index].reshape(-1) + 1)
        # Each of the 3 copies draws, in this order: the digit permutation, the transpose coin, the bands
        # then each band's rows, the stacks then each stack's columns.
        for copy in range(1, 4):
            digits = np.concatenate([[0], rs.permutation(np.arange(1, 10))])
            transpose = rs.rand() < 0.5
            rows = np.concatenate([3 * b + rs.permutation(3) for b in rs.permutation(3)])
            cols = np.concatenate([3 * s + rs.permutation(3) for s in rs.permutation(3)])
            grid = boards[index].T if transpose else boards[index]
            expected = digits[grid[rows][:, cols]] + 1  # new(i, j) = old(rows[i], cols[j]), then the digits
            assert np.array_equal(split.inputs[first + copy], expected.reshape(-1))


def test_dtypes_match_the_official_arrays():
    """Augmented Sudoku arrays are int64 (the official digit map is int64); unaugmented Sudoku, its test
    split, Maze and ARC token arrays are uint8; index and identifier arrays are int32."""
    expected = {
        ("sudoku-aug", "train"): np.int64,
        ("sudoku-aug", "test"): np.uint8,
        ("sudoku-plain", "train"): np.uint8,
        ("maze-aug", "train"): np.uint8,
        ("maze-aug", "test"): np.uint8,
        ("arc-aug", "train"): np.uint8,
        ("arc-aug", "test"): np.uint8,
    }
    for (case, split_name), dtype in expected.items():
        split = load_split(GOLDEN / case, split_name)
        assert split.inputs.dtype == dtype and split.labels.dtype == dtype, (case, split_name)
        for array in (split.puzzle_identifiers, split.puzzle_indices, split.group_indices):
            assert array.dtype == np.int32


def test_maze_dihedral_images_come_in_the_official_numbering():
    """Each training maze gives 8 rows: identity, rot90 ×1, ×2, ×3 (anticlockwise), left-right flip,
    up-down flip, transpose, left-right flip of rot90 ×1."""
    split = load_split(GOLDEN / "maze-aug", "train")
    first = split.inputs[0].reshape(30, 30)
    by_hand = [
        first,
        np.rot90(first),
        np.rot90(first, 2),
        np.rot90(first, 3),
        first[:, ::-1],
        first[::-1],
        first.T,
        np.rot90(first)[:, ::-1],
    ]
    for index, image in enumerate(by_hand):
        assert np.array_equal(split.inputs[index].reshape(30, 30), image), f"image {index}"
    assert np.array_equal(split.group_indices, np.arange(0, 25, 8))


def test_dataset_json_has_the_official_fields_meanings_and_format():
    """total_groups and total_puzzles both count groups for Sudoku/Maze (mean_puzzle_examples 1.0);
    ARC counts puzzles; written by json.dump with its defaults, in the official field order: the builders
    dump their pydantic metadata model, whose fields begin pad_id, ignore_label_id, blank_identifier_id."""
    text = (GOLDEN / "sudoku-aug" / "train" / "dataset.json").read_text()
    assert text == (
        '{"pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 11, "seq_len": 81, '
        '"num_puzzle_identifiers": 1, "total_groups": 5, "mean_puzzle_examples": 1.0, '
        '"total_puzzles": 5, "sets": ["all"]}'
    )
    arc = json.loads((GOLDEN / "arc-aug" / "train" / "dataset.json").read_text())
    split = load_split(GOLDEN / "arc-aug", "train")
    assert arc["total_groups"] == 9 and arc["total_puzzles"] == len(split.puzzle_identifiers) == 18
    assert arc["mean_puzzle_examples"] == split.num_examples / 18


def test_arc_tasks_are_shuffled_per_subset_and_examples_follow_the_json_key_order():
    """Each subset's task list is shuffled with the seeded stream before anything else is drawn for it,
    and a task's examples are gathered in its JSON's key order (the ARC-AGI-1 files put "test" first)."""
    names = json.loads((GOLDEN / "arc-aug" / "identifiers.json").read_text())
    split = load_split(GOLDEN / "arc-aug", "train")
    first_puzzles = split.group_indices[:-1]
    group_tasks = [names[split.puzzle_identifiers[p]] for p in first_puzzles]
    training = list(json.loads((ARC / "arc-agi_training_challenges.json").read_text()))
    order = list(training)
    np.random.RandomState(42).shuffle(order)  # the first draws of the stream
    assert group_tasks[:4] == order and order != training
    task = json.loads((ARC / "arc-agi_training_challenges.json").read_text())[order[0]]
    solution = json.loads((ARC / "arc-agi_training_solutions.json").read_text())[order[0]][0]
    assert list(task) == ["test", "train"]
    # The first row of the first puzzle is the task's test pair (its output from the solutions file).
    labels = split.labels[0].reshape(30, 30)
    colours = labels[(labels >= 2)]
    assert colours.size == np.asarray(solution).size
    assert sorted(colours - 2) == sorted(np.asarray(solution).reshape(-1))
