"""The inference-strategy interface, and the part shared by the strategies that run several trajectories
per puzzle (``SampledStrategy``): the batch of puzzles × samples, the selection rule, the seed."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from pydantic import Field, field_validator

from recurse.errors import ConfigError
from recurse.halting import HaltingPolicy
from recurse.inference.refinement import Prediction
from recurse.inference.selection import SELECTIONS
from recurse.inference.trajectories import Acceptor, Perturbation, Trajectories, run_trajectories
from recurse.model.refiner import RecursiveRefiner
from recurse.spec import Spec

DEFAULT_SAMPLES = 16
DEFAULT_SELECT = "checker"
MAX_SAMPLES = 4096
MAX_BATCH = 1024  # rows (puzzles × samples) refined at once; more puzzles are taken in chunks


@dataclass
class Answers:
    """What a strategy returns for N puzzles."""

    prediction: Prediction  # the kept trajectory of each puzzle, as greedy refinement returns it
    kept: torch.Tensor  # [N] the kept sample (0 for greedy)
    samples: int  # trajectories run per puzzle
    sample_steps: torch.Tensor  # [N] supervision steps summed over each puzzle's trajectories
    trajectories: Trajectories | None = None  # every trajectory (None for greedy)


class Strategy:
    """Answers a batch of puzzles with a refiner. ``acceptor`` is the task's checker over answer tokens, for
    the rules that use it; ``keep_logits`` keeps the kept trajectory's last logits (verified solving)."""

    samples: int = 1

    def run(
        self,
        refiner: RecursiveRefiner,
        inputs: torch.Tensor,
        puzzle_ids: torch.Tensor | None,
        *,
        halting: HaltingPolicy,
        acceptor: Acceptor | None = None,
        keep_logits: bool = False,
        trace: bool = False,
    ) -> Answers:
        raise NotImplementedError

    @property
    def checks(self) -> bool:
        """Whether the strategy asks the task's checker about every answer."""
        return False


class SampledSpec(Spec):
    """Fields shared by the strategies that run several trajectories per puzzle."""

    samples: int = Field(DEFAULT_SAMPLES, ge=1, le=MAX_SAMPLES, description="trajectories per puzzle (K)")
    select: str = Field(DEFAULT_SELECT, description="selection rule: checker, confidence or vote")
    seed: int = Field(0, ge=0, description="seed of the noise, for reproducible answers")
    max_batch: int = Field(MAX_BATCH, ge=1, description="rows (puzzles × samples) refined at once")

    @field_validator("select")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in SELECTIONS:
            raise ValueError(f"{value!r} is not a selection rule; known: {', '.join(SELECTIONS.names())}")
        return value


class SampledStrategy(Strategy):
    """K trajectories per puzzle that differ by a ``Perturbation``; a selection rule keeps one. Sample 0 is
    never perturbed: it is the greedy trajectory."""

    def __init__(self, *, samples: int, select: str, seed: int, max_batch: int) -> None:
        self.samples = samples
        self.selection = SELECTIONS.get(select)()
        self.seed = seed
        self.max_batch = max_batch

    @property
    def checks(self) -> bool:
        return self.selection.checks

    def perturbation(self, refiner: RecursiveRefiner) -> Perturbation:
        raise NotImplementedError

    def run(self, refiner, inputs, puzzle_ids, *, halting, acceptor=None, keep_logits=False, trace=False) -> Answers:
        if trace:
            raise ConfigError("a trace follows one trajectory; it needs strategy=greedy")
        trajectories = run_trajectories(
            refiner,
            inputs,
            puzzle_ids,
            samples=self.samples,
            halting=halting,
            perturbation=self.perturbation(refiner),
            settled=self.selection.settled,
            acceptor=acceptor if self.selection.checks else None,
            keep_logits=keep_logits,
            seed=self.seed,
            max_batch=self.max_batch,
        )
        kept = self.selection.choose(trajectories)
        rows = torch.arange(len(kept), device=kept.device)
        prediction = Prediction(
            tokens=trajectories.tokens[rows, kept],
            steps=trajectories.steps[rows, kept],
            confidence=trajectories.confidence[rows, kept],
            q_halt=trajectories.q_halt[rows, kept],
            logits=trajectories.logits[rows, kept] if trajectories.logits is not None else None,
        )
        return Answers(
            prediction=prediction,
            kept=kept,
            samples=self.samples,
            sample_steps=trajectories.steps.sum(dim=1),
            trajectories=trajectories,
        )
