"""The schedule interface: a recurrent state of [B, L, D] tensors, fixed initial vectors, one step."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from recurse.layers import trunc_normal_
from recurse.layers.block import Level

State = tuple[torch.Tensor, ...]
LevelFactory = Callable[[int], Level]  # number of blocks -> a fresh level


class Schedule(nn.Module):
    """Base of every recursion schedule.

    A schedule owns its levels and the initial value of each state tensor. ``forward(state, x)`` runs one
    supervision step and returns the new state (detached: deep supervision never backpropagates across
    steps) and the hidden sequence that the output and Q heads read.
    """

    state_names: tuple[str, ...] = ()

    def _register_initial_states(self, dim: int) -> None:
        # Fixed random vectors (std-1 truncated normal): not trained, but saved so a checkpoint reproduces.
        for name in self.state_names:
            self.register_buffer(f"{name}_init", trunc_normal_(torch.empty(dim), std=1.0))

    def initial_vectors(self) -> list[torch.Tensor]:
        return [getattr(self, f"{name}_init") for name in self.state_names]

    def initial_state(self, batch_size: int, length: int, *, dtype: torch.dtype) -> State:
        return tuple(v.to(dtype).expand(batch_size, length, -1).clone() for v in self.initial_vectors())

    def reset(self, state: State, mask: torch.Tensor) -> State:
        """Put the samples where ``mask`` [B] is true back to the initial state."""
        mask = mask.view(-1, 1, 1)
        return tuple(torch.where(mask, v.to(s.dtype), s) for s, v in zip(state, self.initial_vectors()))

    def forward(
        self, state: State, x: torch.Tensor, *, attention_bias: torch.Tensor | None = None
    ) -> tuple[State, torch.Tensor]:
        """One supervision step. ``attention_bias`` [B, heads, P+L, P+L], when given, is passed to every
        level call (``level(h, injection, attention_bias=...)``): it restricts attention to the task's
        interaction structure."""
        raise NotImplementedError
