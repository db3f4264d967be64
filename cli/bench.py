"""``recurse bench``: measure a recipe's training and evaluation speed on this machine (one JSON line)."""

from __future__ import annotations

import click

from recurse.cli.args import parse_options
from recurse.cli.errors import user_errors
from recurse.io import dumps_json


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument(
    "assignments",
    nargs=-1,
    metavar="recipe=NAME [batch=32] [steps=5] [dtype=…] [compile=false] "
    "[checkpoint=DIR] [halting=POLICY] [threshold=P] [strategy=NAME samples=K ...] [KEY=VALUE]...",
)
@user_errors
def bench(assignments: tuple[str, ...]) -> None:
    """Print one JSON line: training samples/s (forward + loss + backward + optimiser) and a step's
    milliseconds in each of forward (with the loss), backward and optimiser (train_step_ms), evaluation
    puzzles/s at 16 fixed steps and with adaptive halting (the solver's default, or halting=POLICY
    threshold=P as for recurse eval; with strategy=… as for recurse solve, that strategy answers the
    adaptive batch), peak RSS, achieved GFLOP/s from an analytic FLOP count, the same-dtype matmul
    peak, and the step's own matmuls replayed alone (their share of the step, and the peak ratio the
    step would reach if nothing else cost time). The model is built as recurse train builds it;
    checkpoint= loads trained weights (as init_from does).

    \b
    Examples:
      recurse bench recipe=trm-sudoku batch=32 dtype=bfloat16
      recurse bench recipe=trm-sudoku-mini checkpoint=runs/trm-sudoku-mini
    """
    from recurse.bench import benchmark
    from recurse.config.budget import check_memory
    from recurse.halting.inference import parse_settings
    from recurse.inference.strategies.settings import parse_strategy
    from recurse.recipe import load_recipe

    halting, rest = parse_settings(assignments)
    strategy, rest = parse_strategy(rest)
    options, overrides = parse_options(tuple(rest), _bench_options(), command="bench", passthrough=True)
    if options.dtype is not None:
        overrides.append(f"model.forward_dtype={options.dtype}")
    if options.compile is not None:
        overrides.append(f"runtime.compile={str(options.compile).lower()}")
    if options.checkpoint is not None:
        overrides.append(f"init_from={options.checkpoint}")
    if options.recipe is None:
        raise click.UsageError(
            "recurse bench needs recipe=NAME (recurse recipes list shows them), e.g. recipe=trm-sudoku-mini"
        )
    config = load_recipe(options.recipe, overrides)
    check_memory(config.model, options.batch, training=True, what="bench")
    result = benchmark(
        config,
        batch_size=options.batch,
        steps=options.steps,
        eval_steps=options.eval_steps,
        halting=halting,
        strategy=strategy,
    )
    click.echo(dumps_json(result))


def _bench_options():
    """The typed ``key=value`` options of ``recurse bench``; other keys are recipe overrides."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field

    from recurse.config.model import MAX_RECURSION

    class BenchOptions(BaseModel):
        model_config = ConfigDict(extra="forbid")
        recipe: str | None = None  # required: a full-size recipe by default would run for many minutes
        batch: int = Field(32, ge=1, le=1 << 20)
        steps: int = Field(5, ge=1, le=100_000)
        eval_steps: int = Field(16, ge=1, le=MAX_RECURSION)
        dtype: Literal["auto", "float32", "bfloat16", "float16"] | None = None
        compile: bool | None = None
        checkpoint: str | None = None

    return BenchOptions
