"""Stopping a run whose loss or gradient is no longer finite, before the optimiser spreads it to the weights."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from recurse.errors import RecurseError


class TrainingDiverged(RecurseError):
    """The loss or the gradient norm became NaN or Inf; nothing new was saved."""


def total_grad_norm(params: list[torch.nn.Parameter]) -> torch.Tensor:
    """The L2 norm of all gradients together (what ``clip_grad_norm_`` measures), as a 0-d tensor."""
    if not params:
        return torch.zeros(())
    return torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(p.grad.detach().float()) for p in params if p.grad is not None])
    )


def check_step(step: int, *, loss: torch.Tensor, grad_norm: torch.Tensor, kept: Callable[[], str]) -> None:
    """Raise ``TrainingDiverged`` naming the step and the quantity when either value is not finite.

    ``kept`` says, only when needed, which checkpoint is left (the newest one stays as it was).

    Both values are read back in one transfer; every rank sees the same (reduced) values, so all stop.
    """
    loss_value, norm_value = torch.stack([loss.detach().double().cpu(), grad_norm.detach().double().cpu()]).tolist()
    for quantity, value in (("loss", loss_value), ("gradient norm", norm_value)):
        if not math.isfinite(value):
            raise TrainingDiverged(
                f"step {step}: the {quantity} is {value}; training stopped without saving ({kept()}); "
                "lower training.lr or resume from an earlier checkpoint"
            )
