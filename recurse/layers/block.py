"""A post-norm block (core sublayer, then SwiGLU sublayer) and a level: a stack of blocks with input injection."""

from __future__ import annotations

import torch
from torch import nn

from recurse.layers import SwiGLU, rms_norm


class Block(nn.Module):
    """``h ← core(h)`` (the core applies its own residual and norm), then ``h ← rmsnorm(h + swiglu(h))``."""

    def __init__(self, core: nn.Module, dim: int, *, expansion: float, norm_eps: float = 1e-5) -> None:
        super().__init__()
        self.mixer = core
        self.ffn = SwiGLU(dim, expansion)
        self.norm_eps = norm_eps

    def forward(self, h: torch.Tensor, attention_bias: torch.Tensor | None = None) -> torch.Tensor:
        # Only an attending core takes a bias (ModelConfig checks that a model with one attends).
        h = self.mixer(h) if attention_bias is None else self.mixer(h, attention_bias)
        return rms_norm(h + self.ffn(h), self.norm_eps)


class Level(nn.Module):
    """``level(h, injection) = blocks(h + injection)``: the network that every recursion step calls.

    ``attention_bias`` (an additive [B, heads, L, L] bias, −inf where positions do not interact) reaches
    every block's core."""

    def __init__(self, blocks: list[Block]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    def forward(
        self, h: torch.Tensor, injection: torch.Tensor | None = None, attention_bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        if injection is not None:
            h = h + injection
        for block in self.blocks:
            h = block(h, attention_bias)
        return h
