"""``confidence``: keep the trajectory the halting head trusts most (highest sigmoid(q_halt) at its last
step). A puzzle stops as soon as one trajectory passes the halting policy's threshold."""

from __future__ import annotations

import torch

from recurse.inference.selection import SELECTIONS
from recurse.inference.selection.base import Selection, most_confident


@SELECTIONS.register("confidence")
class HighestConfidence(Selection):
    def settled(self, valid: torch.Tensor, halted_early: torch.Tensor) -> torch.Tensor:
        return halted_early.any(dim=1)

    def choose(self, trajectories) -> torch.Tensor:
        return most_confident(trajectories)
