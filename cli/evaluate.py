"""``recurse eval``: evaluate a checkpoint on a dataset split."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.args import parse_options
from recurse.cli.errors import user_errors
from recurse.halting_defaults import DEFAULT_THRESHOLD

_HELP = f"""Evaluate CHECKPOINT (a checkpoint or run folder, a bundled name, or a Hub repo id) and save the metrics.

Prints the official metrics (accuracy: mean per-puzzle cell accuracy, exact_accuracy, q_halt_accuracy,
steps, lm_loss, q_halt_loss) and recurse's own (token_accuracy pooled over cells, valid_rate by the
task's checker, puzzles_per_s, count). max_steps may exceed the training limit. ARC models also report
pass@k from voting over augmentations and write submission.json beside eval_metrics.json.

Halting takes any registered policy; the default is fixed (every puzzle runs max_steps, the training
limit, as the official evaluation does); halting=threshold stops each puzzle at confidence
{DEFAULT_THRESHOLD} unless threshold=P is given.

The inference strategy is greedy (one trajectory) unless strategy=sample or strategy=restart is given, with
samples=K, select=checker|confidence|vote, seed=N (and noise=σ for sample), as for recurse solve; the
metrics are those of the kept trajectory, and sample_steps the mean supervision steps of all of a puzzle's.

\b
Examples:
  recurse eval runs/trm-sudoku-mini/checkpoints/step_1321
  recurse eval runs/trm-sudoku-mini/checkpoints/step_1321 halting=threshold threshold=0.9
  recurse eval my-org/trm-sudoku data=data/sudoku-extreme max_steps=32
  recurse eval runs/trm-sudoku-mini/checkpoints/step_1321 strategy=restart samples=8 select=checker
"""


@click.command("eval", help=_HELP, context_settings={"ignore_unknown_options": True})
@click.argument("checkpoint")
@click.argument(
    "assignments",
    nargs=-1,
    metavar="[data=DIR] [split=test] [halting=POLICY] [max_steps=N] "
    "[threshold=P] [halting.FIELD=VALUE] [strategy=NAME samples=K select=RULE seed=N ...] [batch_size=N] "
    "[limit=N] [device=cpu]",
)
@user_errors
def eval_(checkpoint: str, assignments: tuple[str, ...]) -> None:
    import torch

    from recurse.config.budget import check_memory, check_time
    from recurse.errors import ConfigError
    from recurse.evaluation import evaluate, summarise
    from recurse.halting.inference import parse_settings
    from recurse.inference.strategies.settings import option_names, parse_strategy, strategy_spec
    from recurse.io import write_json
    from recurse.training.setup import set_up_checkpoint

    options, rest = parse_options(assignments, _eval_options(), command="eval", passthrough=True)
    halting, rest = parse_settings(rest)
    strategy, unknown = parse_strategy(rest)
    strategy = strategy_spec(strategy)
    if unknown:
        known = [*_eval_options().model_fields, "halting", "max_steps", "threshold", "halting.FIELD", *option_names()]
        raise ConfigError(f"eval: unknown option {unknown[0].partition('=')[0]!r}; known: {', '.join(known)}")
    run = set_up_checkpoint(checkpoint, data=options.data, split=options.split, device=options.device)
    split = run.splits[options.split]
    spec = halting.spec(purpose="evaluate", model_max_steps=run.model_config.max_steps)
    policy = halting.build(purpose="evaluate", model_max_steps=run.model_config.max_steps)
    examples = min(split.num_examples, options.limit or split.num_examples)
    if run.device.type == "cpu":
        check_memory(
            run.model_config,
            min(options.batch_size, max(examples, 1)),
            training=False,
            what="eval",
            seq_len=split.metadata.seq_len,
        )
    built = strategy.build()
    check_time(
        run.model_config,
        examples=examples * built.samples,
        max_steps=policy.max_steps,
        what="eval",
        seq_len=split.metadata.seq_len,
    )
    evaluator = run.task.dataset_evaluator(run.data_path) if run.task is not None and run.data_path else None
    with torch.inference_mode():
        metrics = evaluate(
            run.refiner,
            split,
            halting=policy,
            task=run.task,
            batch_size=options.batch_size,
            limit=options.limit,
            device=run.device,
            progress=True,
            evaluator=evaluator,
            loss=run.model_config.loss,
            strategy=built,
        )
    click.echo(summarise(metrics))
    record = {
        "checkpoint": str(checkpoint),
        "data": run.data_path,
        "split": options.split,
        "halting": spec,
        "strategy": strategy.model_dump(mode="json"),
        **metrics,
    }
    out_dir = run.folder if run.folder is not None and Path(checkpoint).is_dir() else Path(".")
    try:
        write_json(out_dir / "eval_metrics.json", record)
        click.echo(f"saved {out_dir / 'eval_metrics.json'}")
        if evaluator is not None:
            click.echo(f"saved {evaluator.write(out_dir)}")
    except OSError as error:  # a read-only run folder still gets its metrics, printed above
        click.echo(
            f"note: could not save the metrics in {out_dir} ({error.strerror or error}); they are printed above",
            err=True,
        )


def _eval_options():
    """The typed ``key=value`` options of ``recurse eval`` besides the halting ones (``recurse.halting.inference``);
    pydantic is imported only when the command runs."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field, field_validator

    from recurse.hardware import check_device_name

    class EvalOptions(BaseModel):
        model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
        data: str | None = None
        split: Literal["train", "test"] = "test"
        batch_size: int = Field(256, ge=1, le=1 << 20)
        limit: int | None = Field(None, ge=1)
        device: str = "auto"

        _device = field_validator("device")(check_device_name)

    return EvalOptions
