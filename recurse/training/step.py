"""One training step of deep supervision: the carry step of the refiner, then the loss head on its outputs.

The step owns its parts side by side: ``supervision`` (the refiner with its halting policy), ``loss_head``
(the main loss term, by default the ACT loss, which holds no model) and ``extra_terms`` (auxiliary terms
such as candidate-set supervision, added to it), so the refiner is ``step.refiner``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from recurse.config import ModelConfig
from recurse.losses import ACTLoss, LossTerm, build_loss_terms
from recurse.model.builder import build_model
from recurse.model.carry import Batch, Carry, DeepSupervision, StepOutputs
from recurse.model.refiner import RecursiveRefiner


@dataclass
class TrainingStepOutput:
    carry: Carry
    loss: torch.Tensor  # summed over samples; divide by the global batch size before backward
    metrics: dict[str, torch.Tensor]  # sums over the samples that halted at this step
    outputs: StepOutputs
    predictions: torch.Tensor  # [B, L] argmax tokens


class TrainingStep(nn.Module):
    """``supervision`` (refiner + halting) followed by ``loss_head``; called once per optimiser step."""

    def __init__(self, supervision: DeepSupervision, loss_head: LossTerm, extra_terms: Sequence[LossTerm] = ()) -> None:
        super().__init__()
        self.supervision = supervision
        self.loss_head = loss_head
        self.extra_terms = nn.ModuleList(extra_terms)

    @property
    def refiner(self) -> RecursiveRefiner:
        return self.supervision.refiner

    def initial_carry(self, batch: Batch) -> Carry:
        return self.supervision.initial_carry(batch)

    def forward(self, carry: Carry, batch: Batch) -> TrainingStepOutput:
        carry, outputs = self.supervision(carry, batch)
        scored = self.loss_head(carry, outputs)
        loss, metrics = scored.loss, scored.metrics
        for term in self.extra_terms:
            extra = term(carry, outputs)
            loss = loss + extra.loss
            metrics = {**metrics, **extra.metrics}
        return TrainingStepOutput(
            carry=carry, loss=loss, metrics=metrics, outputs=outputs, predictions=scored.predictions
        )


def build_training_model(config: ModelConfig, losses: list | None = None, task=None) -> TrainingStep:
    """The refiner with its halting policy and the loss terms ``losses`` names (default: the ACT loss with
    the config's token loss): what the trainer steps. ``task`` serves terms that read the puzzles."""
    if losses is None:
        return TrainingStep(build_model(config), ACTLoss(config.loss))
    main, *extra = build_loss_terms(losses, task=task, model_config=config)
    return TrainingStep(build_model(config), main, extra)
