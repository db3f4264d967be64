"""Truncated-normal initialisation whose *actual* standard deviation equals the one asked for."""

from __future__ import annotations

import math

import torch


@torch.no_grad()
def trunc_normal_(tensor: torch.Tensor, std: float = 1.0, lower: float = -2.0, upper: float = 2.0) -> torch.Tensor:
    """Fill ``tensor`` from a normal truncated at ``[lower, upper]`` standard deviations.

    ``torch.nn.init.trunc_normal_`` truncates a normal of the given std, so the result has a smaller
    spread. Here the std of the underlying normal is scaled up so that the truncated distribution has
    std ``std`` (the convention of JAX's initialisers, which TRM's weights use). ``std == 0`` zeroes.
    """
    if std == 0:
        return tensor.zero_()
    sqrt2 = math.sqrt(2.0)
    cdf_lo = math.erf(lower / sqrt2)
    cdf_hi = math.erf(upper / sqrt2)
    mass = (cdf_hi - cdf_lo) / 2
    pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
    variance_ratio = 1 - (upper * pdf(upper) - lower * pdf(lower)) / mass - ((pdf(upper) - pdf(lower)) / mass) ** 2
    scale = std / math.sqrt(variance_ratio)
    # Inverse-CDF sampling: uniform in erf space, then erfinv.
    tensor.uniform_(cdf_lo, cdf_hi).erfinv_().mul_(sqrt2 * scale)
    return tensor.clamp_(lower * scale, upper * scale)
