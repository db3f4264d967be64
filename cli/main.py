"""The ``recurse`` entry point: a click group that gathers the subcommands."""

from __future__ import annotations

import click

from recurse import __version__
from recurse.cli.convert import convert


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recurse")
def cli() -> None:
    """recurse: train, evaluate and share recursive reasoners (TRM, HRM) on puzzle tasks.

    \b
    Examples:
      recurse convert official PATH/step_N --config PATH/all_config.yaml --out DIR
    """


cli.add_command(convert)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
