"""``sample``: K trajectories per puzzle with Gaussian noise of scale σ added to the latent state, either
after every network call inside a supervision step (``noise_every=recursion``: every state each call
writes) or between supervision steps (``noise_every=step``: the states ``noise_on`` names, for example
``z`` of the ``trm`` schedule). Sample 0 runs without noise."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from recurse.errors import ConfigError
from recurse.inference.strategies import STRATEGIES
from recurse.inference.strategies.base import SampledSpec, SampledStrategy
from recurse.inference.trajectories import Perturbation, noise_like
from recurse.layers.block import Level

DEFAULT_NOISE = 0.3


class LatentNoise(Perturbation):
    def __init__(self, scale: float, every: str, states: tuple[int, ...]) -> None:
        self.scale, self.every, self.states = scale, every, states

    def hooks(self, refiner, perturbed, generator) -> list:
        if self.every != "recursion" or self.scale == 0:
            return []

        def add_noise(module, args, output):
            return noise_like(output, self.scale, perturbed(), generator)

        return [m.register_forward_hook(add_noise) for m in refiner.schedule.modules() if isinstance(m, Level)]

    def after_step(self, refiner, state, perturbed, generator):
        if self.every != "step" or self.scale == 0:
            return state
        return tuple(
            noise_like(s, self.scale, perturbed, generator) if i in self.states else s for i, s in enumerate(state)
        )


@STRATEGIES.register("sample")
class Sample(SampledStrategy):
    class Spec(SampledSpec):
        kind: Literal["sample"] = "sample"
        noise: float = Field(
            DEFAULT_NOISE, ge=0, le=100, allow_inf_nan=False, description="σ of the Gaussian noise on the latent state"
        )
        noise_every: Literal["recursion", "step"] = Field(
            "recursion", description="recursion: after every network call; step: between supervision steps"
        )
        noise_on: str = Field(
            "all",
            description="with noise_every=step: the state to perturb (a name of the "
            "schedule's state, e.g. z or y for trm) or all",
        )

        def build(self) -> Sample:
            return Sample(
                samples=self.samples,
                select=self.select,
                seed=self.seed,
                max_batch=self.max_batch,
                noise=self.noise,
                noise_every=self.noise_every,
                noise_on=self.noise_on,
            )

    def __init__(
        self, *, noise: float = DEFAULT_NOISE, noise_every: str = "recursion", noise_on: str = "all", **shared
    ) -> None:
        super().__init__(**shared)
        self.noise, self.noise_every, self.noise_on = noise, noise_every, noise_on

    def perturbation(self, refiner) -> Perturbation:
        names = refiner.schedule.state_names
        if self.noise_on == "all":
            states = tuple(range(len(names)))
        elif self.noise_on in names:
            states = (names.index(self.noise_on),)
        else:
            raise ConfigError(
                f"noise_on={self.noise_on!r} is not a state of the {refiner.schedule.registry_name} "
                f"schedule; it has {', '.join(names)} (or all)"
            )
        return LatentNoise(self.noise, self.noise_every, states)
