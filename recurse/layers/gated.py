"""The SwiGLU gate ``silu(gate) * up`` read from one fused projection, with a hand-written backward.

Autograd would split the projection into two views, keep the SiLU output, and in backward concatenate
the two halves' gradients into a new tensor. Here the gradient is written straight into one buffer of
the projection's shape, and without autograd the product is formed in place. Every value is computed by
the same ATen kernels in the same order as the autograd version, so results are bit for bit the same.

The SiLU gradient is ATen's ``silu_backward`` operator (what autograd itself calls), written into its
half of the buffer through the operator's ``out=`` form. A PyTorch build without that operator form gets
the same formula from public tensor operations (equal up to rounding).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def _silu_backward_into(grad: torch.Tensor, gate: torch.Tensor, out: torch.Tensor) -> None:
    """``out ← grad · d silu(gate)/d gate``, with ATen's kernel when the build has it."""
    if _ATEN_SILU_BACKWARD is not None:
        _ATEN_SILU_BACKWARD(grad, gate, grad_input=out)
        return
    sigmoid = torch.sigmoid(gate)
    torch.mul(grad, sigmoid * (1 + gate * (1 - sigmoid)), out=out)


def _aten_silu_backward() -> Callable[..., torch.Tensor] | None:
    try:
        return torch.ops.aten.silu_backward.grad_input
    except (AttributeError, RuntimeError):
        return None


_ATEN_SILU_BACKWARD = _aten_silu_backward()


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
        _silu_backward_into(grad * up, gate, grad_gate)
        torch.mul(grad, activated, out=grad_up)
        return grad_gate_up


def gated_silu(gate_up: torch.Tensor) -> torch.Tensor:
    """``silu(gate) * up`` for ``gate_up = [gate | up]`` along the last axis."""
    if torch.compiler.is_compiling():
        # Traced by torch.compile: the plain expression lets the compiler fuse it (and its backward)
        # into single passes, which the hand-written autograd function would prevent.
        gate, up = gate_up.chunk(2, dim=-1)
        return F.silu(gate) * up
    if torch.is_grad_enabled() and gate_up.requires_grad:
        return _GatedSiLU.apply(gate_up)
    gate, up = gate_up.chunk(2, dim=-1)
    return F.silu(gate).mul_(up)  # no graph to keep: reuse the SiLU output's memory for the product
