"""``recurse train``: train a recipe with dotted overrides, or resume a run."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.args import split_assignments
from recurse.cli.errors import user_errors


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": False})
@click.argument("assignments", nargs=-1, metavar="[recipe=NAME] [resume=RUN_DIR] [KEY=VALUE]...")
@user_errors
def train(assignments: tuple[str, ...]) -> None:
    """Train a recursive reasoner from a recipe.

    Any config key can be overridden as a dotted KEY=VALUE (lists and mappings in YAML flow style).
    The resolved config is saved as RUN_DIR/config.yaml (logging.verbose=true also prints it).

    \b
    Examples:
      recurse train recipe=trm-sudoku-mini
      recurse train recipe=trm-sudoku-mini training.max_steps=500 out_dir=runs/quick
      recurse train recipe=trm-sudoku model.forward_dtype=float32 runtime.device=cuda
      recurse train resume=runs/trm-sudoku-mini
      torchrun --nproc-per-node 2 -m recurse.cli train recipe=trm-sudoku-mini
    """
    from recurse.recipe import load_recipe
    from recurse.training.run_folder import latest_checkpoint, resume_config
    from recurse.training.trainer import Trainer

    special, overrides = split_assignments(assignments, ("recipe", "resume"))
    resume_from = None
    if "resume" in special:
        run_dir = Path(special["resume"])
        config = resume_config(run_dir)
        if overrides:
            from recurse.config import RunConfig, apply_overrides, validate_config

            config = validate_config(RunConfig, apply_overrides(config.model_dump(mode="json"), overrides))
        resume_from = latest_checkpoint(run_dir)
        click.echo(f"resuming from {resume_from}")
    else:
        config = load_recipe(special.get("recipe", "trm-sudoku-mini"), overrides)
    # The trainer prints the run's one-line header, its progress and the closing summary.
    Trainer(config, resume_from=resume_from, echo=click.echo).fit()
