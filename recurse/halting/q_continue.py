"""``q_continue``: HRM's Q-learning halting. Stop when q_halt > q_continue; q_continue is trained towards a
bootstrapped target from the next step."""

from __future__ import annotations

from typing import Literal

import torch

from recurse.halting import HALTING
from recurse.halting.base import LearnedHalting, LearnedHaltingSpec


@HALTING.register("q_continue")
class QContinue(LearnedHalting):
    bootstraps = True

    class Spec(LearnedHaltingSpec):
        kind: Literal["q_continue"] = "q_continue"

        def build(self) -> QContinue:
            return QContinue(max_steps=self.max_steps, exploration_prob=self.exploration_prob)

    def wants_to_halt(self, q_halt: torch.Tensor, q_continue: torch.Tensor) -> torch.Tensor:
        return q_halt > q_continue

    def continue_target(
        self, steps: torch.Tensor, next_q_halt: torch.Tensor, next_q_continue: torch.Tensor
    ) -> torch.Tensor:
        """Value of continuing: the best next-step value, or the halt value when the next step is forced."""
        value = torch.where(self.at_limit(steps), next_q_halt, torch.maximum(next_q_halt, next_q_continue))
        return torch.sigmoid(value)
