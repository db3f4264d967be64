"""Linear and embedding layers that keep fp32 weights and compute in the input's dtype."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from recurse.layers.init import trunc_normal_
from recurse.layers.precision import cast_to


class CastedLinear(nn.Module):
    """``y = x Wᵀ (+ b)`` with W stored in fp32 and cast to ``x.dtype`` on use.

    Weights start truncated-normal with std 1/sqrt(in_features); the bias starts at zero.
    """

    def __init__(self, in_features: int, out_features: int, *, bias: bool = False) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(
            trunc_normal_(torch.empty(out_features, in_features), std=1 / math.sqrt(in_features))
        )
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = cast_to(self.bias, x.dtype) if self.bias is not None else None
        return F.linear(x, cast_to(self.weight, x.dtype), bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class CastedEmbedding(nn.Module):
    """An embedding table stored in fp32 whose looked-up rows come out in ``dtype``."""

    def __init__(self, num_embeddings: int, dim: int, *, init_std: float, dtype: torch.dtype) -> None:
        super().__init__()
        self.dtype = dtype
        self.weight = nn.Parameter(trunc_normal_(torch.empty(num_embeddings, dim), std=init_std))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(ids.long(), cast_to(self.weight, self.dtype))
