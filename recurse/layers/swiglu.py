"""SwiGLU feed-forward: ``down(silu(gate(x)) * up(x))`` with a fused gate/up projection."""

from __future__ import annotations

import torch
from torch import nn

from recurse.layers.gated import gated_silu
from recurse.layers.linear import CastedLinear


def swiglu_width(dim: int, expansion: float, multiple: int = 256) -> int:
    """Inner width: ``expansion * dim * 2/3`` (keeping the parameter count of a 2-matrix MLP), rounded
    up to a multiple of ``multiple`` for matmul-friendly shapes."""
    width = round(expansion * dim * 2 / 3)
    return -(-width // multiple) * multiple


class SwiGLU(nn.Module):
    def __init__(self, dim: int, expansion: float) -> None:
        super().__init__()
        self.inner = swiglu_width(dim, expansion)
        self.gate_up = CastedLinear(dim, 2 * self.inner)  # gate first, then up
        self.down = CastedLinear(self.inner, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(gated_silu(self.gate_up(x)))
