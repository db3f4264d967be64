"""Time (and optionally profile) training steps of a recipe's model on random puzzles.

Usage: python benchmarks/step_time.py RECIPE [--batch 64] [--threads 2] [--steps 4] [--warmup 3] [--profile]

Prints the time of each timed step; ``--profile`` then prints a ``torch.profiler`` table of three more
steps (self CPU time per op). Import order matters for the OpenMP wait policy: run with
``OMP_WAIT_POLICY=ACTIVE`` (or unset it by importing torch first) to compare with spinning threads.
"""

from __future__ import annotations

import argparse
import time

from recurse.openmp import prefer_passive_waiting

prefer_passive_waiting()  # before torch loads, as the command line does

import torch

from recurse.model.builder import build_training_model
from recurse.optim import AdamATan2
from recurse.recipe import load_recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    config = load_recipe(args.recipe)
    task = config.data.task.build()
    model_config = config.model.with_data(vocab_size=task.vocab_size, seq_len=task.seq_len, num_puzzle_ids=1)
    model_config = model_config.model_copy(update={"forward_dtype": "float32"})
    torch.manual_seed(0)
    model = build_training_model(model_config)
    optimizer = AdamATan2(model.model.refiner.parameters(), lr=1e-4, weight_decay=0.1)
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
        holder["carry"] = out.carry

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(
        f"{args.recipe} batch {args.batch} threads {torch.get_num_threads()}: step times (s) "
        + ", ".join(f"{t:.3f}" for t in times)
        + f"; median {sorted(times)[len(times) // 2]:.3f}"
    )
    if args.profile:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(3):
                step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))


if __name__ == "__main__":
    main()
