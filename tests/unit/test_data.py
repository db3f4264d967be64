"""The official npy layout: streaming writes, memory-mapped reads, builds and the training sampler."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recurse.config import DataConfig
from recurse.data import TrainSampler, eval_batches, load_split
from recurse.data.prepare import build_from_config
from recurse.store.layout import DatasetMetadata, PuzzleSplit
from recurse.store.npy_stream import NpyAppender


def test_npy_appender_writes_ordinary_npy(tmp_path):
    rows = np.arange(30, dtype=np.uint8).reshape(10, 3)
    with NpyAppender(tmp_path / "a.npy", np.uint8, (3,)) as out:
        out.append(rows[:4])
        out.append(rows[4:])
    loaded = np.load(tmp_path / "a.npy", mmap_mode="r")
    assert loaded.shape == (10, 3) and np.array_equal(loaded, rows)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("d") / "sudoku"
    config = DataConfig(
        task={"kind": "sudoku", "box_rows": 2, "box_cols": 2},
        path=str(root),
        build={"source": "generate", "train_size": 30, "test_size": 7, "num_aug": 3, "seed": 1},
    )
    manifest = build_from_config(config, progress=False)
    return root, config, manifest


def test_build_layout_manifest_and_determinism(built, tmp_path):
    root, config, manifest = built
    train, test = load_split(root, "train"), load_split(root, "test")
    assert train.num_groups == 30 and train.num_examples == 120 and test.num_examples == 7
    meta = json.loads((root / "train" / "dataset.json").read_text())
    assert meta["vocab_size"] == 6 and meta["seq_len"] == 16 and meta["total_groups"] == 30
    assert train.inputs.dtype == np.uint8 and train.puzzle_indices.dtype == np.int32
    assert manifest["counts"]["train"] == {"groups": 30, "puzzles": 120, "examples": 120}
    assert json.loads((root / "identifiers.json").read_text()) == ["<blank>"]
    again = build_from_config(config.model_copy(update={"path": str(tmp_path / "again")}), progress=False)
    assert again["fingerprint"] == manifest["fingerprint"], "building is deterministic"
    other = build_from_config(
        config.model_copy(
            update={"path": str(tmp_path / "other"), "build": config.build.model_copy(update={"seed": 2})}
        ),
        progress=False,
    )
    assert other["fingerprint"] != manifest["fingerprint"]
    held_out = {bytes(r) for r in np.asarray(train.inputs)}
    assert not any(bytes(r) in held_out for r in np.asarray(test.inputs)), "test puzzles are held out"


def test_sampler_takes_one_augmentation_per_group_and_whole_batches(built):
    root, _, _ = built
    split = load_split(root, "train")
    sampler = TrainSampler(split, batch_size=8, seed=0, epochs_per_iteration=1)
    rows, _ = sampler.epoch_rows(0)
    groups = np.searchsorted(split.group_indices, split.example_puzzles()[rows], side="right") - 1
    assert sorted(groups) == list(range(30)), "each group exactly once per epoch"
    assert sampler.batches_in(0) == 3, "the last partial batch is dropped"
    assert np.array_equal(sampler.epoch_rows(3)[0], TrainSampler(split, 8, seed=0).epoch_rows(3)[0]), "seeded"
    assert not np.array_equal(sampler.epoch_rows(0)[0], sampler.epoch_rows(1)[0])
    five = TrainSampler(split, batch_size=8, seed=0, epochs_per_iteration=5)
    assert five.batches_in(0) == five.expected_batches_per_iteration() == 150 // 8, "drops once per iteration"
    iteration, index, last, batch = next(sampler.iterate(0, 2))
    assert (iteration, index, last) == (0, 2, True) and batch.inputs.shape == (8, 16) and batch.labels.min() >= 2
    assert next(sampler.iterate(0, 3))[:3] == (1, 0, False), "a position past the last batch is the next iteration"


def _multi_example_split(sizes: list[int], augmentations: int) -> PuzzleSplit:
    """Groups of ``augmentations`` puzzles; group g's puzzles have sizes[g] examples (row r holds token r)."""
    puzzle_sizes = np.repeat(sizes, augmentations)
    indices = np.concatenate([[0], np.cumsum(puzzle_sizes)]).astype(np.int32)
    rows = np.arange(indices[-1])
    tokens = np.stack([rows % 250 + 2, rows // 250 + 2], axis=1).astype(np.uint8)
    metadata = DatasetMetadata(
        vocab_size=256,
        seq_len=2,
        num_puzzle_identifiers=1,
        total_groups=len(sizes),
        mean_puzzle_examples=float(puzzle_sizes.mean()),
    )
    return PuzzleSplit(
        Path("."),
        metadata,
        tokens,
        tokens,
        np.zeros(puzzle_sizes.size, np.int32),
        indices,
        np.arange(0, puzzle_sizes.size + 1, augmentations, dtype=np.int32),
    )


def test_sampler_packs_multi_example_puzzles_as_the_official_trainer():
    sizes = [3, 5, 2, 4, 6, 3, 1, 4, 2, 5]
    split = _multi_example_split(sizes, augmentations=3)
    sampler = TrainSampler(split, batch_size=8, seed=0, epochs_per_iteration=2)
    owner = split.example_puzzles()
    seen_batches = 0
    for iteration, index, last, batch in sampler.iterate(0, 0):
        if iteration == 1:
            break
        assert batch.real == 8 and len(set(batch.rows.tolist())) == 8, "whole batches, no example twice"
        puzzles = owner[batch.rows]
        # Each puzzle's examples are contiguous in the batch; every batch starts a new puzzle.
        changes = np.flatnonzero(np.diff(puzzles)) + 1
        assert len(set(puzzles.tolist())) == len(changes) + 1
        seen_batches += 1
        assert last == (index == sampler.batches_in(0) - 1)
    assert seen_batches == sampler.batches_in(0)
    # A batch boundary skips the rest of the puzzle it cuts, so fewer rows are used than the epochs hold.
    rows_in_iteration = sum(sampler.epoch_rows(e)[0].size for e in (0, 1))
    assert seen_batches * 8 < rows_in_iteration - 8
    assert abs(sampler.expected_batches_per_iteration() - seen_batches) <= 0.3 * seen_batches
    # Resuming mid-iteration gives the same batches as running through.
    through = [item[3].rows.tolist() for _, item in zip(range(seen_batches + 2), sampler.iterate(0, 0))][3:]
    resumed = [item[3].rows.tolist() for _, item in zip(range(seen_batches - 1), sampler.iterate(0, 3))]
    assert through == resumed


def test_eval_batches_cover_every_example_and_pad(built):
    root, _, _ = built
    split = load_split(root, "test")
    batches = list(eval_batches(split, 4))
    assert [b.real for b in batches] == [4, 3]
    last = batches[-1]
    assert last.inputs.shape == (4, 16) and (last.labels[3] == -100).all() and last.rows[3] == -1
    # A limit that fits in one batch computes only its rows, not a whole padded batch.
    assert [b.inputs.shape[0] for b in eval_batches(split, 256, limit=3)] == [3]


def test_reads_the_official_layout(tmp_path):
    """A split written the way the official builders write it (ignore label 0 in the labels)."""
    folder = tmp_path / "official" / "train"
    folder.mkdir(parents=True)
    inputs = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.uint8)
    labels = np.array([[0, 4, 5], [5, 4, 0]], dtype=np.uint8)
    np.save(folder / "all__inputs.npy", inputs)
    np.save(folder / "all__labels.npy", labels)
    np.save(folder / "all__puzzle_identifiers.npy", np.array([0, 1], dtype=np.int32))
    np.save(folder / "all__puzzle_indices.npy", np.array([0, 1, 2], dtype=np.int32))
    np.save(folder / "all__group_indices.npy", np.array([0, 2], dtype=np.int32))
    (folder / "dataset.json").write_text(
        json.dumps(
            {
                "pad_id": 0,
                "ignore_label_id": 0,
                "blank_identifier_id": 0,
                "vocab_size": 6,
                "seq_len": 3,
                "num_puzzle_identifiers": 2,
                "total_groups": 1,
                "mean_puzzle_examples": 1,
                "sets": ["all"],
            }
        )
    )
    split = load_split(tmp_path / "official", "train")
    batch = next(eval_batches(split, 2))
    assert batch.labels.tolist() == [[-100, 4, 5], [5, 4, -100]]
    assert batch.puzzle_identifiers.tolist() == [0, 1]


def test_held_out_mazes_are_not_turned_copies_of_training_mazes(tmp_path):
    """7×7 perfect mazes are few, so many draws are a training maze turned or mirrored; none may be tested."""
    from recurse.tasks import Maze

    config = DataConfig(
        task={"kind": "maze", "size": 7, "min_path": 2, "style": "perfect"},
        path=str(tmp_path / "m"),
        build={"source": "generate", "train_size": 200, "test_size": 20, "num_aug": 7, "seed": 0},
    )
    build_from_config(config, progress=False)
    task = Maze(7, min_path=2, style="perfect")
    train, test = load_split(config.path, "train"), load_split(config.path, "test")
    train_mazes = {task.decode(r).tobytes() for r in np.asarray(train.inputs)}
    for row in np.asarray(test.inputs):
        maze = task.decode(row)
        assert all(s.apply(maze).tobytes() not in train_mazes for s in task.all_symmetries())


def test_easier_copies_keep_the_solution_and_the_test_split_minimal(tmp_path):
    """Each generated training puzzle is followed by easier ones: its givens plus some of its solution."""
    from recurse.tasks import Sudoku

    config = DataConfig(
        task={"kind": "sudoku", "box_rows": 2, "box_cols": 2},
        path=str(tmp_path / "s"),
        build={"source": "generate", "train_size": 30, "test_size": 10, "num_aug": 0, "seed": 0, "easier_copies": 2},
    )
    manifest = build_from_config(config, progress=False)
    assert manifest["counts"]["train"]["groups"] == 90 and manifest["source"]["easier_copies"] == 2
    task = Sudoku(2, 2)
    train, test = load_split(config.path, "train"), load_split(config.path, "test")
    inputs = [task.decode(r) for r in np.asarray(train.inputs)]
    labels = [task.decode(r) for r in np.asarray(train.labels)]
    for first in range(0, 90, 3):
        puzzle, solution = inputs[first], labels[first]
        for easier, same in zip(inputs[first + 1 : first + 3], labels[first + 1 : first + 3]):
            assert np.array_equal(same, solution)
            assert np.array_equal(easier[puzzle != 0], puzzle[puzzle != 0])  # every given kept
            added = int((easier != 0).sum() - (puzzle != 0).sum())
            assert 1 <= added <= (puzzle == 0).sum() // 2
            assert np.array_equal(easier[easier != 0], solution[easier != 0])
    for row in np.asarray(test.inputs):  # held-out puzzles stay minimal: no given can go
        puzzle = task.decode(row)
        for cell in np.flatnonzero(puzzle.reshape(-1)):
            fewer = puzzle.reshape(-1).copy()
            fewer[cell] = 0
            assert len(task.solve_all(fewer.reshape(puzzle.shape)).solutions) == 2


def test_easier_copies_need_blank_cells(tmp_path):
    from recurse.errors import RecurseError

    config = DataConfig(
        task={"kind": "maze", "size": 7, "min_path": 2, "style": "perfect"},
        path=str(tmp_path / "m"),
        build={"source": "generate", "train_size": 3, "test_size": 2, "easier_copies": 1},
    )
    with pytest.raises(RecurseError, match="blank cells"):
        build_from_config(config, progress=False)
    assert not (tmp_path / "m").exists()
