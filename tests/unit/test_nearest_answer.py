"""Training against the checker: a puzzle with several answers is trained towards the listed answer nearest
to the prediction, its halting target is "the checker accepts it", and a single-answer batch trains exactly
as before."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.losses import ACTLoss
from recurse.losses.cross_entropy import IGNORE_INDEX, LOG_PROBS, LOSSES
from recurse.losses.nearest_answer import nearest_answers
from recurse.model.carry import Carry, StepOutputs
from recurse.tasks.examples.sat import PlantedSat


def _label_rows(task, answers: list[np.ndarray], limit: int) -> torch.Tensor:
    """[limit, L] label tokens of a list of answers, padded with rows of IGNORE_INDEX."""
    rows = torch.full((limit, task.seq_len), IGNORE_INDEX, dtype=torch.int32)
    positions = torch.from_numpy(task.answer_positions())
    for k, answer in enumerate(answers):
        rows[k, positions] = torch.from_numpy(task.encode(answer)[task.answer_positions()].astype(np.int32))
    return rows


def _carry(batch: dict[str, torch.Tensor]) -> Carry:
    size = batch["inputs"].shape[0]
    return Carry(
        state=(), steps=torch.ones(size, dtype=torch.int32), halted=torch.ones(size, dtype=torch.bool), batch=batch
    )


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), loss=st.sampled_from(["stablemax", "softmax"]))
def test_the_target_is_a_checker_valid_answer_and_the_one_nearest_the_prediction(seed, loss):
    task = PlantedSat(6, 12)
    rng = np.random.default_rng(seed)
    puzzles, answer_rows = [], []
    for _ in range(4):
        puzzle, _ = task.generate(rng)
        listed = task.answers(puzzle, limit=8)
        puzzles.append(puzzle)
        answer_rows.append(_label_rows(task, listed, 8))
    answers = torch.stack(answer_rows)
    logits = torch.from_numpy(rng.normal(0, 3, (4, task.seq_len, task.vocab_size)))
    targets = nearest_answers(LOG_PROBS[loss](logits), answers)
    for puzzle, rows, target, sample_logits in zip(puzzles, answers, targets, logits):
        tokens = np.where(target.numpy() == IGNORE_INDEX, 0, target.numpy())
        assert task.accepts(task.encode(puzzle), tokens), "the target is an answer the checker accepts"
        listed = rows[(rows != IGNORE_INDEX).any(-1)]
        costs = [LOSSES[loss](sample_logits[None], row[None]).sum().item() for row in listed]
        chosen = LOSSES[loss](sample_logits[None], target[None]).sum().item()
        assert chosen == pytest.approx(min(costs)), "no listed answer is nearer to the prediction"


def test_rows_without_an_answer_are_never_chosen():
    # A row of IGNORE_INDEX costs nothing under any logits, so it must be ruled out, not ranked.
    answers = torch.full((1, 3, 4), IGNORE_INDEX)
    answers[0, 1] = torch.tensor([1, 2, IGNORE_INDEX, 1])
    target = nearest_answers(torch.log_softmax(torch.randn(1, 4, 3), -1), answers)
    assert target.tolist() == [[1, 2, IGNORE_INDEX, 1]]


def _step(loss_head: ACTLoss, batch: dict[str, torch.Tensor], logits: torch.Tensor, q_halt: torch.Tensor):
    logits = logits.clone().requires_grad_(True)
    q_halt = q_halt.clone().requires_grad_(True)
    out = loss_head(_carry(batch), StepOutputs(logits=logits, q_halt=q_halt, q_continue=torch.zeros_like(q_halt)))
    out.loss.backward()
    return out, logits.grad, q_halt.grad


@pytest.mark.parametrize("loss", ["stablemax", "softmax"])
def test_a_single_answer_batch_trains_exactly_as_without_answer_sets(loss):
    # The label as the only listed answer: the same loss, metrics and gradients, bit for bit, as the
    # batch without answers (the path every single-answer task and every paper recipe takes).
    torch.manual_seed(0)
    labels = torch.randint(1, 5, (6, 9), dtype=torch.int32)
    labels[:, :2] = IGNORE_INDEX  # input-only positions
    batch = {"inputs": torch.randint(1, 5, (6, 9)), "labels": labels}
    logits, q_halt = torch.randn(6, 9, 5), torch.randn(6)
    head = ACTLoss(loss)
    plain, plain_grad, plain_q_grad = _step(head, batch, logits, q_halt)
    answers = torch.full((6, 4, 9), IGNORE_INDEX, dtype=torch.int32)
    answers[:, 2] = labels
    listed, listed_grad, listed_q_grad = _step(head, {**batch, "answers": answers}, logits, q_halt)
    assert torch.equal(plain.loss, listed.loss)
    assert all(torch.equal(plain.metrics[k], listed.metrics[k]) for k in plain.metrics)
    assert torch.equal(plain_grad, listed_grad) and torch.equal(plain_q_grad, listed_q_grad)


def test_a_prediction_that_is_another_valid_answer_counts_as_right_and_teaches_halting():
    # Two answers; the network predicts the second, which is not the stored label.
    labels = torch.tensor([[1, 2, 1]], dtype=torch.int32)
    other = torch.tensor([[2, 1, 2]], dtype=torch.int32)
    logits = torch.nn.functional.one_hot(other.long(), 3).double() * 4
    q_halt = torch.tensor([-2.0])
    batch = {"inputs": torch.zeros_like(labels), "labels": labels}
    head = ACTLoss("softmax")
    plain, _, plain_q_grad = _step(head, batch, logits, q_halt)
    listed, _, listed_q_grad = _step(head, {**batch, "answers": torch.stack([labels, other], 1)}, logits, q_halt)
    assert plain.metrics["exact_accuracy"] == 0 and listed.metrics["exact_accuracy"] == 1
    assert listed.metrics["lm_loss"] < plain.metrics["lm_loss"]  # trained towards its own answer
    # q_halt's target is 1 now ("the checker accepts it"): the gradient pushes q_halt up, not down.
    assert plain_q_grad.item() > 0 > listed_q_grad.item()
