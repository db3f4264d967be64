"""Candidate-set supervision: besides the answer, teach the values each answer position can still take.

For every blank answer position, the target is the set of values the task's own propagation leaves there
from the givens (``Task.candidates``): a binary cross-entropy per value on the model's candidate head
(``model.candidate_head: true``). Without ``rounds_per_step`` every supervision step learns the fixed point of
the propagation. With ``rounds_per_step: k``, supervision step s is held to what ``k·s`` rounds deduce: the
values those rounds rule out must be ruled out, the values the fixed point keeps must be kept, and the values
only later rounds rule out are left to the model (no loss), so the steps follow the solver's deduction
without being penalised for getting ahead of it. Targets are computed from each sample's own (augmented) givens, so they
transform with the augmentation by construction.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import Field

from recurse.errors import ConfigError
from recurse.losses.cross_entropy import IGNORE_INDEX
from recurse.losses.registry import LOSS_TERMS, LossTerm, TermOutput
from recurse.spec import Spec


@LOSS_TERMS.register("candidates")
class CandidateSetLoss(LossTerm):
    class Spec(Spec):
        kind: Literal["candidates"] = "candidates"
        weight: float = Field(1.0, gt=0, le=1000, description="the term's weight beside the main loss")
        rounds_per_step: int | None = Field(
            None,
            ge=1,
            le=1000,
            description="rounds of propagation per supervision step (default: the fixed point at every step)",
        )

    def __init__(self, task, *, weight: float = 1.0, rounds_per_step: int | None = None) -> None:
        super().__init__()
        self.task = task
        self.weight = weight
        self.rounds_per_step = rounds_per_step
        values = len(task.alphabet)
        # Value v is token v + 1 (Task.encode); the blank is never a candidate of a blank position.
        columns = [v for v in range(values) if v != task.blank]
        self.value_tokens = torch.tensor([v + 1 for v in columns])
        self.value_columns = torch.tensor(columns)
        self.blank_token = None if task.blank is None else task.blank + 1

    @classmethod
    def from_spec(cls, spec, *, task, model_config) -> CandidateSetLoss:
        if task is None or not task.has_candidates():
            name = "this task" if task is None else f"the {task.name} task"
            raise ConfigError(
                f"the candidates loss term needs a task with candidate sets, and {name} has none; "
                "drop the term or give the task a candidates() method (docs/tasks.md)"
            )
        if not model_config.candidate_head:
            raise ConfigError("the candidates loss term reads the candidate head; set model.candidate_head: true")
        return cls(task, weight=spec.weight, rounds_per_step=spec.rounds_per_step)

    def targets(self, inputs: torch.Tensor, steps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """bool [B, L, values] twice: the fixed point's candidates (to keep), and the candidates still left
        after the rounds each sample's supervision step allows (the rest must be ruled out)."""
        tokens = inputs.cpu().numpy()
        puzzles = np.stack([self.task.decode(row) for row in tokens])
        final = self.task.batch_candidates(puzzles)
        if self.rounds_per_step is None:
            return torch.from_numpy(final), torch.from_numpy(final)
        rounds = steps.cpu().numpy().astype(np.int64) * self.rounds_per_step
        reached = self.task.batch_candidates(puzzles, rounds=rounds)
        return torch.from_numpy(final), torch.from_numpy(reached)

    def forward(self, carry, outputs) -> TermOutput:
        logits = outputs.candidate_logits
        inputs, labels = carry.batch["inputs"], carry.batch["labels"]
        with torch.no_grad():
            final, reached = (t.to(logits.device)[..., self.value_columns] for t in self.targets(inputs, carry.steps))
            target = final.float()
            decided = final | ~reached  # kept by the fixed point, or ruled out by the rounds so far
            mask = labels != IGNORE_INDEX
            if self.blank_token is not None:
                mask &= inputs == self.blank_token  # a given's only candidate is itself: nothing to learn
            counts = mask.sum(-1).clamp_min(1)
        chosen = logits.float().index_select(-1, self.value_tokens.to(logits.device))
        per_value = F.binary_cross_entropy_with_logits(chosen, target, reduction="none")
        per_position = (per_value * decided).sum(-1) * mask
        loss = (per_position.sum(-1) / counts).sum()
        with torch.no_grad():
            right = (((chosen >= 0) == final) | ~decided).all(-1) & mask
            metrics = {"candidate_loss": loss.detach(), "candidate_accuracy": (right.sum(-1) / counts).sum()}
        return TermOutput(loss=self.weight * loss, metrics=metrics)
