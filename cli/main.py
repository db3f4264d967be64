"""The ``recurse`` entry point: a click group that imports a subcommand's module only when it is used.

``import recurse`` does not import torch and the command modules import their heavy dependencies inside
the command functions, so ``recurse --help`` and every ``recurse CMD --help`` return at once.
"""

from __future__ import annotations

import importlib
import os

import click

from recurse.openmp import prefer_passive_waiting

# The command line trains and solves with PyTorch on possibly busy cores: ask OpenMP threads to sleep
# between kernels, before anything imports torch (recurse.openmp says why). `import recurse` alone
# leaves the environment as it is.
prefer_passive_waiting()

from recurse.cli.errors import user_errors

# Command name -> "module:attribute"; ``recurse --help`` lists them in alphabetical order, as click does.
COMMANDS = {
    "train": "recurse.cli.train:train",
    "eval": "recurse.cli.evaluate:eval_",
    "solve": "recurse.cli.solve:solve",
    "models": "recurse.cli.models:models",
    "data": "recurse.cli.data:data",
    "recipes": "recurse.cli.recipes:recipes",
    "tasks": "recurse.cli.tasks:tasks",
    "hub": "recurse.cli.hub:hub",
    "convert": "recurse.cli.convert:convert",
    "bench": "recurse.cli.bench:bench",
    "serve": "recurse.cli.serve:serve",
}


def _completions() -> dict[tuple[str, ...], object]:
    """(command path, parameter name) -> what completes it; attached when the command is loaded."""
    from recurse.cli import completion as c

    return {
        ("train", "assignments"): c.assignments_completer(recipes=True),
        ("bench", "assignments"): c.assignments_completer(recipes=True),
        ("data", "build", "assignments"): c.assignments_completer(recipes=True, tasks=True),
        ("eval", "checkpoint"): c.complete_model,
        ("solve", "model"): c.complete_model,
        ("recipes", "show", "name"): c.complete_recipe,
        ("recipes", "copy", "name"): c.complete_recipe,
    }


def _attach_completions(command: click.Command, path: tuple[str, ...], table: dict) -> None:
    for param in command.params:
        completer = table.get((*path, param.name))
        # A completer the command declares itself wins; click keeps it in this attribute.
        if completer is not None and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = completer
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _attach_completions(sub, (*path, name), table)


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use, from the ``COMMANDS`` table."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        _attach_completions(command, (name,), _completions())
        return command


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from recurse import __version__

        click.echo(f"recurse, version {__version__}")
        ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A Python file defining tasks, cores, schedules or halting policies (repeatable).",
)
@click.option("--no-color", is_flag=True, help="No colour in the output (also: the NO_COLOR environment variable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors from the library's notes.")
@click.option("-v", "--verbose", is_flag=True, help="Also the library's debug notes.")
@click.pass_context
@user_errors
def cli(ctx: click.Context, plugins: tuple[str, ...], no_color: bool, quiet: bool, verbose: bool) -> None:
    """recurse: train, evaluate and share recursive reasoners (TRM, HRM) on puzzle tasks.

    \b
    Examples:
      recurse train recipe=trm-sudoku-mini
      recurse eval runs/trm-sudoku-mini
      recurse recipes list
      recurse convert official PATH/step_N --config PATH/all_config.yaml --out DIR
      recurse --plugin my_task.py train recipe=my-recipe.yaml
    """
    import logging  # here, not at the top: help and completion never need it

    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose contradict each other; pass one")
    # https://no-color.org: a set, non-empty NO_COLOR turns colour off, on a terminal too. Subcommands'
    # contexts inherit this, and click.echo then drops the styling.
    if no_color or os.environ.get("NO_COLOR"):
        ctx.color = False
    # Library notes (filled config defaults, skipped optional loggers) go to stderr as plain lines.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("recurse")
    if not logger.handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)

    from recurse.plugins import load_installed_plugins, load_plugin_file

    load_installed_plugins()
    for path in plugins:
        load_plugin_file(path)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
