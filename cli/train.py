"""``recurse train``: train a recipe with dotted overrides, or resume a run."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.args import split_assignments
from recurse.cli.errors import user_errors
from recurse.errors import ConfigError


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
    from recurse.checkpoints.run_folder import latest_checkpoint, resume_config
    from recurse.config.budget import check_training_memory
    from recurse.recipe import load_recipe
    from recurse.store.writer import destination
    from recurse.training.setup import fit_model_to_task
    from recurse.training.trainer import Trainer

    special, overrides = split_assignments(assignments, ("recipe", "resume"))
    resume_from = run_dir = None
    if "resume" in special:
        # A resumed run writes to the folder named here, whatever its config.yaml says about out_dir or name.
        run_dir = Path(special["resume"]).expanduser().resolve()
        config = resume_config(run_dir)
        if overrides:
            from recurse.config import RunConfig, apply_overrides, validate_config

            moved = [o for o in overrides if o.split("=", 1)[0] in ("out_dir", "name")]
            if moved:
                raise ConfigError(
                    f"{moved[0]!r}: a resumed run stays in {run_dir}; copy the folder to continue it elsewhere"
                )
            config = validate_config(RunConfig, apply_overrides(config.model_dump(mode="json"), overrides))
        resume_from = latest_checkpoint(run_dir, notice=lambda line: click.echo(line, err=True))
        click.echo(f"resuming from {resume_from}")
    else:
        config = load_recipe(special.get("recipe", "trm-sudoku-mini"), overrides)
    task = config.data.task.build()
    # Before any work (a data build, a run folder): the model must fit the task's puzzles and this machine.
    fit_model_to_task(config.model, task)
    check_training_memory(config.model, vocab_size=task.vocab_size)
    if not (Path(config.data.path) / "train" / "dataset.json").is_file():
        destination(config.data.path)  # the data will be built there: never into a folder of the user's
    # The trainer prints the run's one-line header, its progress and the closing summary.
    Trainer(config, resume_from=resume_from, run_dir=run_dir, echo=click.echo).fit()
