"""Time (and optionally profile) training steps of a recipe's model on random puzzles.

Usage: python benchmarks/step_time.py RECIPE [--batch 64] [--threads 2] [--dtype float32] [--steps 4]
[--warmup 3] [--profile] [KEY=VALUE ...]

The model, optimiser and EMA are built as ``recurse train`` builds them (``KEY=VALUE`` are recipe
overrides). Prints the time of each timed step; ``--profile`` then prints a ``torch.profiler`` table of
three more steps (self CPU time per op). Import order matters for the OpenMP wait policy: run with
``OMP_WAIT_POLICY=ACTIVE`` (or unset it by importing torch first) to compare with spinning threads.
"""

from __future__ import annotations

import argparse
import time

from recurse.openmp import prefer_passive_waiting

prefer_passive_waiting()  # before torch loads, as the command line does

import torch

from recurse.optim import AdamATan2
from recurse.recipe import load_recipe
from recurse.training.ema import EMA
from recurse.training.setup import set_up_run


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
    args = parser.parse_intermixed_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    config = load_recipe(args.recipe, [f"model.forward_dtype={args.dtype}", *args.overrides])
    run = set_up_run(config, data=False)
    model, task = run.model, run.task
    optimizer = AdamATan2(run.refiner.parameters(), lr=1e-4, weight_decay=0.1)
    ema = EMA(run.refiner, 0.99)
    g = torch.Generator().manual_seed(0)
    batch = {
        "inputs": torch.randint(1, task.vocab_size, (args.batch, task.seq_len), generator=g),
        "labels": torch.randint(1, task.vocab_size, (args.batch, task.seq_len), generator=g),
        "puzzle_identifiers": torch.zeros(args.batch, dtype=torch.long),
    }
    holder = {"carry": model.initial_carry(batch)}
    model.train()

    def step() -> None:
        out = model(holder["carry"], batch)
        (out.loss / args.batch).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        ema.update()
        holder["carry"] = out.carry

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(
        f"{args.recipe} batch {args.batch} {run.model_config.forward_dtype} threads {torch.get_num_threads()}: "
        "step times (s) " + ", ".join(f"{t:.3f}" for t in times) + f"; median {sorted(times)[len(times) // 2]:.3f}"
    )
    if args.profile:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(3):
                step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))


if __name__ == "__main__":
    main()
