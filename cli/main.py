"""The ``recurse`` entry point: a click group that gathers the subcommands."""

from __future__ import annotations

import logging

import click

from recurse import __version__
from recurse.cli.bench import bench
from recurse.cli.convert import convert
from recurse.cli.data import data
from recurse.cli.errors import user_errors
from recurse.cli.evaluate import eval_
from recurse.cli.hub import hub
from recurse.cli.models import models
from recurse.cli.recipes import recipes
from recurse.cli.solve import solve
from recurse.cli.tasks import tasks
from recurse.cli.train import train


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recurse")
@click.option("--plugin", "plugins", multiple=True, type=click.Path(dir_okay=False),
              help="A Python file defining tasks, cores, schedules or halting policies (repeatable).")
@user_errors
def cli(plugins: tuple[str, ...]) -> None:
    """recurse: train, evaluate and share recursive reasoners (TRM, HRM) on puzzle tasks.

    \b
    Examples:
      recurse train recipe=trm-sudoku-mini
      recurse eval runs/trm-sudoku-mini/checkpoints/step_2000
      recurse recipes list
      recurse convert official PATH/step_N --config PATH/all_config.yaml --out DIR
      recurse --plugin my_task.py train recipe=my-recipe.yaml
    """
    # Library notes (filled config defaults, skipped optional loggers) go to stderr as plain lines.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("recurse")
    if not logger.handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    from recurse.plugins import load_installed_plugins, load_plugin_file

    load_installed_plugins()
    for path in plugins:
        load_plugin_file(path)


for command in (train, eval_, solve, models, data, recipes, tasks, hub, convert, bench):
    cli.add_command(command)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
