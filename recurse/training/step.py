"""One training step of deep supervision: the carry step of the refiner, then the loss head on its outputs.

The step owns its parts side by side: ``supervision`` (the refiner with its halting policy) and
``loss_head`` (the ACT loss, which holds no model), so the refiner is ``step.refiner``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from recurse.config import ModelConfig
from recurse.losses import ACTLoss
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

    def __init__(self, supervision: DeepSupervision, loss_head: ACTLoss) -> None:
        super().__init__()
        self.supervision = supervision
        self.loss_head = loss_head

    @property
    def refiner(self) -> RecursiveRefiner:
        return self.supervision.refiner

    def initial_carry(self, batch: Batch) -> Carry:
        return self.supervision.initial_carry(batch)

    def forward(self, carry: Carry, batch: Batch) -> TrainingStepOutput:
        carry, outputs = self.supervision(carry, batch)
        scored = self.loss_head(carry, outputs)
        return TrainingStepOutput(
            carry=carry, loss=scored.loss, metrics=scored.metrics, outputs=outputs, predictions=scored.predictions
        )


def build_training_model(config: ModelConfig) -> TrainingStep:
    """The refiner with its halting policy and the config's loss head: what the trainer steps."""
    return TrainingStep(build_model(config), ACTLoss(config.loss))
