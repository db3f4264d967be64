"""``q_continue``: HRM's Q-learning halting. Stop when q_halt > q_continue; q_continue is trained towards a
bootstrapped target from the next step."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.halting import HALTING
from recurse.halting.base import HaltingPolicy, explore
from recurse.spec import Spec


@HALTING.register("q_continue")
class QContinue(HaltingPolicy):
    bootstraps = True

    class Spec(Spec):
        kind: Literal["q_continue"] = "q_continue"
        max_steps: int = Field(16, ge=1, description="N_sup")
        exploration_prob: float = Field(0.1, ge=0, le=1)

        def build(self) -> "QContinue":
            return QContinue(max_steps=self.max_steps, exploration_prob=self.exploration_prob)

    def __init__(self, *, max_steps: int, exploration_prob: float = 0.1) -> None:
        self.max_steps = max_steps
        self.exploration_prob = exploration_prob

    def halted(self, *, steps, q_halt, q_continue, training) -> torch.Tensor:
        halted = self.at_limit(steps)
        if training and self.max_steps > 1:
            halted = halted | (q_halt > q_continue)
            halted = explore(halted, steps, probability=self.exploration_prob, max_steps=self.max_steps)
        return halted

    def continue_target(self, steps: torch.Tensor, next_q_halt: torch.Tensor,
                        next_q_continue: torch.Tensor) -> torch.Tensor:
        """Value of continuing: the best next-step value, or the halt value when the next step is forced."""
        value = torch.where(self.at_limit(steps), next_q_halt, torch.maximum(next_q_halt, next_q_continue))
        return torch.sigmoid(value)
