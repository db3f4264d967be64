"""``recurse recipes``: list, show and copy the shipped recipes."""

from __future__ import annotations

import re
from pathlib import Path

import click

from recurse.cli.errors import user_errors


@click.group()
def recipes() -> None:
    """The shipped recipes: complete YAML configs, one per configuration."""


@recipes.command("list")
def list_() -> None:
    """List the shipped recipes with their one-line purpose."""
    from recurse.recipe import recipe_names, recipe_summary

    names = recipe_names()
    width = max(len(n) for n in names)
    for name in names:
        summary = recipe_summary(name)
        summary = summary.split(":", 1)[1].strip() if summary.startswith(name + ":") else summary
        click.echo(f"{name:<{width}}  {summary}")


@recipes.command()
@click.argument("name")
@user_errors
def show(name: str) -> None:
    """Print a recipe."""
    from recurse.recipe import recipe_text

    click.echo(recipe_text(name).rstrip())


@recipes.command()
@click.argument("name")
@click.argument("destination", type=click.Path(path_type=Path), required=False)
@user_errors
def copy(name: str, destination: Path | None) -> None:
    """Copy a recipe to DESTINATION (default: ./NAME.yaml) to edit it; train it with recipe=PATH.

    The copy's name: is set from DESTINATION's file name, so it trains into its own run folder.
    """
    from recurse.recipe import recipe_path

    destination = destination or Path(f"{name}.yaml")
    if destination.is_dir():
        destination = destination / f"{name}.yaml"
    if destination.exists():
        raise click.ClickException(f"{destination} exists; pass another destination")
    text = with_run_name(recipe_path(name).read_text(), destination.stem)
    destination.write_text(text)
    click.echo(f"wrote {destination} (name: {destination.stem}); train it with: recurse train recipe={destination}")


def with_run_name(text: str, name: str) -> str:
    """A recipe's text with its top-level ``name:`` set to ``name``, comments and layout kept.

    A copy that kept the original's name would train into (and mix with) the original's run folder.
    """
    line = f"name: {name}"
    if re.search(r"^name:.*$", text, flags=re.MULTILINE):
        return re.sub(r"^name:.*$", line, text, count=1, flags=re.MULTILINE)
    leading = re.match(r"(?:#.*\n|\s*\n)*", text)  # the header comment (it may be empty)
    header = leading.end() if leading else 0
    return text[:header] + line + "\n" + text[header:]
