"""``recurse eval``: evaluate a checkpoint on a dataset split."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.args import split_assignments
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
      recurse eval runs/trm-sudoku-mini/checkpoints/step_2000
      recurse eval runs/trm-sudoku-mini/checkpoints/step_2000 halting=threshold threshold=0.99
      recurse eval my-org/trm-sudoku data=data/sudoku-extreme max_steps=32
    """
    import torch

    from recurse.checkpoint import load_checkpoint
    from recurse.data.layout import load_split
    from recurse.errors import ConfigError, RecurseError
    from recurse.evaluation import check_puzzle_map, evaluate, summarise
    from recurse.halting import inference_policy
    from recurse.solver import resolve_model
    from recurse.io import write_json
    from recurse.tasks import build_task
    from recurse.training.runtime import resolve_device

    keys = ("data", "split", "halting", "max_steps", "threshold", "batch_size", "limit", "device")
    options, extra = split_assignments(assignments, keys)
    if extra:
        raise ConfigError(f"unknown option {extra[0].split('=')[0]!r}; known: {', '.join(keys)}")
    folder = resolve_model(checkpoint)
    loaded = load_checkpoint(folder)
    device = resolve_device(options.get("device", "auto"))
    refiner = loaded.refiner.to(device)
    data_path = options.get("data") or loaded.meta.get("dataset", {}).get("path")
    if not data_path:
        raise ConfigError("this checkpoint does not name its dataset; pass data=DIR")
    try:
        split = load_split(data_path, options.get("split", "test"))
    except RecurseError as error:
        from recurse.zoo import data_advice

        advice = None if options.get("data") else data_advice(loaded.meta)
        if advice is None:
            raise
        raise ConfigError(f"{error}".split(";")[0] + f"; this model was evaluated on the data that `{advice}` "
                          "builds: run it, or pass data=DIR") from None
    check_puzzle_map(loaded.meta.get("puzzle_identifiers"), data_path)
    task = build_task(loaded.meta["task"]) if "task" in loaded.meta else None
    max_steps = int(options.get("max_steps", loaded.config.halting.max_steps))
    kind = options.get("halting", "fixed")
    threshold = float(options["threshold"]) if "threshold" in options else None
    try:
        halting = inference_policy(kind, max_steps=max_steps, threshold=threshold)
    except ValueError as error:  # an unknown policy or an out-of-range value, reported as one line
        raise ConfigError(f"halting: {str(error).splitlines()[0]}") from None
    halting_spec = {"kind": kind, "max_steps": max_steps, **({"threshold": threshold} if threshold else {})}
    evaluator = task.dataset_evaluator(data_path) if task is not None else None
    with torch.inference_mode():
        metrics = evaluate(refiner, split, halting=halting, task=task, batch_size=int(options.get("batch_size", 256)),
                           limit=int(options["limit"]) if "limit" in options else None, device=device, progress=True,
                           evaluator=evaluator, loss=loaded.config.loss)
    click.echo(summarise(metrics))
    record = {"checkpoint": str(checkpoint), "data": str(data_path), "split": options.get("split", "test"),
              "halting": halting_spec, **metrics}
    out_dir = folder if Path(checkpoint).is_dir() else Path(".")
    write_json(out_dir / "eval_metrics.json", record)
    click.echo(f"saved {out_dir / 'eval_metrics.json'}")
    if evaluator is not None:
        click.echo(f"saved {evaluator.write(out_dir)}")
