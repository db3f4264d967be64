"""``threshold``: an inference policy that stops a sample once sigmoid(q_halt) reaches a confidence level."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.halting import HALTING
from recurse.halting.base import HaltingPolicy
from recurse.halting_defaults import DEFAULT_THRESHOLD
from recurse.spec import Spec as PluginSpec


@HALTING.register("threshold")
class Threshold(HaltingPolicy):
    class Spec(PluginSpec):
        kind: Literal["threshold"] = "threshold"
        max_steps: int = Field(16, ge=1)
        threshold: float = Field(DEFAULT_THRESHOLD, gt=0, lt=1, description="halt when sigmoid(q_halt) >= threshold")

        def build(self) -> Threshold:
            return Threshold(max_steps=self.max_steps, threshold=self.threshold)

    def __init__(self, *, max_steps: int, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.max_steps = max_steps
        self.threshold = threshold

    def halted(self, *, steps, q_halt, q_continue, training) -> torch.Tensor:
        return self.at_limit(steps) | (torch.sigmoid(q_halt) >= self.threshold)
