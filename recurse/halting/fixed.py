"""``fixed``: every sample runs exactly ``max_steps`` supervision steps."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.halting import HALTING
from recurse.halting.base import HaltingPolicy
from recurse.spec import Spec as PluginSpec


@HALTING.register("fixed")
class FixedSteps(HaltingPolicy):
    class Spec(PluginSpec):
        kind: Literal["fixed"] = "fixed"
        max_steps: int = Field(16, ge=1)

        def build(self) -> FixedSteps:
            return FixedSteps(max_steps=self.max_steps)

    def __init__(self, *, max_steps: int) -> None:
        self.max_steps = max_steps

    def halted(self, *, steps, q_halt, q_continue, training) -> torch.Tensor:
        return self.at_limit(steps)
