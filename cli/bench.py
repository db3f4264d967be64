"""``recurse bench``: measure a recipe's training and evaluation speed on this machine (one JSON line)."""

from __future__ import annotations

import json

import click

from recurse.cli.args import split_assignments
from recurse.cli.errors import user_errors


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("assignments", nargs=-1, metavar="recipe=NAME [batch=32] [steps=5] [dtype=…] [compile=false] "
                "[checkpoint=DIR] [KEY=VALUE]...")
@user_errors
def bench(assignments: tuple[str, ...]) -> None:
    """Print one JSON line: training samples/s (forward + loss + backward + optimiser), evaluation
    puzzles/s at 16 fixed steps and with threshold halting, peak RSS, achieved GFLOP/s from an analytic
    FLOP count, and the same-dtype matmul peak.

    \b
    Examples:
      recurse bench recipe=trm-sudoku batch=32 dtype=bfloat16
      recurse bench recipe=trm-sudoku-mini checkpoint=runs/trm-sudoku-mini
    """
    from recurse.bench import benchmark
    from recurse.recipe import load_recipe

    special, overrides = split_assignments(assignments, ("recipe", "batch", "steps", "dtype", "compile",
                                                          "checkpoint", "eval_steps"))
    if "dtype" in special:
        overrides.append(f"model.forward_dtype={special['dtype']}")
    if "compile" in special:
        overrides.append(f"runtime.compile={special['compile']}")
    config = load_recipe(special.get("recipe", "trm-sudoku"), overrides)
    result = benchmark(config, batch_size=int(special.get("batch", 32)), steps=int(special.get("steps", 5)),
                       eval_steps=int(special.get("eval_steps", 16)), checkpoint=special.get("checkpoint"))
    click.echo(json.dumps(result))
