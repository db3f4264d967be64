"""The selection-rule interface: when a puzzle's trajectories may stop, and which one answers."""

from __future__ import annotations

import torch

from recurse.inference.trajectories import Trajectories


class Selection:
    """Picks one trajectory per puzzle. ``checks`` asks for the task's checker verdict on every answer."""

    checks: bool = False

    def settled(self, valid: torch.Tensor, halted_early: torch.Tensor) -> torch.Tensor | None:
        """Bool [n]: puzzles whose answer is already decided, so their trajectories stop (None: never early)."""
        return None

    def choose(self, trajectories: Trajectories) -> torch.Tensor:
        """Long [N]: the kept sample of each puzzle."""
        raise NotImplementedError


def most_confident(trajectories: Trajectories) -> torch.Tensor:
    """The sample with the highest final sigmoid(q_halt); the lowest sample number on ties."""
    return trajectories.confidence.argmax(dim=1)
