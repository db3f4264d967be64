"""Answer sets in the dataset: a task with several answers stores them beside each example (augmented
copies moved by their symmetry), the sampler hands them to the loss, and every other dataset is unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from recurse.config import DataConfig
from recurse.data import TrainSampler, load_split
from recurse.data.prepare import build_from_config
from recurse.data.sampler import IGNORE_INDEX
from recurse.store.layout import ARRAYS
from recurse.tasks import build_task


def _build(root, task: dict, limit: int = 64):
    config = DataConfig(
        task=task,
        path=str(root),
        build={"source": "generate", "train_size": 12, "test_size": 4, "num_aug": 3, "seed": 5, "answer_limit": limit},
    )
    return build_from_config(config, progress=False)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "sat", "variables": 6, "clauses": 14},
        {"kind": "colouring", "vertices": 6, "max_edges": 8, "unique": False},
    ],
)
def test_every_stored_answer_of_every_example_passes_the_checker(tmp_path, spec):
    manifest = _build(tmp_path / "d", spec, limit=16)
    task = build_task(spec)
    split = load_split(tmp_path / "d", "train")
    assert manifest["answer_limit"] == 16 and split.answers.shape == (
        split.num_examples,
        16,
        len(task.answer_positions()),
    )
    positions = np.asarray(split.answer_positions)
    for inputs, labels, listed in zip(split.inputs, split.labels, split.answers):
        present = listed[listed.any(-1)]
        assert len(present) >= 1 and len({row.tobytes() for row in present}) == len(present), "distinct answers"
        for row in present:
            tokens = np.array(inputs, copy=True)
            tokens[positions] = row
            assert task.accepts(inputs, tokens), "augmented copies carry their own moved answers"
        assert any(np.array_equal(row, labels[positions]) for row in present), "the label is among them"
        complete = task.count_answers(task.decode(inputs), limit=17)
        assert len(present) == min(complete, 16), "all answers, up to the limit"


def test_the_sampler_hands_answer_sets_to_the_loss_as_label_rows(tmp_path):
    _build(tmp_path / "d", {"kind": "sat", "variables": 6, "clauses": 14}, limit=8)
    split = load_split(tmp_path / "d", "train")
    _, _, _, batch = next(TrainSampler(split, 8, seed=0).iterate())
    assert batch.answers.shape == (8, 8, split.metadata.seq_len)
    listed = (batch.answers != IGNORE_INDEX).any(-1)
    # Outside the answer positions every row is ignored; the label is one of the rows.
    others = np.setdiff1d(np.arange(split.metadata.seq_len), split.answer_positions)
    assert (batch.answers[:, :, others] == IGNORE_INDEX).all()
    assert all(
        any(np.array_equal(batch.answers[i, k], batch.labels[i]) for k in np.flatnonzero(listed[i])) for i in range(8)
    )


def test_a_single_answer_task_writes_only_the_official_arrays(tmp_path):
    manifest = _build(tmp_path / "d", {"kind": "colouring", "vertices": 6, "max_edges": 8})
    for split in ("train", "test"):
        files = sorted(p.name for p in (tmp_path / "d" / split).glob("*.npy"))
        assert files == sorted(f"all__{name}.npy" for name in ARRAYS)
        assert load_split(tmp_path / "d", split).answers is None
    assert "answer_limit" not in manifest
