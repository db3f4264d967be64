"""Training against the rules themselves: a differentiable relaxation of the task's checker.

Where a task can say how likely its rules are broken under the model's per-position distribution
(``Task.relaxed_violations``: for 3-SAT, the chance that each clause has no true literal when every
variable is drawn from its predicted distribution; for colouring, the chance that an edge joins two
vertices of one colour), this term adds ``weight × Σ −log(1 − P(rule broken))`` for every supervision
step. It needs no answer at all, so it rewards every valid answer equally, and it tells the network which
rule its current answer breaks, beside the main loss that pulls it towards one listed answer.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from recurse.errors import ConfigError
from recurse.losses.registry import LOSS_TERMS, LossTerm, TermOutput
from recurse.spec import Spec

# P(broken) is clamped below 1 so that a rule the model is sure to break costs a finite −log(1e-6) ≈ 13.8.
MAX_BROKEN = 1.0 - 1e-6


@LOSS_TERMS.register("relaxed_checker")
class RelaxedCheckerLoss(LossTerm):
    class Spec(Spec):
        kind: Literal["relaxed_checker"] = "relaxed_checker"
        weight: float = Field(1.0, gt=0, le=1000, description="the term's weight beside the main loss")

    def __init__(self, task, *, weight: float = 1.0) -> None:
        super().__init__()
        self.task = task
        self.weight = weight

    @classmethod
    def from_spec(cls, spec, *, task, model_config) -> RelaxedCheckerLoss:
        if task is None or not task.has_relaxed_violations():
            name = "this task" if task is None else f"the {task.name} task"
            raise ConfigError(
                f"the relaxed_checker loss term needs a task with relaxed_violations(), and {name} has none; "
                "drop the term or give the task that method (docs/tasks.md)"
            )
        return cls(task, weight=spec.weight)

    def forward(self, carry, outputs) -> TermOutput:
        probs = torch.softmax(outputs.logits.float(), dim=-1)
        broken = self.task.relaxed_violations(carry.batch["inputs"].long(), probs)  # [B, rules]
        per_sample = -torch.log1p(-broken.clamp(0.0, MAX_BROKEN)).sum(-1)
        loss = per_sample.sum()
        with torch.no_grad():
            metrics = {"relaxed_violations": broken.sum(-1).sum()}
        return TermOutput(loss=self.weight * loss, metrics={"relaxed_checker_loss": loss.detach(), **metrics})
