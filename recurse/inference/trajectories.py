"""Running several trajectories per puzzle as one batch: puzzles × samples, with the compaction of adaptive
halting. A trajectory leaves the batch when the halting policy stops it; a whole puzzle leaves as soon as
its selection rule is settled (a checker-valid answer for ``checker``, a confident trajectory for
``confidence``), so easy puzzles cost little. Puzzles are taken in chunks of at most ``max_batch`` rows,
which bounds memory whatever the number of samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from recurse.halting import HaltingPolicy
from recurse.model.refiner import RecursiveRefiner
from recurse.tasks import Task

# (puzzle index [R], answer tokens [R, L]) → checker verdicts [R] (bool), for the rows still running.
Acceptor = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
# (step, puzzle index [R], sample number [R], answer tokens [R, L], confidence [R], verdicts [R] or None)
Observer = Callable[[int, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, "torch.Tensor | None"], None]


@dataclass
class Trajectories:
    """Every trajectory of every puzzle, at the step where it stopped. Shapes: N puzzles × K samples."""

    tokens: torch.Tensor  # [N, K, L] argmax tokens
    steps: torch.Tensor  # [N, K] supervision steps run
    confidence: torch.Tensor  # [N, K] sigmoid(q_halt)
    q_halt: torch.Tensor  # [N, K]
    halted_early: torch.Tensor  # [N, K] bool: the policy stopped it before the step limit
    valid: torch.Tensor | None  # [N, K] bool checker verdicts (None without an acceptor)
    logits: torch.Tensor | None  # [N, K, L, V] (with keep_logits)

    @property
    def samples(self) -> int:
        return self.tokens.shape[1]


class Perturbation:
    """How trajectories of one puzzle differ. Row ``r`` is sample ``r % K`` of puzzle ``r // K``; sample 0
    is never perturbed, so it is the greedy trajectory and a rule that can check answers never does worse."""

    def initial_state(
        self, refiner: RecursiveRefiner, rows: int, length: int, perturbed: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, ...]:
        return refiner.initial_state(rows, length)

    def hooks(
        self, refiner: RecursiveRefiner, perturbed: Callable[[], torch.Tensor], generator: torch.Generator
    ) -> list:
        """Forward hooks to install for the run (noise inside a supervision step); removed afterwards."""
        return []

    def after_step(
        self,
        refiner: RecursiveRefiner,
        state: tuple[torch.Tensor, ...],
        perturbed: torch.Tensor,
        generator: torch.Generator,
    ) -> tuple[torch.Tensor, ...]:
        return state


def noise_like(tensor: torch.Tensor, scale: float, rows: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """``tensor`` plus Gaussian noise of standard deviation ``scale`` on the rows where ``rows`` is true."""
    noise = torch.randn(tensor.shape, generator=generator, device=tensor.device, dtype=torch.float32)
    noise = noise.to(tensor.dtype) * scale
    return tensor + noise * rows.view(-1, *([1] * (tensor.dim() - 1))).to(tensor.dtype)


@torch.inference_mode()
def run_trajectories(
    refiner: RecursiveRefiner,
    inputs: torch.Tensor,
    puzzle_ids: torch.Tensor | None,
    *,
    samples: int,
    halting: HaltingPolicy,
    perturbation: Perturbation,
    settled: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    acceptor: Acceptor | None = None,
    keep_logits: bool = False,
    seed: int = 0,
    max_batch: int = 1024,
    observer: Observer | None = None,
) -> Trajectories:
    """``samples`` trajectories for each of the N puzzles in ``inputs`` [N, L].

    ``settled(valid [n, K], halted_early [n, K]) → [n]`` says which puzzles may stop at once (their other
    trajectories leave with them); ``acceptor`` checks every new answer. Noise comes from one
    ``torch.Generator`` seeded with ``seed``: the same puzzles, options and seed give the same result.
    ``observer`` sees every step of every running trajectory (for measurements over depth)."""
    count, length = inputs.shape
    device = inputs.device
    generator = torch.Generator(device=device).manual_seed(int(seed))
    result = _empty(count, samples, length, device, with_valid=acceptor is not None)
    per_chunk = max(1, max_batch // samples)
    for start in range(0, count, per_chunk):
        stop = min(count, start + per_chunk)
        ids = puzzle_ids[start:stop] if puzzle_ids is not None else None
        _run_chunk(
            refiner,
            inputs[start:stop],
            ids,
            result,
            start,
            samples=samples,
            halting=halting,
            perturbation=perturbation,
            settled=settled,
            acceptor=acceptor,
            keep_logits=keep_logits,
            generator=generator,
            observer=observer,
        )
    return result


def _empty(count: int, samples: int, length: int, device: torch.device, *, with_valid: bool) -> Trajectories:
    return Trajectories(
        tokens=torch.zeros(count, samples, length, dtype=torch.long, device=device),
        steps=torch.zeros(count, samples, dtype=torch.int32, device=device),
        confidence=torch.zeros(count, samples, dtype=torch.float32, device=device),
        q_halt=torch.zeros(count, samples, dtype=torch.float32, device=device),
        halted_early=torch.zeros(count, samples, dtype=torch.bool, device=device),
        valid=torch.zeros(count, samples, dtype=torch.bool, device=device) if with_valid else None,
        logits=None,
    )


def _run_chunk(
    refiner,
    inputs,
    puzzle_ids,
    result: Trajectories,
    offset: int,
    *,
    samples,
    halting,
    perturbation,
    settled,
    acceptor,
    keep_logits,
    generator,
    observer=None,
) -> None:
    count, length = inputs.shape
    rows = count * samples
    device = inputs.device
    puzzle = torch.arange(count, device=device).repeat_interleave(samples)  # row → puzzle within the chunk
    sample = torch.arange(samples, device=device).repeat(count)  # row → sample number
    row_inputs = inputs.repeat_interleave(samples, dim=0)
    row_ids = puzzle_ids.repeat_interleave(samples, dim=0) if puzzle_ids is not None else None
    # Flat views of this chunk's slice of the result: row r is result[offset + r // K, r % K].
    tokens = result.tokens[offset : offset + count].view(rows, length)
    steps = result.steps[offset : offset + count].view(rows)
    confidence = result.confidence[offset : offset + count].view(rows)
    q_halt = result.q_halt[offset : offset + count].view(rows)
    early = result.halted_early[offset : offset + count].view(rows)
    valid = result.valid[offset : offset + count].view(rows) if result.valid is not None else None
    logits = None

    active = torch.arange(rows, device=device)
    current = {"active": active}
    hooks = perturbation.hooks(refiner, lambda: sample[current["active"]] > 0, generator)
    try:
        state = tuple(s.to(device) for s in perturbation.initial_state(refiner, rows, length, sample > 0, generator))
        for step in range(1, halting.max_steps + 1):
            ids = row_ids[active] if row_ids is not None else None
            out = refiner(state, row_inputs[active], ids)
            answer = out.logits.argmax(-1)
            tokens[active] = answer
            steps[active] = step
            confidence[active] = torch.sigmoid(out.q_halt)
            q_halt[active] = out.q_halt.float()
            if keep_logits:
                if logits is None:
                    if result.logits is None:
                        result.logits = torch.zeros(
                            *result.tokens.shape, out.logits.shape[-1], dtype=out.logits.dtype, device=device
                        )
                    logits = result.logits[offset : offset + count].view(rows, length, -1)
                logits[active] = out.logits
            halted = halting.halted(steps=steps[active], q_halt=out.q_halt, q_continue=out.q_continue, training=False)
            early[active] = halted & (steps[active] < halting.max_steps)
            if valid is not None:
                valid[active] = acceptor(puzzle[active] + offset, answer)
            if observer is not None:
                observer(
                    step,
                    puzzle[active] + offset,
                    sample[active],
                    answer,
                    confidence[active],
                    valid[active] if valid is not None else None,
                )
            if settled is not None:
                by_puzzle = settled(
                    valid.view(count, samples)
                    if valid is not None
                    else early.view(count, samples).new_zeros(count, samples),
                    early.view(count, samples),
                )
                if by_puzzle is not None:
                    halted = halted | by_puzzle[puzzle[active]]
            if halted.all():
                break
            keep = ~halted
            if halted.any():
                active, state = active[keep], tuple(s[keep] for s in out.state)
            else:
                state = out.state
            current["active"] = active
            state = perturbation.after_step(refiner, state, sample[active] > 0, generator)
    finally:
        for hook in hooks:
            hook.remove()


def batch_acceptor(task: Task, inputs: np.ndarray) -> Acceptor:
    """The checker over a batch's answers, for the strategies whose selection rule asks it: (puzzle rows,
    answer tokens) → verdicts."""

    def accept(puzzles: torch.Tensor, answers: torch.Tensor) -> torch.Tensor:
        rows = answers.cpu().numpy()
        verdicts = [task.accepts(inputs[p], a) for p, a in zip(puzzles.tolist(), rows)]
        return torch.tensor(verdicts, dtype=torch.bool, device=answers.device)

    return accept
