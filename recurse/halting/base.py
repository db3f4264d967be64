"""The halting-policy interface and the exploration rule shared by the learned policies."""

from __future__ import annotations

import torch


class HaltingPolicy:
    """Decides, after each supervision step, which samples are finished.

    ``max_steps`` (N_sup) is a hard cap that every policy respects. A policy whose ``bootstraps`` is true
    asks the trainer for a Q-learning target from one extra no-gradient step.
    """

    max_steps: int
    bootstraps: bool = False

    def halted(self, *, steps: torch.Tensor, q_halt: torch.Tensor, q_continue: torch.Tensor,
               training: bool) -> torch.Tensor:
        """Bool [B]: which samples stop after having run ``steps`` [B] supervision steps."""
        raise NotImplementedError

    def at_limit(self, steps: torch.Tensor) -> torch.Tensor:
        return steps >= self.max_steps


def explore(halted: torch.Tensor, steps: torch.Tensor, *, probability: float, max_steps: int) -> torch.Tensor:
    """With ``probability``, a sample draws a minimum of U{2..max_steps} steps and cannot halt before it,
    so that the Q head also sees the outcome of thinking longer."""
    draws_minimum = torch.rand(steps.shape, device=steps.device) < probability
    minimum = draws_minimum * torch.randint_like(steps, low=2, high=max_steps + 1)
    return halted & (steps >= minimum)
