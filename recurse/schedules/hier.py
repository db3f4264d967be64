"""``hier``: TRM with k latents z₁..z_k (k = 6 is the paper's hier6 ablation)."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.layers.block import Level
from recurse.schedules import SCHEDULES
from recurse.schedules.base import LevelFactory, Schedule, State
from recurse.spec import Spec as PluginSpec


@SCHEDULES.register("hier")
class HierSchedule(Schedule):
    """Latent step i rewrites latent (i mod k) from the sum of all latents, injected with y + x; y is then
    refined from that sum."""

    class Spec(PluginSpec):
        kind: Literal["hier"] = "hier"
        num_latents: int = Field(6, ge=1, description="k")
        latent_steps: int = Field(6, ge=1, description="n")
        deep_steps: int = Field(3, ge=1, description="T")
        layers: int = Field(2, ge=1)

        def build(self, *, make_level: LevelFactory, dim: int) -> HierSchedule:
            return HierSchedule(
                make_level(self.layers),
                dim=dim,
                num_latents=self.num_latents,
                latent_steps=self.latent_steps,
                deep_steps=self.deep_steps,
            )

    def __init__(self, level: Level, *, dim: int, num_latents: int, latent_steps: int, deep_steps: int) -> None:
        super().__init__()
        self.level = level
        self.latent_steps = latent_steps
        self.deep_steps = deep_steps
        self.state_names = ("y",) + tuple(f"z{i + 1}" for i in range(num_latents))
        self._register_initial_states(dim)

    def latent_recursion(
        self, y: torch.Tensor, zs: list[torch.Tensor], x: torch.Tensor, bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        for i in range(self.latent_steps):
            zs[i % len(zs)] = self.level(sum(zs), y + x, bias)
        return self.level(y, sum(zs), bias)

    def forward(
        self, state: State, x: torch.Tensor, *, attention_bias: torch.Tensor | None = None
    ) -> tuple[State, torch.Tensor]:
        y, zs = state[0], list(state[1:])
        with torch.no_grad():
            for _ in range(self.deep_steps - 1):
                y = self.latent_recursion(y, zs, x, attention_bias)
        y = self.latent_recursion(y, zs, x, attention_bias)
        return tuple(s.detach() for s in (y, *zs)), y
