"""``greedy``: one deterministic trajectory per puzzle, the refinement every TRM implementation runs (the
default). It is ``recurse.inference.refinement.refine`` itself, so its answers are those of every release
before strategies existed."""

from __future__ import annotations

from typing import Literal

import torch

from recurse.inference.refinement import refine
from recurse.inference.strategies import STRATEGIES
from recurse.inference.strategies.base import Answers, Strategy
from recurse.spec import Spec


@STRATEGIES.register("greedy")
class Greedy(Strategy):
    class Spec(Spec):
        kind: Literal["greedy"] = "greedy"

        def build(self) -> Greedy:
            return Greedy()

    def run(self, refiner, inputs, puzzle_ids, *, halting, acceptor=None, keep_logits=False, trace=False) -> Answers:
        prediction = refine(refiner, inputs, puzzle_ids, halting=halting, trace=trace, keep_logits=keep_logits)
        zeros = torch.zeros(inputs.shape[0], dtype=torch.long, device=inputs.device)
        return Answers(prediction=prediction, kept=zeros, samples=1, sample_steps=prediction.steps.long())
