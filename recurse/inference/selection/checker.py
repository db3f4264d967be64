"""``checker``: keep an answer the task's checker accepts. A puzzle stops as soon as one trajectory's answer
is valid; when none is, the most confident trajectory is kept (and reported as not valid)."""

from __future__ import annotations

import torch

from recurse.inference.selection import SELECTIONS
from recurse.inference.selection.base import Selection, most_confident


@SELECTIONS.register("checker")
class FirstValid(Selection):
    checks = True

    def settled(self, valid: torch.Tensor, halted_early: torch.Tensor) -> torch.Tensor:
        return valid.any(dim=1)

    def choose(self, trajectories) -> torch.Tensor:
        fallback = most_confident(trajectories)
        valid = trajectories.valid
        if valid is None:
            return fallback
        # Among valid answers, the one found in the fewest steps (then the lowest sample number).
        cost = torch.where(valid, trajectories.steps.long(), torch.iinfo(torch.int64).max)
        first = cost.argmin(dim=1)
        return torch.where(valid.any(dim=1), first, fallback)
