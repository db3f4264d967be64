"""Parameter-free RMSNorm, computed in fp32 whatever the input dtype."""

from __future__ import annotations

import torch


def rms_norm(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Normalise the last axis to unit root-mean-square. No learned scale (TRM's post-norm blocks)."""
    dtype = x.dtype
    x32 = x.float()
    x32 = x32 * torch.rsqrt(x32.square().mean(-1, keepdim=True) + eps)
    return x32.to(dtype)
