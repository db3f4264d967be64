"""Linear warmup from 0, then a half cosine down to ``min_ratio`` of the base rate."""

from __future__ import annotations

import math


def warmup_cosine(step: int, *, base_lr: float, warmup_steps: int, total_steps: int, min_ratio: float = 1.0) -> float:
    """Learning rate at optimiser step ``step`` (counted from 1). ``min_ratio = 1`` holds it constant after warmup."""
    if step < warmup_steps:
        return base_lr * step / max(1, warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return base_lr * (min_ratio + (1 - min_ratio) * cosine)
