"""``recurse models``: the pretrained solvers bundled with recurse (they work offline)."""

from __future__ import annotations

import click

from recurse.cli.listing import echo_json, json_option


@click.group()
def models() -> None:
    """Pretrained solvers that ship inside the package."""


@models.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the bundled solvers with their task and measured accuracy.

    \b
    Example:
      recurse models list
      recurse models list --json
      recurse solve sudoku-6x6 ".5.6.1................4356.4..3..1.."
    """
    from recurse.hub.zoo import bundled_summaries

    bundled = bundled_summaries()
    if as_json:
        echo_json("models", bundled)
        return
    if not bundled:
        click.echo("no bundled solvers in this installation")
        return
    for info in bundled:
        click.echo(f"{info['name']:<14} {info['description']}")
        if info["accuracy"] is not None:
            click.echo(
                f"{'':<14} {info['accuracy']:.1%} exact on {info['eval_set']}; recipe {info['recipe']}, seed {info['seed']}"
            )
