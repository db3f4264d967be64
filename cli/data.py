"""``recurse data``: build datasets in the official npy layout."""

from __future__ import annotations

import click

from recurse.cli.args import split_assignments
from recurse.cli.errors import user_errors


@click.group()
def data() -> None:
    """Build and inspect puzzle datasets."""


@data.command(context_settings={"ignore_unknown_options": True})
@click.argument("assignments", nargs=-1, metavar="recipe=NAME [data.KEY=VALUE]...")
@user_errors
def build(assignments: tuple[str, ...]) -> None:
    """Build the dataset a recipe describes (its data section), overwriting data.path.

    \b
    Examples:
      recurse data build recipe=trm-sudoku-mini
      recurse data build recipe=trm-sudoku-mini data.build.train_size=500 data.path=data/small
      recurse data build recipe=trm-sudoku data.build.source=path/to/sudoku-extreme
    """
    from recurse.data.prepare import build_from_config
    from recurse.recipe import load_recipe

    special, overrides = split_assignments(assignments, ("recipe",))
    if "recipe" not in special:
        raise click.ClickException("name the recipe whose data to build: recurse data build recipe=NAME")
    config = load_recipe(special["recipe"], overrides)
    manifest = build_from_config(config.data)
    counts = manifest["counts"]
    click.echo(f"wrote {config.data.path}: train {counts['train']['examples']} examples in "
               f"{counts['train']['groups']} groups, test {counts['test']['examples']}; "
               f"fingerprint {manifest['fingerprint'][:16]}")
