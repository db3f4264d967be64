"""The halting-policy interface and the exploration rule shared by the learned policies."""

from __future__ import annotations

import torch
from pydantic import Field

from recurse.spec import Spec


class HaltingPolicy:
    """Decides, after each supervision step, which samples are finished.

    ``max_steps`` (N_sup) is a hard cap that every policy respects. A policy whose ``bootstraps`` is true
    asks the trainer for a Q-learning target from one extra no-gradient step.
    """

    max_steps: int
    bootstraps: bool = False
    registry_name: str  # the name it is registered under in HALTING (set by the registry)

    def halted(
        self, *, steps: torch.Tensor, q_halt: torch.Tensor, q_continue: torch.Tensor, training: bool
    ) -> torch.Tensor:
        """Bool [B]: which samples stop after having run ``steps`` [B] supervision steps."""
        raise NotImplementedError

    def continue_target(
        self, steps: torch.Tensor, next_q_halt: torch.Tensor, next_q_continue: torch.Tensor
    ) -> torch.Tensor:
        """The Q-learning target of continuing, for a policy whose ``bootstraps`` is true."""
        raise NotImplementedError(f"{type(self).__name__} does not bootstrap a continue target")

    def at_limit(self, steps: torch.Tensor) -> torch.Tensor:
        return steps >= self.max_steps


def explore(halted: torch.Tensor, steps: torch.Tensor, *, probability: float, max_steps: int) -> torch.Tensor:
    """With ``probability``, a sample draws a minimum of U{2..max_steps} steps and cannot halt before it,
    so that the Q head also sees the outcome of thinking longer."""
    draws_minimum = torch.rand(steps.shape, device=steps.device) < probability
    minimum = draws_minimum * torch.randint_like(steps, low=2, high=max_steps + 1)
    return halted & (steps >= minimum)


class LearnedHaltingSpec(Spec):
    """Fields shared by the policies that learn when to halt."""

    max_steps: int = Field(16, ge=1, description="N_sup")
    exploration_prob: float = Field(0.1, ge=0, le=1)


class LearnedHalting(HaltingPolicy):
    """In training: halt at N_sup or when ``wants_to_halt``, subject to exploration. In evaluation: N_sup
    steps, as the official code evaluates (use ``threshold`` to stop early at inference)."""

    def __init__(self, *, max_steps: int, exploration_prob: float = 0.1) -> None:
        self.max_steps = max_steps
        self.exploration_prob = exploration_prob

    def wants_to_halt(self, q_halt: torch.Tensor, q_continue: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def halted(self, *, steps, q_halt, q_continue, training) -> torch.Tensor:
        halted = self.at_limit(steps)
        if training and self.max_steps > 1:
            halted = halted | self.wants_to_halt(q_halt, q_continue)
            halted = explore(halted, steps, probability=self.exploration_prob, max_steps=self.max_steps)
        return halted
