"""Throughput and memory of a recipe's model on this machine: training step, fixed and adaptive evaluation,
with an analytic FLOP count, the same-dtype matmul peak for reference and the time of the step's own
matmuls replayed alone (``matmuls``)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from recurse.bench.matmuls import MatmulRecorder
from recurse.bench.timing import best_seconds, synchronize
from recurse.config import RunConfig
from recurse.halting import FixedSteps
from recurse.halting.inference import HaltingSettings
from recurse.inference.refinement import refine
from recurse.inference.strategies.settings import strategy_spec
from recurse.inference.trajectories import batch_acceptor
from recurse.optim import AdamATan2
from recurse.spec import Spec
from recurse.training.runtime import apply_threads
from recurse.training.setup import set_up_run


def matmul_peak_gflops(dtype: torch.dtype, device: torch.device, size: int = 2048, repeats: int = 10) -> float:
    """Best-of-``repeats`` throughput of one large square matmul."""
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    # Two warm-up calls pick and cache the kernel (and, on AMX, ask for its tiles).
    return 2 * size**3 / best_seconds(lambda: torch.mm(a, b), device, repeats, warmup=2) / 1e9


try:
    import resource  # Unix only: the memory figures are left out where it is missing
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


def _peak_rss_mb() -> float | None:
    """The process's peak resident set size, or None where the system does not report it."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, kilobytes elsewhere


