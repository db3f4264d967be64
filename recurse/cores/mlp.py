"""``mlp`` core (TRM's MLP-t): a SwiGLU across the sequence axis instead of attention.

The mixer sees each hidden channel as a length-L vector, so it mixes positions with a fixed, learned
pattern. Its residual and RMSNorm are taken over the *sequence* axis, because the transposed layout makes
that the last axis.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from recurse.cores import CORES
from recurse.layers import SwiGLU, rms_norm
from recurse.spec import Spec as PluginSpec


@CORES.register("mlp")
class MLPCore(nn.Module):
    """``hᵀ ← rmsnorm(hᵀ + swiglu(hᵀ))`` for h of shape [B, L, D] (L fixed at construction)."""

    class Spec(PluginSpec):
        kind: Literal["mlp"] = "mlp"
        expansion: float = 4.0

        def build(self, *, dim: int, seq_len: int, norm_eps: float) -> MLPCore:
            return MLPCore(seq_len, expansion=self.expansion, norm_eps=norm_eps)

    def __init__(self, seq_len: int, *, expansion: float = 4.0, norm_eps: float = 1e-5) -> None:
        super().__init__()
        self.seq_len = seq_len
        self.norm_eps = norm_eps
        self.mix = SwiGLU(seq_len, expansion)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if h.shape[1] != self.seq_len:
            raise ValueError(f"the mlp core was built for sequences of {self.seq_len}, got {h.shape[1]}")
        # Both layouts are made contiguous by one copy each. A transposed view would reach the linear
        # layers as a batch of small matrices (a batched matmul with the weight broadcast, several times
        # slower when no gradient is recorded), here and in the feed-forward after the core.
        ht = h.transpose(1, 2).contiguous()  # [B, D, L]
        return rms_norm(ht + self.mix(ht), self.norm_eps).transpose(1, 2).contiguous()
