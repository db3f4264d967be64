"""Rotary position embeddings (RoPE) in the "rotate half" layout, applied in fp32."""

from __future__ import annotations

import torch
from torch import nn


class RotaryEmbedding(nn.Module):
    """Holds the cos/sin tables for ``max_positions`` positions of a ``head_dim``-wide head."""

    cos: torch.Tensor  # buffers, [positions, head_dim]
    sin: torch.Tensor

    def __init__(self, head_dim: int, max_positions: int, base: float = 10000.0) -> None:
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        angles = torch.outer(torch.arange(max_positions, dtype=torch.float32), inv_freq)
        angles = torch.cat((angles, angles), dim=-1)  # [positions, head_dim]
        # Derived from the shape alone, so not saved in checkpoints.
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def forward(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cos, self.sin


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate ``x`` [B, L, heads, head_dim] by position; ``cos``/``sin`` are [L, head_dim]."""
    dtype = x.dtype
    x = x.float()
    cos, sin = cos[:, None, :], sin[:, None, :]
    return (x * cos + _rotate_half(x) * sin).to(dtype)