def _rss_mb() -> float | None:
    """The resident set size now (Linux), to separate the step's memory from the libraries' own."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, AttributeError):
        return None


TRAIN_PHASES = ("forward", "backward", "optimizer")


class PhaseClock:
    """Wall time of a training step's phases, summed over the steps it sees.

    ``start()`` opens a step, ``mark(phase)`` closes the phase that just ran; the device is synchronised at
    each mark, so a GPU's queued kernels are charged to the phase that launched them.
    """

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.seconds = dict.fromkeys(TRAIN_PHASES, 0.0)
        self._last = 0.0

    def start(self) -> None:
        synchronize(self.device)
        self._last = time.perf_counter()

    def mark(self, phase: str) -> None:
        synchronize(self.device)
        now = time.perf_counter()
        self.seconds[phase] += now - self._last
        self._last = now

    def milliseconds_per_step(self, steps: int) -> dict[str, float]:
        return {phase: round(1000 * total / steps, 2) for phase, total in self.seconds.items()}


def saved_activation_bytes(step, exclude: Sequence[torch.Tensor]) -> int:
    """Bytes of the distinct storages autograd keeps for backward while ``step()`` runs (the weights in
    ``exclude`` not counted): the activation memory a training step needs."""
    skip = {t.untyped_storage().data_ptr() for t in exclude}
    sizes: dict[int, int] = {}

    @torch.compiler.disable  # bookkeeping, not part of a compiled recursion's graph
    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in skip:
            sizes[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        step()
    return sum(sizes.values())


def benchmark(
    config: RunConfig,
    *,
    batch_size: int = 32,
    steps: int = 5,
    eval_steps: int = 16,
    halting: HaltingSettings | None = None,
    strategy: Spec | None = None,
    warmup: int = 2,
) -> dict[str, Any]:
    """Measure ``config``'s model, built as ``recurse train`` builds it but with shapes from the task (no data).

    ``halting`` is the adaptive policy measured beside ``eval_steps`` fixed steps (default: the solver's);
    ``config.init_from`` loads trained weights, for a realistic adaptive figure. ``strategy`` (a validated
    strategy spec, default greedy) answers the adaptive batch; the checker sees the random inputs as puzzles.
    """
    strategy = strategy_spec(strategy)
    apply_threads(config.runtime)  # as recurse train applies runtime.threads
    run = set_up_run(config, data=False)
    device, task, model_config = run.device, run.known_task, run.model_config
    model, refiner = run.training_step, run.refiner
    adaptive = (halting or HaltingSettings()).build(purpose="solve", model_max_steps=eval_steps)
    optimizer = AdamATan2(refiner.parameters(), lr=1e-4, weight_decay=0.1)
    g = torch.Generator().manual_seed(0)
    batch = {
        "inputs": torch.randint(1, task.vocab_size, (batch_size, task.seq_len), generator=g).to(device),
        "labels": torch.randint(1, task.vocab_size, (batch_size, task.seq_len), generator=g).to(device),
        "puzzle_identifiers": torch.zeros(batch_size, dtype=torch.long, device=device),
    }
    carry = model.initial_carry(batch)

    def train_step(carry, clock: PhaseClock | None = None):
        if clock is not None:
            clock.start()
        out = model(carry, batch)  # the supervision step and its loss
        loss = out.loss / batch_size
        if clock is not None:
            clock.mark("forward")
        loss.backward()
        if clock is not None:
            clock.mark("backward")
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if clock is not None:
            clock.mark("optimizer")
        return out.carry

    model.train()
    rss_before = _rss_mb()
    with FlopCounterMode(display=False) as counter, MatmulRecorder() as train_matmuls:
        carry = train_step(carry)
    train_flops = counter.get_total_flops()
    parameters = list(refiner.parameters())
    holder = {"carry": carry}

    def one_step() -> None:
        holder["carry"] = train_step(holder["carry"])

    activations = saved_activation_bytes(one_step, parameters)
    carry = holder["carry"]
    # Parameters, their gradients and AdamATan2's two moments, all fp32.
    state_bytes = 4 * sum(p.numel() * p.element_size() for p in parameters)
    for _ in range(warmup):
        carry = train_step(carry)
    clock = PhaseClock(device)
    synchronize(device)
    start = time.perf_counter()
    for _ in range(steps):
        carry = train_step(carry, clock)
    synchronize(device)
    train_time = (time.perf_counter() - start) / steps

    refiner.eval()
    fixed = FixedSteps(max_steps=eval_steps)
    with FlopCounterMode(display=False) as counter, MatmulRecorder() as eval_matmuls:
        refine(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=fixed)
    eval_flops = counter.get_total_flops()
    synchronize(device)
    start = time.perf_counter()
    refine(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=fixed)
    synchronize(device)
    eval_time = time.perf_counter() - start
    start = time.perf_counter()
    answers = strategy.build().run(
        refiner,
        batch["inputs"],
        batch["puzzle_identifiers"],
        halting=adaptive,
        acceptor=batch_acceptor(task, batch["inputs"].cpu().numpy()),
    )
    prediction = answers.prediction
    synchronize(device)
    adaptive_time = time.perf_counter() - start

    peak = matmul_peak_gflops(model_config.dtype, device)
    train_matmul_time, eval_matmul_time = train_matmuls.replay_seconds(), eval_matmuls.replay_seconds()
    train_gflops = train_flops / train_time / 1e9
    eval_gflops = eval_flops / eval_time / 1e9
    return {
        "recipe": config.recipe,
        "device": str(device),
        "dtype": model_config.forward_dtype,
        "threads": torch.get_num_threads(),
        "batch": batch_size,
        "compile": config.runtime.compile,
        "train_samples_per_s": round(batch_size / train_time, 2),
        "train_step_ms": clock.milliseconds_per_step(steps),
        "eval_puzzles_per_s": round(batch_size / eval_time, 2),
        "eval_puzzles_per_s_adaptive": round(batch_size / adaptive_time, 2),
        "adaptive_mean_steps": round(float(prediction.steps.float().mean()), 2),
        "adaptive_halting": adaptive.registry_name,
        "strategy": strategy.model_dump(mode="json"),
        "adaptive_mean_sample_steps": round(float(answers.sample_steps.float().mean()), 2),
        "peak_rss_mb": round(peak_rss, 1) if (peak_rss := _peak_rss_mb()) is not None else None,
        "rss_before_training_mb": round(rss_before, 1) if rss_before is not None else None,
        "saved_activations_mb": round(activations / 2**20, 1),
        "weights_grads_optimizer_mb": round(state_bytes / 2**20, 1),
        "train_gflop_per_step": round(train_flops / 1e9, 2),
        "achieved_gflops": round(train_gflops, 2),
        "eval_achieved_gflops": round(eval_gflops, 2),
        "matmul_peak_gflops": round(peak, 2),
        "train_peak_ratio": round(train_gflops / peak, 3),
        "eval_peak_ratio": round(eval_gflops / peak, 3),
        # The step's matmuls alone: their share of the step, and the peak ratio with everything else free.
        "train_matmul_ms": round(1000 * train_matmul_time, 2),
        "train_matmul_share": round(train_matmul_time / train_time, 3),
        "train_matmul_peak_ratio": round(train_flops / train_matmul_time / 1e9 / peak, 3),
        "eval_matmul_share": round(eval_matmul_time / eval_time, 3),
        "eval_matmul_peak_ratio": round(eval_flops / eval_matmul_time / 1e9 / peak, 3),
    }
