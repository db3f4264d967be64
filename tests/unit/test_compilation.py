"""``runtime.compile``: the compiled recursion computes the eager step's losses and gradients."""

from __future__ import annotations

import pytest
import torch

from recurse.errors import ConfigError
from recurse.training import compilation
from recurse.training.compilation import compile_recursion
from recurse.training.step import build_training_model
from tests.helpers import random_batch, small_config


def _loss_and_gradients(model, batch):
    out = model(model.initial_carry(batch), batch)
    out.loss.backward()
    grads = {name: p.grad.clone() for name, p in model.refiner.named_parameters() if p.grad is not None}
    return out, grads


@pytest.mark.parametrize("core", ["mlp", "attention"])
def test_compiled_recursion_matches_eager_forward_and_backward(core):
    config = small_config(core=core)
    torch.manual_seed(0)
    eager = build_training_model(config).train()
    compiled = build_training_model(config).train()
    compiled.load_state_dict(eager.state_dict())
    compile_recursion(compiled.refiner, torch.device("cpu"))
    batch = random_batch(config, batch_size=8)
    expected, expected_grads = _loss_and_gradients(eager, batch)
    actual, actual_grads = _loss_and_gradients(compiled, batch)
    torch.testing.assert_close(actual.outputs.logits, expected.outputs.logits, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(actual.loss, expected.loss, rtol=1e-5, atol=1e-5)
    assert set(actual_grads) == set(expected_grads) and expected_grads
    for name, grad in expected_grads.items():
        torch.testing.assert_close(actual_grads[name], grad, rtol=1e-4, atol=1e-6, msg=name)
    assert set(compiled.refiner.state_dict()) == set(eager.refiner.state_dict()), "checkpoint keys unchanged"
    with torch.inference_mode():  # evaluation traces its own graph, without autograd
        state = compiled.refiner.initial_state(8, config.seq_len)
        torch.testing.assert_close(
            compiled.refiner(state, batch["inputs"], batch["puzzle_identifiers"]).logits,
            eager.refiner(state, batch["inputs"], batch["puzzle_identifiers"]).logits,
            rtol=1e-5,
            atol=1e-5,
        )


def test_compiling_without_a_cpu_compiler_is_a_config_error_before_any_step(monkeypatch):
    monkeypatch.setattr(compilation.shutil, "which", lambda name: None)
    model = build_training_model(small_config(core="mlp"))
    forward = model.refiner.schedule.forward
    with pytest.raises(ConfigError, match="C\\+\\+ compiler"):
        compile_recursion(model.refiner, torch.device("cpu"))
    assert model.refiner.schedule.forward == forward and model.refiner.schedule._compiled_call_impl is None
