"""``recurse data``: build datasets in the official npy layout."""

from __future__ import annotations

import click

from recurse.cli.args import split_assignments
from recurse.cli.errors import user_errors


@click.group()
def data() -> None:
    """Build and inspect puzzle datasets."""


@data.command(context_settings={"ignore_unknown_options": True})
@click.argument("assignments", nargs=-1, metavar="[TASK | recipe=NAME] [KEY=VALUE]...")
@user_errors
def build(assignments: tuple[str, ...]) -> None:
    """Build a dataset in the official npy layout, overwriting its folder.

    Either name a TASK and set its parameters (task.KEY=…, with the task's own build options such as
    ARC's task.subsets or Sudoku's task.clues), the build (build.KEY=…: source, train_size, test_size,
    num_aug, seed) and the folder (path=…); or build the data section of a recipe, overriding it with
    data.KEY=….

    \b
    Examples:
      recurse data build sudoku task.box_rows=2 task.box_cols=3 build.train_size=1000 build.test_size=100 build.num_aug=8
      recurse data build maze task.size=11 task.style=perfect task.min_path=20 build.train_size=2000 build.test_size=200 path=data/mazes
      recurse data build arc build.source=data/arc-kaggle "task.subsets=[training, evaluation, concept]" task.test_subset=evaluation
      recurse data build recipe=trm-sudoku-mini
      recurse data build recipe=trm-sudoku data.build.source=path/to/sudoku-extreme
    """
    from recurse.config import DataConfig
    from recurse.config.overrides import apply_overrides, validate_config
    from recurse.data.prepare import build_from_config
    from recurse.recipe import load_recipe

    if assignments and "=" not in assignments[0]:
        task, overrides = assignments[0], list(assignments[1:])
        raw = apply_overrides({"task": {"kind": task}, "path": f"data/{task}", "build": {}}, overrides)
        config = validate_config(DataConfig, raw, source="data build")
    else:
        special, overrides = split_assignments(assignments, ("recipe",))
        if "recipe" not in special:
            raise click.UsageError(
                "name a task (recurse data build sudoku …) or a recipe (recurse data build recipe=NAME)"
            )
        config = load_recipe(special["recipe"], overrides).data
    manifest = build_from_config(config)
    counts = manifest["counts"]
    click.echo(
        f"wrote {config.path}: train {counts['train']['examples']} examples in "
        f"{counts['train']['groups']} groups, test {counts['test']['examples']}; "
        f"fingerprint {manifest['fingerprint'][:16]}"
    )


@data.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.argument("repo_id")
@click.option("--private", is_flag=True, help="Create the repository as private.")
@click.option("--token", default=None, help="Hub token (default: the one saved by `hf auth login`).")
@user_errors
def push(path: str, repo_id: str, private: bool, token: str | None) -> None:
    """Publish the dataset built at PATH to the Hub dataset repo REPO_ID, as Parquet with a dataset card.

    The card records the build command and the fingerprint. Load it back (checked against the
    published arrays) with build.source=hub:REPO_ID.

    \b
    Examples:
      recurse data push data/sudoku-6x6-mini my-name/sudoku-6x6-mini
      recurse data build sudoku task.box_rows=2 task.box_cols=3 build.source=hub:my-name/sudoku-6x6-mini path=data/s6
    """
    from recurse.data.hub_dataset import push_dataset

    url = push_dataset(path, repo_id, private=private or None, token=token)
    click.echo(f"pushed {path} to {url}")
