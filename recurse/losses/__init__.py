"""Per-token cross-entropies, the deep-supervision (ACT) loss, and the registry of loss terms."""

from recurse.losses.act import ACTLoss, ACTLossOutput  # (registers "act")
from recurse.losses.candidates import CandidateSetLoss  # (registers "candidates")
from recurse.losses.cross_entropy import IGNORE_INDEX, LOSSES, softmax_cross_entropy, stablemax_cross_entropy
from recurse.losses.registry import LOSS_TERMS, LossTerm, TermOutput, build_loss_terms, check_loss_specs
from recurse.losses.relaxed_checker import RelaxedCheckerLoss  # (registers "relaxed_checker")

__all__ = [
    "ACTLoss",
    "ACTLossOutput",
    "CandidateSetLoss",
    "IGNORE_INDEX",
    "LOSSES",
    "LOSS_TERMS",
    "LossTerm",
    "RelaxedCheckerLoss",
    "TermOutput",
    "build_loss_terms",
    "check_loss_specs",
    "softmax_cross_entropy",
    "stablemax_cross_entropy",
]
