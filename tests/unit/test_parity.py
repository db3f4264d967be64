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


def test_eval_outputs_match(fixture: Fixture):
    model = fixture.build_training_model().eval()
    batch = fixture.batch
    carry = model.initial_carry(batch)
    with torch.inference_mode():
        for step in range(1, max(fixture.eval_steps) + 1):
            out = model(carry, batch)
            carry = out.carry
            if step not in fixture.eval_steps:
                continue
            prefix = f"eval.step{step}"
            torch.testing.assert_close(
                out.outputs.logits.float(),
                fixture.tensors[f"{prefix}.logits"],
                rtol=0,
                atol=1e-4,
                msg=lambda m: f"{prefix}.logits: {m}",
            )
            torch.testing.assert_close(
                out.outputs.q_halt, fixture.tensors[f"{prefix}.q_halt_logits"], rtol=0, atol=1e-4
            )
            torch.testing.assert_close(
                out.outputs.q_continue, fixture.tensors[f"{prefix}.q_continue_logits"], rtol=0, atol=1e-4
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
