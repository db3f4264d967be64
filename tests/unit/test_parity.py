"""Parity with the official TRM/HRM code: eval outputs, training loss and every gradient.

Runs every fixture in ``tests/fixtures/parity`` (or in ``$RECURSE_PARITY_DIR`` when set).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from tests.parity import PUZZLE_ROWS_GRAD, Fixture

FIXTURE_DIR = Path(os.environ.get("RECURSE_PARITY_DIR") or Path(__file__).parents[1] / "fixtures" / "parity")
FIXTURES = sorted(FIXTURE_DIR.glob("*.json"))


def assert_close_rel(actual: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    """Relative error measured against the tensor's own scale: max|a − e| ≤ 1e-4·max|e| + 1e-6.

    An element-wise relative test would be decided by fp32 rounding: a shared weight's gradient sums
    contributions from up to 21 calls, so near-zero elements carry ~1e-6 of summation-order noise.
    """
    actual, expected = actual.double(), expected.double()
    error = (actual - expected).abs().max().item()
    bound = 1e-4 * expected.abs().max().item() + 1e-6
    assert error <= bound, f"{what}: max abs error {error:.3g} exceeds {bound:.3g}"


def test_fixtures_found():
    assert FIXTURES, f"no parity fixtures in {FIXTURE_DIR}"


@pytest.fixture(params=FIXTURES, ids=lambda p: p.stem)
def fixture(request) -> Fixture:
    return Fixture.load(request.param)


def _eval_outputs(model, batch, steps: list[int]) -> dict[int, dict[str, torch.Tensor]]:
    carry = model.initial_carry(batch)
    outputs = {}
    with torch.inference_mode():
        for step in range(1, max(steps) + 1):
            out = model(carry, batch)
            carry = out.carry
            if step in steps:
                outputs[step] = {
                    "logits": out.outputs.logits.float(),
                    "q_halt_logits": out.outputs.q_halt.float(),
                    "q_continue_logits": out.outputs.q_continue.float(),
                }
    return outputs


def _one_ulp_perturbation(model, seed: int = 0):
    """The model with every weight moved by one unit in the last place of fp32, in a random direction."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            signs = torch.randint(0, 2, parameter.shape, generator=generator) * 2 - 1
            parameter.mul_(1 + 2.0**-23 * signs)
    return model


def test_eval_outputs_match(fixture: Fixture):
    """Every evaluation step's logits and halting logits match the official ones.

    The recursion amplifies rounding: on some models an fp32 difference of one unit in the last place
    grows about tenfold per supervision step, so two correct fp32 implementations whose matrix kernels
    sum in another order (another CPU's vector width, another BLAS) drift apart by the same amount. The
    tolerance of each step is therefore 1e-4 plus four times the drift that a one-ulp perturbation of
    the weights causes in recurse's own outputs at that step: an implementation error is orders of
    magnitude larger than that drift, while the kernels' rounding stays within it on every machine.
    """
    steps = fixture.eval_steps
    outputs = _eval_outputs(fixture.build_training_model().eval(), fixture.batch, steps)
    perturbed = _eval_outputs(_one_ulp_perturbation(fixture.build_training_model().eval()), fixture.batch, steps)
    for step in steps:
        for name, actual in outputs[step].items():
            key = f"eval.step{step}.{name}"
            drift = (actual - perturbed[step][name]).abs().max().item()
            atol = 1e-4 + 4 * drift
            torch.testing.assert_close(
                actual,
                fixture.tensors[key].float(),
                rtol=0,
                atol=atol,
                msg=lambda m, key=key, atol=atol: f"{key} (atol {atol:.2g}): {m}",
            )


def test_training_loss_and_gradients_match(fixture: Fixture):
    model = fixture.build_training_model().train()
    batch = fixture.batch
    out = model(model.initial_carry(batch), batch)
    out.loss.backward()

    assert_close_rel(out.loss, fixture.tensors["train.loss"], "train.loss")
    torch.testing.assert_close(out.outputs.logits.float(), fixture.tensors["train.logits"], rtol=0, atol=1e-4)

    params = dict(model.refiner.named_parameters())
    expected = fixture.expected_grads()
    assert set(expected) == set(params), "every trained parameter has a reference gradient"
    for name, grad in expected.items():
        assert params[name].grad is not None, f"{name} received no gradient"
        assert_close_rel(params[name].grad, grad, f"grad {name}")

    puzzle = model.refiner.embedding.puzzle
    if PUZZLE_ROWS_GRAD in fixture.tensors:
        assert puzzle is not None and puzzle.batch_rows is not None
        assert_close_rel(puzzle.batch_rows.grad, fixture.tensors[PUZZLE_ROWS_GRAD], "grad puzzle rows")
