"""Deep supervision across batches: a carry of per-slot state that outlives a single batch.

Every batch slot holds a sample until it halts. On each call, halted slots are reset to the initial state
and take the new batch's sample at that index; the others keep refining their old sample (and the new
batch's sample at that index is dropped). One optimiser step follows each call.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from recurse.halting import HaltingPolicy
from recurse.model.refiner import RecursiveRefiner
from recurse.schedules import State

Batch = dict[str, torch.Tensor]  # inputs [B, L], labels [B, L], puzzle_identifiers [B]


@dataclass
class Carry:
    state: State
    steps: torch.Tensor  # int32 [B]: supervision steps taken by the current sample
    halted: torch.Tensor  # bool [B]
    batch: Batch  # the sample each slot is working on


@dataclass
class StepOutputs:
    logits: torch.Tensor
    q_halt: torch.Tensor
    q_continue: torch.Tensor
    target_q_continue: torch.Tensor | None = None
    candidate_logits: torch.Tensor | None = None


class DeepSupervision(nn.Module):
    """Wraps a refiner and a halting policy into the carry-passing step that training and evaluation call."""

    def __init__(self, refiner: RecursiveRefiner, halting: HaltingPolicy) -> None:
        super().__init__()
        self.refiner = refiner
        self.halting = halting

    def initial_carry(self, batch: Batch) -> Carry:
        inputs = batch["inputs"]
        size, seq_len = inputs.shape
        device = inputs.device
        state = tuple(s.to(device) for s in self.refiner.initial_state(size, seq_len))
        return Carry(
            state=state,
            steps=torch.zeros(size, dtype=torch.int32, device=device),
            halted=torch.ones(size, dtype=torch.bool, device=device),  # every slot takes a fresh sample
            batch={k: torch.empty_like(v) for k, v in batch.items()},
        )

    def forward(self, carry: Carry, batch: Batch) -> tuple[Carry, StepOutputs]:
        halted = carry.halted
        state = self.refiner.schedule.reset(carry.state, halted)
        steps = torch.where(halted, torch.zeros_like(carry.steps), carry.steps)
        current = {k: torch.where(halted.view(-1, *([1] * (v.dim() - 1))), batch[k], v) for k, v in carry.batch.items()}

        out = self.refiner(state, current["inputs"], current.get("puzzle_identifiers"))
        outputs = StepOutputs(
            logits=out.logits, q_halt=out.q_halt, q_continue=out.q_continue, candidate_logits=out.candidate_logits
        )
        with torch.no_grad():
            steps = steps + 1
            halted = self.halting.halted(
                steps=steps, q_halt=out.q_halt, q_continue=out.q_continue, training=self.training
            )
            if self.training and self.halting.bootstraps:
                # Q-learning target: the Q values of the next step, from a throw-away no-gradient forward.
                nxt = self.refiner(out.state, current["inputs"], current.get("puzzle_identifiers"))
                outputs.target_q_continue = self.halting.continue_target(steps, nxt.q_halt, nxt.q_continue)
        return Carry(state=out.state, steps=steps, halted=halted, batch=current), outputs
