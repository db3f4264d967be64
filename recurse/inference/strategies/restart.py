"""``restart``: K trajectories per puzzle from random initial latent states. The schedule starts every
puzzle from fixed vectors drawn once (truncated normal, std 1) and saved with the model; a restart draws
each state's starting vector afresh from that distribution, one per trajectory. Sample 0 keeps the model's
own vectors."""

from __future__ import annotations

from typing import Literal

import torch

from recurse.inference.strategies import STRATEGIES
from recurse.inference.strategies.base import SampledSpec, SampledStrategy
from recurse.inference.trajectories import Perturbation


class RandomStart(Perturbation):
    def initial_state(self, refiner, rows, length, perturbed, generator):
        state = refiner.initial_state(rows, length)
        drawn = []
        for tensor in state:
            vectors = torch.randn(rows, 1, tensor.shape[-1], generator=generator, device=tensor.device)
            vectors = vectors.clamp(-2, 2).to(tensor.dtype).expand(-1, tensor.shape[1], -1)  # truncated at ±2σ
            drawn.append(torch.where(perturbed.to(tensor.device).view(-1, 1, 1), vectors, tensor))
        return tuple(drawn)


@STRATEGIES.register("restart")
class Restart(SampledStrategy):
    class Spec(SampledSpec):
        kind: Literal["restart"] = "restart"

        def build(self) -> Restart:
            return Restart(samples=self.samples, select=self.select, seed=self.seed, max_batch=self.max_batch)

    def perturbation(self, refiner) -> Perturbation:
        return RandomStart()
