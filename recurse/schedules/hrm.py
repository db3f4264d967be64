"""``hrm``: the Hierarchical Reasoning Model: a slow high level and a fast low level with separate weights,
trained with the one-step gradient approximation."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.layers.block import Level
from recurse.schedules import SCHEDULES
from recurse.schedules.base import LevelFactory, Schedule, State
from recurse.spec import Spec as PluginSpec


@SCHEDULES.register("hrm")
class HRMSchedule(Schedule):
    """T high cycles of n low updates each; only the final low and high updates carry gradient."""

    state_names = ("high", "low")

    class Spec(PluginSpec):
        kind: Literal["hrm"] = "hrm"
        high_cycles: int = Field(2, ge=1, description="T (H_cycles)")
        low_cycles: int = Field(2, ge=1, description="n (L_cycles)")
        high_layers: int = Field(4, ge=1)
        low_layers: int = Field(4, ge=1)

        def build(self, *, make_level: LevelFactory, dim: int) -> HRMSchedule:
            return HRMSchedule(
                make_level(self.high_layers),
                make_level(self.low_layers),
                dim=dim,
                high_cycles=self.high_cycles,
                low_cycles=self.low_cycles,
            )

    def __init__(self, high: Level, low: Level, *, dim: int, high_cycles: int, low_cycles: int) -> None:
        super().__init__()
        self.high = high
        self.low = low
        self.high_cycles = high_cycles
        self.low_cycles = low_cycles
        self._register_initial_states(dim)

    def forward(
        self, state: State, x: torch.Tensor, *, attention_bias: torch.Tensor | None = None
    ) -> tuple[State, torch.Tensor]:
        high, low = state
        bias = attention_bias
        updates = self.high_cycles * self.low_cycles
        with torch.no_grad():
            # Every update but the last low and the last high one runs without gradient.
            for i in range(updates - 1):
                low = self.low(low, high + x, bias)
                if (i + 1) % self.low_cycles == 0:
                    high = self.high(high, low, bias)
        low = self.low(low, high + x, bias)
        high = self.high(high, low, bias)
        return (high.detach(), low.detach()), high
