"""``recurse recipes``: list, show and copy the shipped recipes."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from recurse.cli.errors import user_errors
from recurse.cli.listing import echo_json, json_option


@click.group()
def recipes() -> None:
    """The shipped recipes: complete YAML configs, one per configuration."""


@recipes.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the shipped recipes with their one-line purpose."""
    from recurse.recipe import recipe_names, recipe_summary

    names = recipe_names()
    summaries = {}
    for name in names:
        summary = recipe_summary(name)
        summaries[name] = summary.split(":", 1)[1].strip() if summary.startswith(name + ":") else summary
    if as_json:
        echo_json("recipes", [{"name": name, "summary": summary} for name, summary in summaries.items()])
        return
    width = max(len(n) for n in names)
    for name, summary in summaries.items():
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

    The copy's name: is set from DESTINATION's file name, so it trains into its own run folder, and the
    source's expected: block is left out: those are the figures of the source's own settings.
    """
    from recurse.recipe import recipe_path

    destination = destination or Path(f"{name}.yaml")
    if destination.is_dir():
        destination = destination / f"{name}.yaml"
    if destination.exists():
        raise click.ClickException(f"{destination} exists; pass another destination")
    source = recipe_path(name)
    text = without_expected(with_run_name(source.read_text(), destination.stem), name)
    destination.write_text(text)
    click.echo(f"wrote {destination} (name: {destination.stem}); {train_hint(text, destination)}")


def train_hint(text: str, destination: Path) -> str:
    """How to train the copy: with ``--plugin FILE`` when its task comes from a plugin file, and a reminder
    of ``--plugin`` for a task of the user's own otherwise."""
    from recurse.plugins import plugin_file_of
    from recurse.tasks import TASKS

    try:
        kind = (yaml.safe_load(text) or {}).get("data", {}).get("task", {}).get("kind")
    except (yaml.YAMLError, AttributeError):
        kind = None
    command = f"recurse train recipe={destination}"
    if isinstance(kind, str) and kind not in TASKS:
        return f"its task {kind!r} is not registered: train it with: recurse --plugin YOUR_TASK_FILE.py train recipe={destination}"
    plugin = plugin_file_of(TASKS.get(kind)) if isinstance(kind, str) else None
    if plugin is not None:
        return f"train it with: recurse --plugin {plugin} train recipe={destination}"
    return f"train it with: {command} (for a task of your own in data.task: recurse --plugin my_task.py train recipe={destination})"


def without_expected(text: str, source: str) -> str:
    """A recipe's text without its top-level ``expected:`` block (inline or indented), a comment in its place.

    The block states what the source recipe reached; in an edited copy it would compare a different run
    with those figures and warn about a shortfall that means nothing.
    """
    note = f"# expected: left out (the figures {source} reached; add your own once your run has them)"
    return re.sub(r"^expected:.*\n?(?:(?:[ \t]+.*|[ \t]*)\n?)*", note + "\n", text, count=1, flags=re.MULTILINE)


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
