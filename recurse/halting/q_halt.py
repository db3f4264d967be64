"""``q_halt``: TRM's learned halting. In training a sample stops once q_halt > 0; evaluation runs N_sup."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.halting import HALTING
from recurse.halting.base import HaltingPolicy, explore
from recurse.spec import Spec


@HALTING.register("q_halt")
class QHalt(HaltingPolicy):
    class Spec(Spec):
        kind: Literal["q_halt"] = "q_halt"
        max_steps: int = Field(16, ge=1, description="N_sup")
        exploration_prob: float = Field(0.1, ge=0, le=1)

        def build(self) -> "QHalt":
            return QHalt(max_steps=self.max_steps, exploration_prob=self.exploration_prob)

    def __init__(self, *, max_steps: int, exploration_prob: float = 0.1) -> None:
        self.max_steps = max_steps
        self.exploration_prob = exploration_prob

    def halted(self, *, steps, q_halt, q_continue, training) -> torch.Tensor:
        halted = self.at_limit(steps)
        if training and self.max_steps > 1:
            halted = halted | (q_halt > 0)
            halted = explore(halted, steps, probability=self.exploration_prob, max_steps=self.max_steps)
        return halted
