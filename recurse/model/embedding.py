"""The input x: token embeddings behind an optional puzzle-embedding prefix and optional learned positions."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from recurse.layers import CastedEmbedding
from recurse.model.puzzle_embedding import PuzzleEmbedding


class InputEmbedding(nn.Module):
    """Maps tokens [B, L] (and puzzle ids [B]) to x [B, P + L, D], where P is the prefix length.

    The puzzle vector (``puzzle_dim`` ≤ P·D wide) is zero-padded to P·D and folded into P prefix tokens.
    The result is scaled by sqrt(D), so the 1/sqrt(D)-initialised table yields unit-scale inputs.
    """

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        *,
        seq_len: int,
        prefix_len: int = 0,
        puzzle_ids: int = 0,
        puzzle_dim: int = 0,
        learned_positions: bool = False,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        if puzzle_dim > prefix_len * dim:
            raise ValueError(f"puzzle embedding of width {puzzle_dim} does not fit {prefix_len} prefix tokens of {dim}")
        self.dim = dim
        self.prefix_len = prefix_len
        self.dtype = dtype
        self.scale = math.sqrt(dim)
        self.tokens = CastedEmbedding(vocab_size, dim, init_std=1 / self.scale, dtype=dtype)
        self.puzzle = PuzzleEmbedding(puzzle_ids, puzzle_dim, dtype=dtype) if puzzle_dim > 0 else None
        self.positions = (
            CastedEmbedding(prefix_len + seq_len, dim, init_std=1 / self.scale, dtype=dtype)
            if learned_positions
            else None
        )

    def forward(self, inputs: torch.Tensor, puzzle_ids: torch.Tensor | None = None) -> torch.Tensor:
        x = self.tokens(inputs)
        if self.prefix_len:
            batch = inputs.shape[0]
            if self.puzzle is not None:
                if puzzle_ids is None:
                    puzzle_ids = torch.zeros(batch, dtype=torch.long, device=inputs.device)
                prefix = F.pad(self.puzzle(puzzle_ids), (0, self.prefix_len * self.dim - self.puzzle.dim))
            else:
                prefix = x.new_zeros(batch, self.prefix_len * self.dim)
            x = torch.cat((prefix.view(batch, self.prefix_len, self.dim), x), dim=1)
        if self.positions is not None:
            # Averaging token and position embeddings (÷√2) keeps the sum at unit scale.
            x = (x + self.positions.weight.to(self.dtype)) * math.sqrt(0.5)
        return x * self.scale
