"""The deep-supervision loss: answer loss plus the halting heads' losses, with TRM's normalisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import torch
import torch.nn.functional as F

from recurse.losses.cross_entropy import IGNORE_INDEX, LOG_PROBS, LOSSES
from recurse.losses.nearest_answer import nearest_answers
from recurse.losses.registry import LOSS_TERMS, LossTerm, TermOutput
from recurse.spec import Spec

if TYPE_CHECKING:
    from recurse.model.carry import Carry, StepOutputs


@dataclass
class ACTLossOutput(TermOutput):
    loss: torch.Tensor  # summed over samples; divide by the global batch size before backward
    metrics: dict[str, torch.Tensor]  # sums over the samples that halted at this step
    predictions: torch.Tensor  # [B, L] argmax tokens


@LOSS_TERMS.register("act")
class ACTLoss(LossTerm):
    """``lm + 0.5·(q_halt + q_continue)``, where

    - lm: for each sample, the mean token loss over its labelled tokens; summed over samples;
    - q_halt: BCE of q_halt against "the whole answer is right", summed;
    - q_continue: BCE of q_continue against the bootstrapped target, when the policy provides one.

    A head on the outputs of one deep-supervision step: it owns no model, so it is called with the step's
    new carry (its samples, steps and halted flags) and outputs.
    """

    main = True

    class Spec(Spec):
        kind: Literal["act"] = "act"

    @classmethod
    def from_spec(cls, spec, *, task, model_config) -> ACTLoss:
        return cls(model_config.loss)  # the token loss is the model's (evaluation reports it too)

    def __init__(self, loss: str = "stablemax") -> None:
        super().__init__()
        self.loss_name = loss
        self.token_loss = LOSSES[loss]

    def forward(self, carry: Carry, outputs: StepOutputs) -> ACTLossOutput:
        labels = carry.batch["labels"]
        logits = outputs.logits

        with torch.no_grad():
            if "answers" in carry.batch:
                # Several valid answers: the target is the listed answer nearest to this prediction, so
                # "exact" below (and the halting head's target) reads "the checker accepts it".
                labels = nearest_answers(LOG_PROBS[self.loss_name](logits), carry.batch["answers"])
            predictions = logits.argmax(-1)
            mask = labels != IGNORE_INDEX
            counts = mask.sum(-1)
            correct = mask & (predictions == labels)
            exact = correct.sum(-1) == counts
            counted = carry.halted & (counts > 0)  # metrics speak of finished samples only
            divisor = counts.clamp_min(1)
            metrics = {
                "count": counted.sum(),
                "accuracy": torch.where(counted, correct.sum(-1) / divisor, 0).sum(),
                "exact_accuracy": (counted & exact).sum(),
                "q_halt_accuracy": (counted & ((outputs.q_halt >= 0) == exact)).sum(),
                "steps": torch.where(counted, carry.steps, 0).sum(),
            }

        lm_loss = (self.token_loss(logits, labels) / divisor.unsqueeze(-1)).sum()
        q_halt_loss = F.binary_cross_entropy_with_logits(
            outputs.q_halt, exact.to(outputs.q_halt.dtype), reduction="sum"
        )
        loss = lm_loss + 0.5 * q_halt_loss
        metrics["lm_loss"] = lm_loss.detach()
        metrics["q_halt_loss"] = q_halt_loss.detach()
        if outputs.target_q_continue is not None:
            q_continue_loss = F.binary_cross_entropy_with_logits(
                outputs.q_continue, outputs.target_q_continue, reduction="sum"
            )
            loss = loss + 0.5 * q_continue_loss
            metrics["q_continue_loss"] = q_continue_loss.detach()
        return ACTLossOutput(loss=loss, metrics=metrics, predictions=predictions)
