"""Activation checkpointing of the gradient-carrying TRM recursion: identical loss and gradients, less
memory kept for backward."""

from __future__ import annotations

import pytest
import torch

from recurse import SCHEDULES, build_training_model
from recurse.bench import saved_activation_bytes
from tests.helpers import random_batch, small_config


def _step(core: str, checkpointing: bool):
    schedule = SCHEDULES.get("trm").Spec(latent_steps=2, deep_steps=2, layers=2, activation_checkpointing=checkpointing)
    config = small_config(core=core).model_copy(update={"schedule": schedule})
    torch.manual_seed(0)
    model = build_training_model(config).train()
    batch = random_batch(config)
    carry = model.initial_carry(batch)
    holder = {}

    def step() -> None:
        holder["out"] = model(carry, batch)
        holder["out"].loss.backward()

    saved = saved_activation_bytes(step, list(model.parameters()))
    grads = {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}
    return holder["out"].loss.detach(), grads, saved


@pytest.mark.parametrize("core", ["mlp", "attention"])
def test_gradients_are_identical_and_less_is_saved(core):
    loss, grads, saved = _step(core, checkpointing=False)
    loss_ckpt, grads_ckpt, saved_ckpt = _step(core, checkpointing=True)
    assert torch.equal(loss, loss_ckpt)
    assert grads.keys() == grads_ckpt.keys() and grads
    for name in grads:
        assert torch.equal(grads[name], grads_ckpt[name]), name
    assert saved_ckpt < saved / 2
