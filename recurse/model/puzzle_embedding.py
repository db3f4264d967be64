"""Per-puzzle learned vectors, trained sparsely: only the rows of the current batch receive gradient.

The table is a buffer, not a parameter, so the dense optimiser never touches it. In a training forward
the batch's rows are copied into a fresh leaf tensor; after backward, ``SignSGD`` reads that tensor's
gradient together with the ids and updates just those rows.
"""

from __future__ import annotations

import torch
from torch import nn


class PuzzleEmbedding(nn.Module):
    weight: torch.Tensor  # a buffer [num_ids, dim]: updated by SignSGD, not by autograd

    def __init__(self, num_ids: int, dim: int, *, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.num_ids = num_ids
        self.dim = dim
        self.dtype = dtype
        self.register_buffer("weight", torch.zeros(num_ids, dim))  # zero init: every puzzle starts alike
        self.batch_ids: torch.Tensor | None = None
        self.batch_rows: torch.Tensor | None = None

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Rows for ``ids`` [B] as [B, dim] in the forward dtype."""
        rows = self.weight[ids.long()]
        if self.training and torch.is_grad_enabled():
            rows = rows.detach().requires_grad_(True)
            self.batch_ids, self.batch_rows = ids, rows
        return rows.to(self.dtype)

    def extra_repr(self) -> str:
        return f"num_ids={self.num_ids}, dim={self.dim}"
