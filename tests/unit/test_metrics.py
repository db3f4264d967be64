"""The official evaluation metrics: per-puzzle means, on puzzles with different numbers of labels."""

from __future__ import annotations

import math

import pytest
import torch

from recurse.losses.cross_entropy import IGNORE_INDEX
from recurse.metrics import OFFICIAL_METRICS, OfficialMetrics

X = IGNORE_INDEX


def _batch():
    # Puzzle 0: 2 labelled cells, both right. Puzzle 1: 4 labelled cells, 1 right. Puzzle 2: no labels.
    labels = torch.tensor([[3, 4, X, X], [2, 3, 4, 5], [X, X, X, X]])
    predictions = torch.tensor([[3, 4, 0, 0], [2, 0, 0, 0], [1, 1, 1, 1]])
    return labels, predictions


def test_accuracy_is_the_mean_of_per_puzzle_accuracies_not_pooled():
    """Official ``accuracy``: mean over puzzles of right/labelled; a puzzle without labels is not scored."""
    labels, predictions = _batch()
    metrics = OfficialMetrics()
    metrics.add(labels, predictions, steps=torch.tensor([16, 16, 16]), q_halt=torch.tensor([2.0, -1.0, 5.0]))
    means = metrics.means(with_lm_loss=False)
    assert metrics.count == 2
    assert means["accuracy"] == pytest.approx((2 / 2 + 1 / 4) / 2)  # 0.625
    pooled = (2 + 1) / (2 + 4)  # 0.5: what total right / total labelled would give
    assert not math.isclose(means["accuracy"], pooled)
    assert means["exact_accuracy"] == pytest.approx(1 / 2)
    # q_halt ≥ 0 predicts "exactly right": right for puzzle 0 (2.0, exact) and puzzle 1 (−1.0, not exact).
    assert means["q_halt_accuracy"] == pytest.approx(1.0)
    assert means["steps"] == pytest.approx(16)
    expected_bce = (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-1.0))) / 2
    assert means["q_halt_loss"] == pytest.approx(expected_bce)


def test_lm_loss_is_the_mean_over_puzzles_of_each_puzzles_mean_token_loss():
    labels, predictions = _batch()
    logits = torch.randn(3, 4, 6, generator=torch.Generator().manual_seed(0))
    metrics = OfficialMetrics("softmax")
    metrics.add(labels, predictions, steps=torch.tensor([1, 2, 3]), q_halt=torch.zeros(3), logits=logits)
    token = torch.nn.functional.cross_entropy(
        logits.flatten(0, 1), labels.flatten(), ignore_index=X, reduction="none"
    ).view(3, 4)
    per_puzzle = [token[0, :2].mean(), token[1].mean()]
    assert metrics.means()["lm_loss"] == pytest.approx(float(sum(per_puzzle) / 2), rel=1e-6)
    assert metrics.means()["steps"] == pytest.approx(1.5)  # puzzle 2 (no labels) is not counted
    assert set(metrics.means()) == set(OFFICIAL_METRICS)


def test_sums_carry_over_batches():
    labels, predictions = _batch()
    one, two = OfficialMetrics(), OfficialMetrics()
    one.add(labels, predictions, torch.tensor([4, 4, 4]), torch.zeros(3))
    for row in range(3):
        two.add(labels[row : row + 1], predictions[row : row + 1], torch.tensor([4]), torch.zeros(1))
    assert one.means(with_lm_loss=False) == pytest.approx(two.means(with_lm_loss=False))


