"""Time (and optionally profile) training steps of a recipe's model on random puzzles.

Usage: python benchmarks/step_time.py RECIPE [--batch 64] [--threads 2] [--dtype float32] [--steps 4]
[--warmup 3] [--profile | --compare-compile] [KEY=VALUE ...]

The model, optimiser and EMA are built as ``recurse train`` builds them (``KEY=VALUE`` are recipe
overrides). Prints the time of each timed step; ``--profile`` then prints a ``torch.profiler`` table of
three more steps (self CPU time per op). ``--compare-compile`` builds the same model twice, eager and with
``runtime.compile=true``, and alternates their timed steps (eager, compiled, eager, ...) so that both see
the same machine load; it prints both medians, their ratio and the first losses of each.
Import order matters for the OpenMP wait policy: run with ``OMP_WAIT_POLICY=ACTIVE`` (or unset it by
importing torch first) to compare with spinning threads.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from recurse.openmp import prefer_passive_waiting

prefer_passive_waiting()  # before torch loads, as the command line does

import torch

from recurse.optim import AdamATan2
from recurse.recipe import load_recipe
from recurse.training.ema import EMA
from recurse.training.setup import set_up_run


def training_step(recipe: str, overrides: list[str], batch_size: int) -> tuple[Callable[[], float], str]:
    """One training step of ``recipe``'s model as a closure returning its loss, and the resolved dtype."""
    run = set_up_run(load_recipe(recipe, overrides), data=False)
    model, task = run.model, run.task
    optimizer = AdamATan2(run.refiner.parameters(), lr=1e-4, weight_decay=0.1)
    ema = EMA(run.refiner, 0.99)
    g = torch.Generator().manual_seed(0)
    batch = {
        "inputs": torch.randint(1, task.vocab_size, (batch_size, task.seq_len), generator=g),
        "labels": torch.randint(1, task.vocab_size, (batch_size, task.seq_len), generator=g),
        "puzzle_identifiers": torch.zeros(batch_size, dtype=torch.long),
    }
    holder = {"carry": model.initial_carry(batch)}
    model.train()

    def step() -> float:
        out = model(holder["carry"], batch)
        (out.loss / batch_size).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        ema.update()
        holder["carry"] = out.carry
        return float(out.loss.detach())

    return step, run.model_config.forward_dtype


def timed(step: Callable[[], float]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--compare-compile", action="store_true")
    args = parser.parse_intermixed_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    overrides = [f"model.forward_dtype={args.dtype}", *args.overrides]
    step, dtype = training_step(args.recipe, overrides, args.batch)
    what = f"{args.recipe} batch {args.batch} {dtype} threads {torch.get_num_threads()}"
    if args.compare_compile:
        compiled, _ = training_step(args.recipe, [*overrides, "runtime.compile=true"], args.batch)
        losses = {"eager": [step() for _ in range(args.warmup)], "compiled": [compiled() for _ in range(args.warmup)]}
        times: dict[str, list[float]] = {"eager": [], "compiled": []}
        for _ in range(args.steps):
            times["eager"].append(timed(step))
            times["compiled"].append(timed(compiled))
        eager_s, compiled_s = median(times["eager"]), median(times["compiled"])
        print(
            f"{what}, {args.steps} alternating steps: eager median {eager_s:.3f} s, compiled median "
            f"{compiled_s:.3f} s ({eager_s / compiled_s:.2f}x); first losses eager "
            + ", ".join(f"{v:.6f}" for v in losses["eager"])
            + ", compiled "
            + ", ".join(f"{v:.6f}" for v in losses["compiled"])
        )
        return
    for _ in range(args.warmup):
        step()
    times_s = [timed(step) for _ in range(args.steps)]
    print(f"{what}: step times (s) " + ", ".join(f"{t:.3f}" for t in times_s) + f"; median {median(times_s):.3f}")
    if args.profile:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(3):
                step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))


if __name__ == "__main__":
    main()
