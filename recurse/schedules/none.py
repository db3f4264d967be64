"""``none``: the plain transformer baseline: one stack of blocks per supervision step, no latent."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.layers.block import Level
from recurse.schedules import SCHEDULES
from recurse.schedules.base import LevelFactory, Schedule, State
from recurse.spec import Spec as PluginSpec


@SCHEDULES.register("none")
class NoRecursion(Schedule):
    """``y ← blocks(y + x)``, repeated ``cycles`` times (all but the last without gradient)."""

    state_names = ("y",)

    class Spec(PluginSpec):
        kind: Literal["none"] = "none"
        layers: int = Field(4, ge=1)
        cycles: int = Field(1, ge=1)

        def build(self, *, make_level: LevelFactory, dim: int) -> NoRecursion:
            return NoRecursion(make_level(self.layers), dim=dim, cycles=self.cycles)

    def __init__(self, level: Level, *, dim: int, cycles: int = 1) -> None:
        super().__init__()
        self.level = level
        self.cycles = cycles
        self._register_initial_states(dim)

    def forward(
        self, state: State, x: torch.Tensor, *, attention_bias: torch.Tensor | None = None
    ) -> tuple[State, torch.Tensor]:
        (y,) = state
        with torch.no_grad():
            for _ in range(self.cycles - 1):
                y = self.level(y, x, attention_bias)
        y = self.level(y, x, attention_bias)
        return (y.detach(),), y
