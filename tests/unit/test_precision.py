"""Weights are cast to the forward dtype once per forward, not once per use."""

import torch

from recurse.layers import cast_to, weight_cast_scope
from recurse.training.step import build_training_model
from tests.helpers import random_batch, small_config


def test_cast_is_shared_within_a_scope():
    w = torch.nn.Parameter(torch.randn(3, 3))
    with weight_cast_scope():
        a, b = cast_to(w, torch.bfloat16), cast_to(w, torch.bfloat16)
        assert a is b and a.dtype == torch.bfloat16
    assert cast_to(w, torch.bfloat16) is not cast_to(w, torch.bfloat16)
    assert cast_to(w, torch.float32) is w


def test_cast_in_no_grad_recursion_still_carries_gradient():
    w = torch.nn.Parameter(torch.ones(2))
    with weight_cast_scope():
        with torch.no_grad():
            cast_to(w, torch.bfloat16)  # first use inside a no-grad recursion
        (cast_to(w, torch.bfloat16).float() * 3).sum().backward()
    assert torch.equal(w.grad, torch.full((2,), 3.0))


def test_one_cast_per_weight_per_training_step(monkeypatch):
    config = small_config(forward_dtype="bfloat16", schedule="trm")
    model = build_training_model(config).train()
    batch = random_batch(config)
    calls = []
    original = torch.Tensor.to

    def counting_to(self, *args, **kwargs):
        if isinstance(self, torch.nn.Parameter) and torch.bfloat16 in args:
            calls.append(id(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", counting_to)
    model(model.initial_carry(batch), batch)
    monkeypatch.undo()
    assert calls, "bf16 forward casts the fp32 weights"
    assert len(calls) == len(set(calls)), "each weight is cast at most once per supervision step"
