"""``q_halt``: TRM's learned halting. In training a sample stops once q_halt > 0; evaluation runs N_sup."""

from __future__ import annotations

from typing import Literal

import torch

from recurse.halting import HALTING
from recurse.halting.base import LearnedHalting, LearnedHaltingSpec


@HALTING.register("q_halt")
class QHalt(LearnedHalting):
    class Spec(LearnedHaltingSpec):
        kind: Literal["q_halt"] = "q_halt"

        def build(self) -> QHalt:
            return QHalt(max_steps=self.max_steps, exploration_prob=self.exploration_prob)

    def wants_to_halt(self, q_halt: torch.Tensor, q_continue: torch.Tensor) -> torch.Tensor:
        return q_halt > 0
