"""The SwiGLU gate ``silu(gate) * up`` read from one fused projection, with a hand-written backward.

Autograd would split the projection into two views, keep the SiLU output, and in backward concatenate
the two halves' gradients into a new tensor. Here the gradient is written straight into one buffer of
the projection's shape, and without autograd the product is formed in place. Every value is computed by
the same ATen kernels in the same order as the autograd version, so results are bit for bit the same.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class _GatedSiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gate_up: torch.Tensor) -> torch.Tensor:
        gate, up = gate_up.chunk(2, dim=-1)
        activated = F.silu(gate)
        ctx.save_for_backward(gate_up, activated)
        return activated * up

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        gate_up, activated = ctx.saved_tensors
        gate, up = gate_up.chunk(2, dim=-1)
        grad_gate_up = torch.empty_like(gate_up)
        grad_gate, grad_up = grad_gate_up.chunk(2, dim=-1)
        torch.ops.aten.silu_backward.grad_input(grad * up, gate, grad_input=grad_gate)
        torch.mul(grad, activated, out=grad_up)
        return grad_gate_up


def gated_silu(gate_up: torch.Tensor) -> torch.Tensor:
    """``silu(gate) * up`` for ``gate_up = [gate | up]`` along the last axis."""
    if torch.is_grad_enabled() and gate_up.requires_grad:
        return _GatedSiLU.apply(gate_up)
    gate, up = gate_up.chunk(2, dim=-1)
    return F.silu(gate).mul_(up)  # no graph to keep: reuse the SiLU output's memory for the product
