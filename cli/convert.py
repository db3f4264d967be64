"""``recurse convert``: turn checkpoints from other formats into recurse checkpoints."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.errors import user_errors


@click.group()
def convert() -> None:
    """Convert checkpoints written by other code into recurse checkpoints."""


@convert.command("official")
@click.argument("checkpoint", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The run's all_config.yaml (default: next to CHECKPOINT).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write model.safetensors and config.json to.",
)
@click.option(
    "--dtype",
    type=click.Choice(["float32", "bfloat16", "float16"]),
    default=None,
    help="Forward dtype of the converted model (default: the official config's).",
)
@click.option(
    "--seq-len",
    type=click.IntRange(min=1),
    default=None,
    help="Puzzle length, when neither the weights nor the run's dataset tell it (RoPE models).",
)
@click.option(
    "--task",
    "task_kind",
    default=None,
    help="The task (sudoku, maze, arc, …) when it is not one of the official datasets.",
)
@click.option(
    "--identifiers",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="identifiers.json of the training dataset: which embedding row is which puzzle (ARC).",
)
@user_errors
def official(
    checkpoint: Path,
    config_path: Path | None,
    out: Path,
    dtype: str | None,
    seq_len: int | None,
    task_kind: str | None,
    identifiers: Path | None,
) -> None:
    """Convert an official TRM/HRM checkpoint (a step_N pickle) into a recurse checkpoint.

    The pickle is read with torch.load(weights_only=True), so it cannot run code.

    \b
    Example:
      recurse convert official runs/trm/step_65100 --config runs/trm/all_config.yaml --out trm-sudoku
      recurse convert official arc/step_518071 --seq-len 900 --identifiers data/arc1-aug-1000/identifiers.json --out trm-arc1
    """
    from recurse.convert import convert_official_checkpoint

    config_path = config_path or checkpoint.parent / "all_config.yaml"
    convert_official_checkpoint(
        checkpoint,
        config_path,
        out,
        forward_dtype=dtype,
        seq_len=seq_len,
        task={"kind": task_kind} if task_kind else None,
        identifiers=identifiers,
    )
    click.echo(f"wrote {out / 'model.safetensors'} and {out / 'config.json'}")
