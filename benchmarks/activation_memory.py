"""What activation checkpointing of the gradient-carrying recursion saves: memory kept for backward, peak
RSS and step time of a training step, with and without it, each in a fresh process.

Usage: python benchmarks/activation_memory.py [RECIPE] [--batch N]   (default: trm-sudoku at batch 32, fp32)

Prints one JSON line per setting. Peak RSS is the process's own (``getrusage``): a fresh process per
setting, so one cannot inherit the other's peak. Random token grids stand in for data, as in ``recurse bench``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def measure(recipe: str, batch_size: int, checkpointing: bool) -> dict:
    import torch

    from recurse.bench import saved_activation_bytes
    from recurse.optim import AdamATan2
    from recurse.recipe import load_recipe
    from recurse.training.setup import set_up_run

    config = load_recipe(
        recipe, [f"model.schedule.activation_checkpointing={str(checkpointing).lower()}", "model.forward_dtype=float32"]
    )
    run = set_up_run(config, data=False)
    model, refiner, task = run.model, run.refiner, run.task
    optimizer = AdamATan2(refiner.parameters(), lr=1e-4, weight_decay=0.1)
    generator = torch.Generator().manual_seed(0)
    batch = {
        "inputs": torch.randint(1, task.vocab_size, (batch_size, task.seq_len), generator=generator),
        "labels": torch.randint(1, task.vocab_size, (batch_size, task.seq_len), generator=generator),
        "puzzle_identifiers": torch.zeros(batch_size, dtype=torch.long),
    }
    holder = {"carry": model.initial_carry(batch)}
    model.train()

    def step() -> None:
        out = model(holder["carry"], batch)
        (out.loss / batch_size).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        holder["carry"] = out.carry

    step()  # warm-up: the optimiser's moments and the allocator's first buffers
    start = time.perf_counter()
    saved = saved_activation_bytes(step, list(refiner.parameters()))
    seconds = [time.perf_counter() - start]
    for _ in range(2):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return {
        "recipe": recipe,
        "batch": batch_size,
        "activation_checkpointing": checkpointing,
        "saved_activations_mb": round(saved / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "step_seconds": [round(s, 2) for s in seconds],
        "threads": torch.get_num_threads(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", nargs="?", default="trm-sudoku")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--one", choices=["on", "off"], help=argparse.SUPPRESS)  # the child process's setting
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(measure(arguments.recipe, arguments.batch, arguments.one == "on")), flush=True)
        return
    for setting in ("off", "on"):
        subprocess.run(
            [sys.executable, __file__, arguments.recipe, "--batch", str(arguments.batch), "--one", setting], check=True
        )


if __name__ == "__main__":
    main()
