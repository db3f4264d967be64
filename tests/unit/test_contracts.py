"""Contracts every registered core, schedule and halting policy must meet; new plugins are tested for free."""

from __future__ import annotations

import pytest
import torch

from recurse import CORES, HALTING, SCHEDULES, build_training_model
from recurse.model.builder import build_model
from tests.helpers import random_batch, small_config


def _train_step(config, seed=0):
    torch.manual_seed(seed)
    model = build_training_model(config).train()
    batch = random_batch(config)
    out = model(model.initial_carry(batch), batch)
    out.loss.backward()
    return model, out


@pytest.mark.parametrize("core", CORES.names())
@pytest.mark.parametrize("schedule", SCHEDULES.names())
def test_shapes_backward_and_determinism(core, schedule):
    config = small_config(core=core, schedule=schedule)
    model, out = _train_step(config)
    batch_size = 4
    assert out.outputs.logits.shape == (batch_size, config.seq_len, config.vocab_size)
    assert out.outputs.q_halt.shape == (batch_size,) and out.outputs.q_halt.dtype == torch.float32
    assert torch.isfinite(out.loss)
    refiner = model.refiner
    for name, param in refiner.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), name
    # The answer head and the core's first weights always receive signal.
    assert refiner.lm_head.weight.grad.abs().sum() > 0
    assert refiner.embedding.puzzle.batch_rows.grad.abs().sum() > 0
    for state in out.carry.state:
        assert not state.requires_grad and state.shape == (batch_size, config.prefix_len + config.seq_len, 16)

    _, again = _train_step(config)
    assert torch.equal(out.loss, again.loss)
    assert torch.equal(out.outputs.logits, again.outputs.logits)


@pytest.mark.parametrize("schedule", SCHEDULES.names())
def test_state_changes_across_supervision_steps(schedule):
    config = small_config(schedule=schedule)
    model = build_model(config).eval()
    batch = random_batch(config)
    carry = model.initial_carry(batch)
    with torch.no_grad():
        carry, first = model(carry, batch)
        carry, second = model(carry, batch)
    assert not torch.allclose(first.logits, second.logits), "the carried state must influence the next step"


@pytest.mark.parametrize("policy", HALTING.names())
@pytest.mark.parametrize("training", [True, False])
def test_halting_respects_max_steps(policy, training):
    max_steps = 3
    config = small_config(halting={"kind": policy, "max_steps": max_steps})
    model = build_model(config).train(training)
    # Push q_halt/q_continue around so that learned policies take both branches.
    with torch.no_grad():
        model.refiner.q_head.bias.copy_(torch.tensor([0.3, 0.1]))
        model.refiner.q_head.weight.normal_(0, 1.0)
    batch = random_batch(config, batch_size=16)
    carry = model.initial_carry(batch)
    for _ in range(3 * max_steps):
        with torch.no_grad():
            carry, _ = model(carry, batch)
        assert carry.halted.dtype == torch.bool and carry.halted.shape == (16,)
        assert int(carry.steps.max()) <= max_steps
        assert carry.halted[carry.steps >= max_steps].all()


def test_eval_q_halt_runs_exactly_max_steps():
    config = small_config(halting={"kind": "q_halt", "max_steps": 3})
    model = build_model(config).eval()
    with torch.no_grad():
        model.refiner.q_head.bias.fill_(10.0)  # would halt at once in training
    batch = random_batch(config)
    carry = model.initial_carry(batch)
    for step in range(1, 4):
        with torch.no_grad():
            carry, _ = model(carry, batch)
        assert carry.halted.all() == (step == 3)


def test_threshold_halts_confident_samples_early():
    config = small_config(halting={"kind": "threshold", "max_steps": 8, "threshold": 0.5})
    model = build_model(config).eval()
    with torch.no_grad():
        model.refiner.q_head.bias.fill_(2.0)
    batch = random_batch(config)
    with torch.no_grad():
        carry, _ = model(model.initial_carry(batch), batch)
    assert carry.halted.all() and (carry.steps == 1).all()


def test_q_continue_produces_bootstrapped_target():
    config = small_config(halting={"kind": "q_continue", "max_steps": 4})
    model = build_training_model(config).train()
    batch = random_batch(config)
    out = model(model.initial_carry(batch), batch)
    target = out.outputs.target_q_continue
    assert target is not None and target.shape == (4,) and ((0 < target) & (target < 1)).all()
    assert "q_continue_loss" in out.metrics


def test_carry_keeps_unhalted_samples_and_replaces_halted_ones():
    config = small_config(halting={"kind": "fixed", "max_steps": 2})
    model = build_model(config).train()
    first, second = random_batch(config, seed=1), random_batch(config, seed=2)
    carry = model.initial_carry(first)
    with torch.no_grad():
        carry, _ = model(carry, first)
        assert torch.equal(carry.batch["inputs"], first["inputs"])
        carry, _ = model(carry, second)  # not halted yet: keeps the first batch's samples
        assert torch.equal(carry.batch["inputs"], first["inputs"]) and carry.halted.all()
        carry, _ = model(carry, second)  # all halted: takes the new batch
        assert torch.equal(carry.batch["inputs"], second["inputs"]) and (carry.steps == 1).all()


def test_no_autograd_state_in_no_grad_recursions():
    config = small_config()
    model = build_training_model(config).train()
    batch = random_batch(config)
    out = model(model.initial_carry(batch), batch)
    for state in out.carry.state:
        assert state.grad_fn is None
    with torch.no_grad():
        out = model(out.carry, batch)
    assert out.loss.grad_fn is None


def test_bfloat16_forward_runs_and_keeps_fp32_master_weights():
    config = small_config(forward_dtype="bfloat16")
    model, out = _train_step(config)
    assert out.outputs.logits.dtype == torch.bfloat16
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert all(p.grad.dtype == torch.float32 for p in model.parameters())
