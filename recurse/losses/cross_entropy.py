"""Token-level cross-entropies: stablemax (float64, TRM's default) and softmax."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def _stablemax_log_probs(logits: torch.Tensor) -> torch.Tensor:
    """log of s(x) / Σ s(x), with s(x) = 1/(1 − x) for x < 0 and x + 1 otherwise.

    s grows linearly instead of exponentially, which avoids the softmax collapse seen when training
    on small data for long; float64 keeps the ratio exact for the large logits this allows.
    """
    x = logits.double()
    s = torch.where(x < 0, 1 / (1 - x + 1e-30), x + 1)
    return torch.log(s / s.sum(dim=-1, keepdim=True))


def stablemax_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-token loss [B, L] (float64), zero where ``labels == IGNORE_INDEX``."""
    valid = labels != IGNORE_INDEX
    log_probs = _stablemax_log_probs(logits)
    picked = log_probs.gather(-1, torch.where(valid, labels, 0).long().unsqueeze(-1)).squeeze(-1)
    return -torch.where(valid, picked, 0)


def softmax_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-token loss [B, L] (float32), zero where ``labels == IGNORE_INDEX``."""
    flat = F.cross_entropy(
        logits.float().flatten(0, -2), labels.long().flatten(), ignore_index=IGNORE_INDEX, reduction="none"
    )
    return flat.view(labels.shape)


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "stablemax": stablemax_cross_entropy,
    "softmax": softmax_cross_entropy,
}

# The log-probabilities each loss scores tokens with: choosing a target among several answers
# (recurse.losses.nearest_answer) ranks them by the same loss that then trains on the choice.
LOG_PROBS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "stablemax": _stablemax_log_probs,
    "softmax": lambda logits: F.log_softmax(logits.float(), dim=-1),
}
