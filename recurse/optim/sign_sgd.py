"""SignSGD for the sparse puzzle-embedding table: only the rows seen in the step move.

Across ranks, the (id, gradient) pairs of every rank are gathered and summed per unique id, so each row
gets one update per step however many samples used it. Decoupled weight decay:
``w ← w·(1 − lr·wd) − lr·sign(g)``.
"""

from __future__ import annotations

import torch
import torch.distributed as dist

from recurse.model.puzzle_embedding import PuzzleEmbedding


class SparseSignSGD:
    def __init__(self, embedding: PuzzleEmbedding, *, lr: float, weight_decay: float = 0.0) -> None:
        self.embedding = embedding
        self.lr = lr
        self.weight_decay = weight_decay

    @torch.no_grad()
    def step(self) -> None:
        emb = self.embedding
        if emb.batch_ids is None or emb.batch_rows is None or emb.batch_rows.grad is None:
            return
        ids, grads = emb.batch_ids.long(), emb.batch_rows.grad
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            ids, grads = _all_gather(ids), _all_gather(grads)
        unique, inverse = ids.unique(return_inverse=True)
        summed = torch.zeros(unique.numel(), grads.shape[1], dtype=grads.dtype, device=grads.device)
        summed.index_add_(0, inverse, grads)
        rows = emb.weight[unique]
        rows.mul_(1 - self.lr * self.weight_decay).add_(summed.sign(), alpha=-self.lr)
        emb.weight[unique] = rows

    def zero_grad(self) -> None:
        self.embedding.batch_rows = None
        self.embedding.batch_ids = None


def _all_gather(tensor: torch.Tensor) -> torch.Tensor:
    parts = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, tensor.contiguous())
    return torch.cat(parts)
