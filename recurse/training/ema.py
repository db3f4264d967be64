"""An exponential moving average of the trained parameters, used for evaluation and saved checkpoints."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn
from torch.optim.swa_utils import get_ema_multi_avg_fn


class EMA:
    """``shadow ← rate·shadow + (1 − rate)·param`` after each optimiser step.

    Covers the trained parameters and, when asked, the puzzle-embedding table (a buffer).
    """

    def __init__(self, module: nn.Module, rate: float = 0.999, *, include_puzzle_embeddings: bool = False) -> None:
        self.module = module
        self.rate = rate
        self.names = [n for n, p in module.named_parameters() if p.requires_grad]
        if include_puzzle_embeddings:
            self.names += [n for n, _ in module.named_buffers() if n.endswith("puzzle.weight")]
        tensors = self._tensors()
        self.shadow = {n: tensors[n].detach().clone().float() for n in self.names}
        # Looked up once: parameters and buffers keep their storage while training, so detached views
        # made here see every optimiser update.
        self._live = [tensors[n].detach() for n in self.names]
        self._shadow = [self.shadow[n] for n in self.names]
        # PyTorch's public EMA step for lists of tensors: one fused lerp kernel over all of them.
        self._lerp = get_ema_multi_avg_fn(rate)

    def _tensors(self) -> dict[str, torch.Tensor]:
        return dict(self.module.state_dict(keep_vars=True))

    @torch.no_grad()
    def update(self) -> None:
        live = [t if t.dtype == torch.float32 else t.float() for t in self._live]
        self._lerp(self._shadow, live, None)  # shadow ← shadow + (1 − rate)·(live − shadow)

    @contextmanager
    @torch.no_grad()
    def averaged(self) -> Iterator[nn.Module]:
        """Temporarily load the averaged weights into the module."""
        tensors = self._tensors()
        saved = {n: tensors[n].detach().clone() for n in self.names}
        for name in self.names:
            tensors[name].copy_(self.shadow[name])
        try:
            yield self.module
        finally:
            for name in self.names:
                tensors[name].copy_(saved[name])
