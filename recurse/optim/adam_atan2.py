"""AdamATan2: Adam whose update is ``atan2(m̂, √v̂)`` instead of ``m̂ / (√v̂ + ε)``.

atan2 is bounded and scale-invariant, so the update needs no ε and cannot blow up when v̂ is tiny.
Weight decay is decoupled (applied to the weights, scaled by the learning rate). Plain torch, so it
runs on every device.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch.optim import Optimizer


class AdamATan2(Optimizer):
    def __init__(
        self, params: Iterable, lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.95), weight_decay: float = 0.0
    ) -> None:
        if lr <= 0 or not 0 <= betas[0] < 1 or not 0 <= betas[1] < 1 or weight_decay < 0:
            raise ValueError(f"invalid AdamATan2 settings lr={lr}, betas={betas}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if not state:
                    state["step"] = torch.zeros((), dtype=torch.float32)
                    state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(param, memory_format=torch.preserve_format)
                state["step"] += 1
                step = state["step"]  # a 0-d CPU tensor: the bias corrections need no device sync
                grad = param.grad
                param.mul_(1 - lr * wd)
                state["exp_avg"].lerp_(grad, 1 - beta1)
                state["exp_avg_sq"].lerp_(grad.square(), 1 - beta2)
                m_hat = state["exp_avg"] / (1 - beta1**step)
                v_hat_sqrt = (state["exp_avg_sq"] / (1 - beta2**step)).sqrt()
                param.add_(torch.atan2(m_hat, v_hat_sqrt), alpha=-lr)
        return loss
