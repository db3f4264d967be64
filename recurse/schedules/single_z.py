"""``single_z``: the TRM ablation that carries a single latent z, which also serves as the answer."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.layers.block import Level
from recurse.schedules import SCHEDULES
from recurse.schedules.base import LevelFactory, Schedule, State
from recurse.spec import Spec as PluginSpec


@SCHEDULES.register("single_z")
class SingleZSchedule(Schedule):
    """A latent recursion refines z n times from (z + x), then once more with no injection."""

    state_names = ("z",)

    class Spec(PluginSpec):
        kind: Literal["single_z"] = "single_z"
        latent_steps: int = Field(6, ge=1, description="n")
        deep_steps: int = Field(3, ge=1, description="T")
        layers: int = Field(2, ge=1)

        def build(self, *, make_level: LevelFactory, dim: int) -> SingleZSchedule:
            return SingleZSchedule(
                make_level(self.layers), dim=dim, latent_steps=self.latent_steps, deep_steps=self.deep_steps
            )

    def __init__(self, level: Level, *, dim: int, latent_steps: int, deep_steps: int) -> None:
        super().__init__()
        self.level = level
        self.latent_steps = latent_steps
        self.deep_steps = deep_steps
        self._register_initial_states(dim)

    def latent_recursion(self, z: torch.Tensor, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        for _ in range(self.latent_steps):
            z = self.level(z, x, bias)
        return self.level(z, None, bias)

    def forward(
        self, state: State, x: torch.Tensor, *, attention_bias: torch.Tensor | None = None
    ) -> tuple[State, torch.Tensor]:
        (z,) = state
        with torch.no_grad():
            for _ in range(self.deep_steps - 1):
                z = self.latent_recursion(z, x, attention_bias)
        z = self.latent_recursion(z, x, attention_bias)
        return (z.detach(),), z
