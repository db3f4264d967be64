"""Loss terms by name: the deep-supervision loss and the auxiliary terms a recipe adds beside it.

A recipe lists its terms under ``training.losses`` (default ``[{kind: act}]``: the ACT loss alone). The first
term is the main one: it scores the answer, so its predictions and metrics are what training reports; each
other term adds ``weight × its loss``. A term is an ``nn.Module`` registered in ``LOSS_TERMS`` with a nested
``Spec``; ``from_spec`` builds it from its spec, the run's task and the resolved model config, and it is called
with one supervision step's new carry and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from torch import nn

from recurse.errors import ConfigError
from recurse.registry import Registry
from recurse.spec import Spec

if TYPE_CHECKING:
    from recurse.config import ModelConfig
    from recurse.model.carry import Carry, StepOutputs
    from recurse.tasks import Task

LOSS_TERMS: Registry = Registry("loss term")


@dataclass
class TermOutput:
    loss: torch.Tensor  # summed over samples; the trainer divides by the global batch size
    metrics: dict[str, torch.Tensor] = field(default_factory=dict)  # sums over samples, detached
    predictions: torch.Tensor | None = None  # [B, L] argmax tokens: main terms only


class LossTerm(nn.Module):
    """One term of the training loss. A ``main`` term scores the answer; only the first term may be one."""

    main: ClassVar[bool] = False

    @classmethod
    def from_spec(cls, spec: Any, *, task: Task | None, model_config: ModelConfig) -> LossTerm:
        raise NotImplementedError

    def forward(self, carry: Carry, outputs: StepOutputs) -> TermOutput:
        raise NotImplementedError


def check_loss_specs(specs: list[Spec]) -> None:
    """One line for a list of terms training cannot use: the first must score the answer, and only it."""
    if not specs:
        raise ValueError("training.losses is empty; it starts with the main term, e.g. [{kind: act}]")
    mains = [LOSS_TERMS.get(spec.kind).main for spec in specs]
    if not mains[0]:
        raise ValueError(
            f"training.losses starts with {specs[0].kind!r}, which does not score the answer; "
            "put a main term such as {kind: act} first"
        )
    if any(mains[1:]):
        raise ValueError("training.losses has more than one main term; keep one, first")


def build_loss_terms(specs: list[Spec], *, task: Task | None, model_config: ModelConfig) -> list[LossTerm]:
    """The terms ``specs`` name, in order."""
    check_loss_specs(list(specs))
    terms = []
    for spec in specs:
        term = LOSS_TERMS.get(spec.kind).from_spec(spec, task=task, model_config=model_config)
        if not isinstance(term, LossTerm):
            raise ConfigError(f"loss term {spec.kind!r} did not build a LossTerm")
        terms.append(term)
    return terms
