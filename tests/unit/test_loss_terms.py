"""Loss terms by name: every registered term keeps the contract, the default is the ACT loss unchanged,
and candidate-set supervision learns exactly the task's propagated candidate sets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recurse.config import RunConfig
from recurse.errors import ConfigError
from recurse.losses import LOSS_TERMS, ACTLoss, CandidateSetLoss, LossTerm, build_loss_terms
from recurse.model.carry import Carry, StepOutputs
from recurse.tasks import build_task
from recurse.tasks.examples.colouring import GraphColouring
from recurse.training.step import build_training_model
from tests.helpers import random_batch, small_config

SUDOKU4 = {"kind": "sudoku", "box_rows": 2, "box_cols": 2}


def _task_batch(task, count: int = 4, seed: int = 0) -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(seed)
    pairs = [task.generate(rng) for _ in range(count)]
    return {
        "inputs": torch.tensor(np.stack([task.encode(p) for p, _ in pairs]), dtype=torch.int32),
        "labels": torch.tensor(np.stack([task.encode_label(s) for _, s in pairs]), dtype=torch.int32),
        "puzzle_identifiers": torch.zeros(count, dtype=torch.int32),
    }


# A term that needs something of its task (candidate sets, a relaxed checker) is tested on the first of
# these that has it.
CONTRACT_TASKS = (SUDOKU4, {"kind": "sat", "variables": 6, "clauses": 12})


def _task_config(task_spec: dict = SUDOKU4, **overrides):
    task = build_task(task_spec)
    fields = dict(
        vocab_size=task.vocab_size, seq_len=task.seq_len, candidate_head=True, puzzle_embedding={"num_ids": 1, "dim": 0}
    )
    fields.update(overrides)
    return task, small_config(**fields)


def _run_config(losses) -> RunConfig:
    return RunConfig.model_validate(
        {
            "name": "t",
            "model": {},
            "data": {"task": SUDOKU4, "path": "unused"},
            "training": {"max_steps": 1, "losses": losses},
        }
    )


@pytest.mark.parametrize("name", LOSS_TERMS.names())
def test_every_registered_term_keeps_the_contract(name):
    """Built from its spec by name, a term scores one supervision step: a finite scalar that trains the model."""
    spec = LOSS_TERMS.get(name).Spec()
    assert spec.kind == name
    for task_spec in CONTRACT_TASKS:
        task, config = _task_config(task_spec)
        try:
            (term,) = (
                build_loss_terms([spec], task=task, model_config=config)
                if LOSS_TERMS.get(name).main
                else [LOSS_TERMS.get(name).from_spec(spec, task=task, model_config=config)]
            )
            break
        except ConfigError:
            continue  # this task lacks what the term reads: the next one
    else:
        pytest.fail(f"no task of {CONTRACT_TASKS} builds the {name} term")
    assert isinstance(term, LossTerm)
    model = build_training_model(config)
    batch = _task_batch(task)
    carry = model.initial_carry(batch)
    carry, outputs = model.supervision(carry, batch)
    scored = term(carry, outputs)
    assert scored.loss.dim() == 0 and torch.isfinite(scored.loss)
    scored.loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.refiner.parameters())
    assert all(torch.is_tensor(v) for v in scored.metrics.values())


def test_the_default_is_the_act_loss_alone_and_unchanged():
    assert [spec.kind for spec in _run_config([{"kind": "act"}]).training.losses] == ["act"]
    default = RunConfig.model_validate(
        {"name": "t", "model": {}, "data": {"task": SUDOKU4, "path": "x"}, "training": {"max_steps": 1}}
    )
    assert [spec.model_dump() for spec in default.training.losses] == [{"kind": "act"}]
    config = small_config()
    results = []
    for losses in (None, default.training.losses):
        torch.manual_seed(0)
        model = build_training_model(config, losses)
        assert isinstance(model.loss_head, ACTLoss) and len(model.extra_terms) == 0
        batch = random_batch(config)
        out = model(model.initial_carry(batch), batch)
        out.loss.backward()
        results.append((out.loss.detach(), [p.grad.clone() for p in model.refiner.parameters() if p.grad is not None]))
    assert torch.equal(results[0][0], results[1][0])
    assert all(torch.equal(a, b) for a, b in zip(results[0][1], results[1][1]))


@pytest.mark.parametrize(
    ("losses", "message"),
    [
        ([], "empty"),
        ([{"kind": "candidates"}], "does not score the answer"),
        ([{"kind": "act"}, {"kind": "act"}], "more than one main term"),
        ([{"kind": "act"}, {"kind": "lattice"}], "unknown loss term 'lattice'; known: act, candidates"),
        ([{"kind": "act"}, {"kind": "candidates", "weight": -1}], "weight"),
    ],
)
def test_unusable_term_lists_are_one_line_errors(losses, message):
    with pytest.raises(ValueError, match=message):
        _run_config(losses)


def test_candidates_need_the_head_and_a_task_with_candidate_sets():
    task, config = _task_config(candidate_head=False)
    spec = CandidateSetLoss.Spec()
    with pytest.raises(ConfigError, match="model.candidate_head: true"):
        CandidateSetLoss.from_spec(spec, task=task, model_config=config)
    with pytest.raises(ConfigError, match="colouring task has none"):
        CandidateSetLoss.from_spec(spec, task=GraphColouring(vertices=6), model_config=config)


def test_targets_are_the_propagations_candidate_sets():
    task = build_task(SUDOKU4)
    batch = _task_batch(task, count=6, seed=3)
    puzzles = np.stack([task.decode(row) for row in batch["inputs"].numpy()])
    steps = torch.tensor([1, 2, 3, 1, 2, 8], dtype=torch.int32)
    final, reached = CandidateSetLoss(task).targets(batch["inputs"], steps)
    assert np.array_equal(final.numpy(), task.batch_candidates(puzzles))
    assert np.array_equal(reached.numpy(), final.numpy())
    final, reached = CandidateSetLoss(task, rounds_per_step=1).targets(batch["inputs"], steps)
    for index, puzzle in enumerate(puzzles):
        assert np.array_equal(reached[index].numpy(), task.candidates(puzzle, rounds=int(steps[index])))
        assert np.array_equal(final[index].numpy(), task.candidates(puzzle))


def _scored(term: CandidateSetLoss, batch, steps, logits) -> torch.Tensor:
    carry = Carry(state=(), steps=steps, halted=torch.ones(len(steps), dtype=torch.bool), batch=batch)
    outputs = StepOutputs(
        logits=logits, q_halt=torch.zeros(len(steps)), q_continue=torch.zeros(len(steps)), candidate_logits=logits
    )
    return term(carry, outputs).loss


def test_the_loss_vanishes_only_on_the_candidate_sets():
    """A head that states the targets scores ~0; one that states the final answer alone is penalised
    wherever propagation leaves more than one value; progressive steps do not penalise getting ahead."""
    task = build_task(SUDOKU4)
    batch = _task_batch(task, count=4, seed=5)
    puzzles = np.stack([task.decode(row) for row in batch["inputs"].numpy()])
    steps = torch.ones(4, dtype=torch.int32)
    final = torch.from_numpy(task.batch_candidates(puzzles))
    tokens = torch.zeros(4, task.seq_len, task.vocab_size)
    tokens[..., 1:] = final.float()
    exact = 40.0 * (2 * tokens - 1)
    assert _scored(CandidateSetLoss(task), batch, steps, exact) < 1e-6
    answer = torch.nn.functional.one_hot(batch["labels"].long(), task.vocab_size).float()
    too_sure = 40.0 * (2 * answer - 1)
    ambiguous = (final.sum(-1) > 1).any()
    assert (_scored(CandidateSetLoss(task), batch, steps, too_sure) > 1.0) == bool(ambiguous)
    # At step 1 of one round per step, stating the fixed point (ahead of round 1) costs nothing.
    assert _scored(CandidateSetLoss(task, rounds_per_step=1), batch, steps, exact) < 1e-6
