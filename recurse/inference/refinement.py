"""Refining a batch of puzzles to an answer, with adaptive halting and batch compaction.

Samples that halt leave the batch, so an easy batch costs less than a hard one. A sample that runs to
the step limit sees exactly the computation of fixed-step evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from recurse.halting import HaltingPolicy
from recurse.model.refiner import RecursiveRefiner


@dataclass
class Prediction:
    tokens: torch.Tensor  # [B, L] argmax tokens at each sample's last step
    steps: torch.Tensor  # [B] supervision steps used
    confidence: torch.Tensor  # [B] sigmoid(q_halt) at the last step
    trace: list[torch.Tensor] = field(default_factory=list)  # per step: [B, L] tokens (if asked for)
    # per step, with the trace: [B, L] the probability the network gives each position's argmax token
    trace_confidence: list[torch.Tensor] = field(default_factory=list)
    q_halt: torch.Tensor | None = None  # [B] the halting logit at the last step
    logits: torch.Tensor | None = None  # [B, L, V] answer logits at the last step (if asked for)


@torch.inference_mode()
def refine(
    refiner: RecursiveRefiner,
    inputs: torch.Tensor,
    puzzle_ids: torch.Tensor | None = None,
    *,
    halting: HaltingPolicy,
    trace: bool = False,
    keep_logits: bool = False,
) -> Prediction:
    """Run supervision steps until ``halting`` stops each sample (at most ``halting.max_steps``).

    ``keep_logits`` also returns each sample's logits at its last step (for the evaluation losses and the
    token distribution that guides a verified search)."""
    batch, length = inputs.shape
    device = inputs.device
    state = tuple(s.to(device) for s in refiner.initial_state(batch, length))
    tokens = torch.zeros(batch, length, dtype=torch.long, device=device)
    steps = torch.zeros(batch, dtype=torch.int32, device=device)
    confidence = torch.zeros(batch, dtype=torch.float32, device=device)
    q_halt = torch.zeros(batch, dtype=torch.float32, device=device)
    logits = None
    active = torch.arange(batch, device=device)
    history: list[torch.Tensor] = []
    certainty: list[torch.Tensor] = []
    token_confidence = torch.zeros(batch, length, dtype=torch.float32, device=device)
    for step in range(1, halting.max_steps + 1):
        ids = puzzle_ids[active] if puzzle_ids is not None else None
        out = refiner(state, inputs[active], ids)
        tokens[active] = out.logits.argmax(-1)
        steps[active] = step
        confidence[active] = torch.sigmoid(out.q_halt)
        q_halt[active] = out.q_halt.float()
        if keep_logits:
            if logits is None:
                logits = torch.zeros(batch, *out.logits.shape[1:], dtype=out.logits.dtype, device=device)
            logits[active] = out.logits
        if trace:
            token_confidence[active] = torch.softmax(out.logits.float(), dim=-1).amax(dim=-1)
            history.append(tokens.clone())
            certainty.append(token_confidence.clone())
        halted = halting.halted(steps=steps[active], q_halt=out.q_halt, q_continue=out.q_continue, training=False)
        if halted.all():
            break
        if halted.any():
            keep = ~halted
            active, state = active[keep], tuple(s[keep] for s in out.state)
        else:
            state = out.state
    return Prediction(
        tokens=tokens,
        steps=steps,
        confidence=confidence,
        trace=history,
        trace_confidence=certainty,
        q_halt=q_halt,
        logits=logits,
    )
