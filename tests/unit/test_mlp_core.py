"""The ``mlp`` core (MLP-t): its definition, and single matmuls for its projections in every grad mode."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

from recurse.cores.mlp import MLPCore
from recurse.layers import weight_cast_scope


def _reference(core: MLPCore, h: torch.Tensor) -> torch.Tensor:
    """``hᵀ ← rmsnorm(hᵀ + W_down(silu(W_gate hᵀ) · W_up hᵀ))`` over the sequence axis, in fp32."""
    ht = h.transpose(1, 2).float()
    gate, up = F.linear(ht, core.mix.gate_up.weight).chunk(2, dim=-1)
    mixed = ht + F.linear(F.silu(gate) * up, core.mix.down.weight)
    return (mixed * torch.rsqrt(mixed.square().mean(-1, keepdim=True) + core.norm_eps)).transpose(1, 2)


def test_mlp_core_computes_its_definition():
    torch.manual_seed(0)
    core = MLPCore(9, expansion=2.0)
    h = torch.randn(4, 9, 16)
    torch.testing.assert_close(core(h), _reference(core, h), rtol=1e-5, atol=1e-5)
    assert core(h).is_contiguous(), "the next layer reads it as [B·L, D] without a copy"


@pytest.mark.parametrize("mode", ["grad", "no_grad", "inference"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_mlp_core_projections_are_single_matmuls(mode, dtype):
    torch.manual_seed(0)
    core = MLPCore(9, expansion=2.0)
    h = torch.randn(4, 9, 16).to(dtype).requires_grad_(mode == "grad")
    context = {"grad": torch.enable_grad, "no_grad": torch.no_grad, "inference": torch.inference_mode}[mode]
    with context(), weight_cast_scope(), profile(activities=[ProfilerActivity.CPU]) as prof:
        core(h)
    calls = {event.key: event.count for event in prof.key_averages()}
    assert "aten::bmm" not in calls and calls.get("aten::mm") == 2, calls
