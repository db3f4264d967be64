"""``trm``: the Tiny Recursive Model schedule over an answer y and a latent z, sharing one level."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field
from torch.utils.checkpoint import checkpoint

from recurse.layers.block import Level
from recurse.schedules import SCHEDULES
from recurse.schedules.base import LevelFactory, Schedule, State
from recurse.spec import Spec as PluginSpec


@SCHEDULES.register("trm")
class TRMSchedule(Schedule):
    """One supervision step = deep recursion: T latent recursions, only the last with gradient.

    A latent recursion refines z n times from (y + x), then refines y once from z.
    """

    state_names = ("y", "z")

    class Spec(PluginSpec):
        kind: Literal["trm"] = "trm"
        latent_steps: int = Field(6, ge=1, description="n: z updates per latent recursion")
        deep_steps: int = Field(3, ge=1, description="T: latent recursions per supervision step")
        layers: int = Field(2, ge=1, description="blocks in the shared level")
        activation_checkpointing: bool = Field(
            False,
            description="keep only each level call's inputs in the gradient-carrying recursion and "
            "recompute the rest during backward: less memory, one more forward",
        )

        def build(self, *, make_level: LevelFactory, dim: int) -> TRMSchedule:
            return TRMSchedule(
                make_level(self.layers),
                dim=dim,
                latent_steps=self.latent_steps,
                deep_steps=self.deep_steps,
                activation_checkpointing=self.activation_checkpointing,
            )

    def __init__(
        self, level: Level, *, dim: int, latent_steps: int, deep_steps: int, activation_checkpointing: bool = False
    ) -> None:
        super().__init__()
        self.level = level
        self.latent_steps = latent_steps  # n
        self.deep_steps = deep_steps  # T
        self.activation_checkpointing = activation_checkpointing
        self._register_initial_states(dim)

    def _net(self, h: torch.Tensor, injection: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        if self.activation_checkpointing and torch.is_grad_enabled():
            return checkpoint(self.level, h, injection, bias, use_reentrant=False)
        return self.level(h, injection, bias)

    def latent_recursion(
        self, y: torch.Tensor, z: torch.Tensor, x: torch.Tensor, bias: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        for _ in range(self.latent_steps):
            z = self._net(z, y + x, bias)  # z ← net(x, y, z)
        y = self._net(y, z, bias)  # y ← net(y, z)
        return y, z

    def forward(
        self, state: State, x: torch.Tensor, *, attention_bias: torch.Tensor | None = None
    ) -> tuple[State, torch.Tensor]:
        y, z = state  # [B, L, D] each
        with torch.no_grad():
            for _ in range(self.deep_steps - 1):
                y, z = self.latent_recursion(y, z, x, attention_bias)
        y, z = self.latent_recursion(y, z, x, attention_bias)  # the only recursion that backpropagates
        return (y.detach(), z.detach()), y