@pytest.mark.parametrize("batch_size", [4, 8])
def test_q_halt_loss_counts_the_padded_rows_of_the_last_batch_as_officially(tmp_path, batch_size):
    """The official evaluation pads its last batch to the batch size with unlabelled rows and sums the
    halting loss over every row (target 1 for a padded row), dividing by the real puzzles; so q_halt_loss
    depends on the batch size. 5 test puzzles: batch 4 pads 3 rows in a second batch; batch 8 pads 3 rows
    of a batch that recurse shrinks to 5 and completes with one computed padded row."""
    import numpy as np

    from recurse.config import DataConfig
    from recurse.data.prepare import build_from_config
    from recurse.data.sampler import gather
    from recurse.evaluation import evaluate
    from recurse.halting.inference import parse_settings
    from recurse.inference.refinement import refine
    from recurse.model.checkpoint import load_checkpoint
    from recurse.store.layout import load_split
    from tests.integration.conftest import make_checkpoint

    build_from_config(
        DataConfig.model_validate(
            {
                "task": {"kind": "sudoku", "box_rows": 2, "box_cols": 2},
                "path": str(tmp_path / "data"),
                "build": {"train_size": 2, "test_size": 5},
            }
        ),
        progress=False,
    )
    split = load_split(tmp_path / "data", "test")
    refiner = load_checkpoint(make_checkpoint(tmp_path / "ckpt")).refiner
    policy = parse_settings(["halting=fixed"])[0].build(purpose="evaluate", model_max_steps=2)
    metrics = evaluate(refiner, split, halting=policy, batch_size=batch_size)

    # The official figure, from the whole padded batch computed at once.
    batch = gather(split, np.arange(5), pad_to=8)
    pred = refine(refiner, torch.from_numpy(batch.inputs), torch.from_numpy(batch.puzzle_identifiers), halting=policy)
    labels = torch.from_numpy(batch.labels)
    exact = ((pred.tokens == labels) | (labels == IGNORE_INDEX)).all(-1).float()  # padded rows: exactly right
    rows = 5 + 3
    summed = torch.nn.functional.binary_cross_entropy_with_logits(pred.q_halt[:rows], exact[:rows], reduction="sum")
    assert metrics["q_halt_loss"] == pytest.approx(float(summed) / 5, rel=1e-5)
    real_only = torch.nn.functional.binary_cross_entropy_with_logits(pred.q_halt[:5], exact[:5], reduction="sum")
    assert metrics["q_halt_loss"] != pytest.approx(float(real_only) / 5, rel=1e-5)  # the padded rows count


def test_the_halting_head_of_a_several_answer_task_is_scored_against_the_checker(tmp_path):
    """For a task with several answers, q_halt_valid_accuracy is the share of puzzles where (q_halt >= 0)
    equals "the checker accepts the answer", computed here from one refine over the whole split; tasks
    with one answer do not report it."""
    import zlib

    import numpy as np

    from recurse.config import DataConfig
    from recurse.data.prepare import build_from_config
    from recurse.data.sampler import gather
    from recurse.evaluation import evaluate
    from recurse.halting.inference import parse_settings
    from recurse.inference.refinement import refine
    from recurse.model.checkpoint import load_checkpoint
    from recurse.store.layout import load_split
    from recurse.tasks.examples.colouring import GraphColouring
    from tests.integration.conftest import make_checkpoint

    class SomeAccepted(GraphColouring):
        """An untrained model colours nothing validly: this checker accepts about half of the puzzles (by
        a checksum), so the head is right about some puzzles and wrong about others."""

        def accepts(self, puzzle, answer):
            return zlib.crc32(np.ascontiguousarray(puzzle).tobytes()) % 2 == 0

    task = SomeAccepted(6, max_edges=8, unique=False)
    data = DataConfig.model_validate(
        {"task": task.spec(), "path": str(tmp_path / "data"), "build": {"train_size": 2, "test_size": 16}}
    )
    build_from_config(data, progress=False)
    split = load_split(tmp_path / "data", "test")
    refiner = load_checkpoint(make_checkpoint(tmp_path / "ckpt", task=task)).refiner
    policy = parse_settings(["halting=fixed"])[0].build(purpose="evaluate", model_max_steps=2)
    batch = gather(split, np.arange(16))
    inputs, ids = torch.from_numpy(batch.inputs), torch.from_numpy(batch.puzzle_identifiers)
    with torch.no_grad():  # an untrained head says "not done" everywhere: spread its answers across 0
        refiner.q_head.weight.normal_()
        refiner.q_head.bias.sub_(refine(refiner, inputs, ids, halting=policy).q_halt.median())

    metrics = evaluate(refiner, split, halting=policy, task=task, batch_size=5)
    pred = refine(refiner, inputs, ids, halting=policy)
    accepted = np.array([task.accepts(p, a) for p, a in zip(batch.inputs, pred.tokens.numpy())])
    agrees = (pred.q_halt.numpy() >= 0) == accepted
    assert 0 < agrees.mean() < 1 and 0 < accepted.mean() < 1, "the case must tell agreement from its negation"
    assert metrics["q_halt_valid_accuracy"] == pytest.approx(agrees.mean())
    assert metrics["checker_valid"] == accepted.sum()
    unique = GraphColouring(6, max_edges=8, unique=True)
    assert "q_halt_valid_accuracy" not in evaluate(refiner, split, halting=policy, task=unique, batch_size=5)
