"""The benchmark's memory accounting."""

from __future__ import annotations

import torch

from recurse.bench import saved_activation_bytes


def test_saved_activations_count_what_backward_keeps_but_not_weights():
    layer = torch.nn.Linear(8, 16)
    x = torch.randn(4, 8)

    def step() -> None:
        torch.relu(layer(x)).sum().backward()

    # Linear keeps its input (4×8 floats), ReLU its output (4×16 floats); the weight is excluded.
    assert saved_activation_bytes(step, list(layer.parameters())) == (4 * 8 + 4 * 16) * 4
