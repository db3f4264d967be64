"""``recurse eval``: evaluate a checkpoint on a dataset split."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.args import parse_options
from recurse.cli.errors import user_errors


@click.command("eval", context_settings={"ignore_unknown_options": True})
@click.argument("checkpoint")
@click.argument("assignments", nargs=-1, metavar="[data=DIR] [split=test] [halting=fixed|q_halt|threshold] "
                "[max_steps=N] [threshold=P] [batch_size=N] [limit=N] [device=cpu]")
@user_errors
def eval_(checkpoint: str, assignments: tuple[str, ...]) -> None:
    """Evaluate CHECKPOINT (a checkpoint or run folder, a bundled name, or a Hub repo id) and save the metrics.

    Prints the official metrics (accuracy: mean per-puzzle cell accuracy, exact_accuracy, q_halt_accuracy,
    steps, lm_loss, q_halt_loss) and recurse's own (token_accuracy pooled over cells, valid_rate by the
    task's checker, puzzles_per_s, count). max_steps may exceed the training limit. ARC models also report pass@k from voting over
    augmentations and write submission.json beside eval_metrics.json.

    \b
    Examples:
      recurse eval runs/trm-sudoku-mini/checkpoints/step_1321
      recurse eval runs/trm-sudoku-mini/checkpoints/step_1321 halting=threshold threshold=0.99
      recurse eval my-org/trm-sudoku data=data/sudoku-extreme max_steps=32
    """
    import torch

    from recurse.checkpoint import load_checkpoint
    from recurse.config.budget import check_memory, check_time
    from recurse.store.layout import load_split
    from recurse.errors import ConfigError, RecurseError
    from recurse.evaluation import check_puzzle_map, evaluate, summarise
    from recurse.io import write_json
    from recurse.solver import inference_halting, resolve_model
    from recurse.tasks import build_task
    from recurse.hardware import resolve_device

    options, _ = parse_options(assignments, _eval_options(), command="eval")
    folder = resolve_model(checkpoint)
    loaded = load_checkpoint(folder)
    device = resolve_device(options.device)
    data_path = options.data or (loaded.document.dataset.path if loaded.document.dataset else None)
    if not data_path:
        raise ConfigError("this checkpoint does not name its dataset; pass data=DIR")
    try:
        split = load_split(data_path, options.split)
    except RecurseError as error:
        from recurse.zoo import data_advice

        advice = None if options.data else data_advice(loaded.document)
        if advice is None:
            raise
        raise ConfigError(f"{error}".split(";")[0] + f"; this model was evaluated on the data that `{advice}` "
                          "builds: run it, or pass data=DIR") from None
    check_puzzle_map(loaded.document.puzzle_identifiers, data_path)
    task = build_task(loaded.document.task) if loaded.document.task is not None else None
    max_steps = options.max_steps or loaded.config.halting.max_steps
    threshold = options.threshold if options.threshold is not None else 0.99
    halting = inference_halting(options.halting, max_steps=max_steps, threshold=threshold)
    halting_spec = {"kind": options.halting, "max_steps": max_steps,
                    **({"threshold": threshold} if options.halting == "threshold" else {})}
    examples = min(split.num_examples, options.limit or split.num_examples)
    if device.type == "cpu":
        check_memory(loaded.config, min(options.batch_size, max(examples, 1)), training=False, what="eval",
                     seq_len=split.metadata.seq_len)
    check_time(loaded.config, examples=examples, max_steps=max_steps, what="eval", seq_len=split.metadata.seq_len)
    refiner = loaded.refiner.to(device)
    evaluator = task.dataset_evaluator(data_path) if task is not None else None
    with torch.inference_mode():
        metrics = evaluate(refiner, split, halting=halting, task=task, batch_size=options.batch_size,
                           limit=options.limit, device=device, progress=True, evaluator=evaluator, loss=loaded.config.loss)
    click.echo(summarise(metrics))
    record = {"checkpoint": str(checkpoint), "data": str(data_path), "split": options.split,
              "halting": halting_spec, **metrics}
    out_dir = folder if Path(checkpoint).is_dir() else Path(".")
    write_json(out_dir / "eval_metrics.json", record)
    click.echo(f"saved {out_dir / 'eval_metrics.json'}")
    if evaluator is not None:
        click.echo(f"saved {evaluator.write(out_dir)}")


def _eval_options():
    """The typed ``key=value`` options of ``recurse eval`` (pydantic is imported only when the command runs)."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field, field_validator

    from recurse.config.model import MAX_RECURSION
    from recurse.hardware import check_device_name

    class EvalOptions(BaseModel):
        model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
        data: str | None = None
        split: Literal["train", "test"] = "test"
        halting: Literal["fixed", "q_halt", "threshold"] = "fixed"
        max_steps: int | None = Field(None, ge=1, le=MAX_RECURSION)
        threshold: float | None = Field(None, gt=0, lt=1)
        batch_size: int = Field(256, ge=1, le=1 << 20)
        limit: int | None = Field(None, ge=1)
        device: str = "auto"

        _device = field_validator("device")(check_device_name)

    return EvalOptions
