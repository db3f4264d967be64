"""Per-token cross-entropies and the deep-supervision (ACT) loss."""

from recurse.losses.act import ACTLoss, ACTLossOutput
from recurse.losses.cross_entropy import IGNORE_INDEX, LOSSES, softmax_cross_entropy, stablemax_cross_entropy

__all__ = ["ACTLoss", "ACTLossOutput", "IGNORE_INDEX", "LOSSES", "softmax_cross_entropy", "stablemax_cross_entropy"]
