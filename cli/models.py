"""``recurse models``: the pretrained solvers bundled with recurse (they work offline)."""

from __future__ import annotations

import click


@click.group()
def models() -> None:
    """Pretrained solvers that ship inside the package."""


@models.command("list")
def list_() -> None:
    """List the bundled solvers with their task and measured accuracy.

    \b
    Example:
      recurse models list
      recurse solve sudoku-6x6 ".5.6.1................4356.4..3..1.."
    """
    from recurse.hub.zoo import bundled_models

    bundled = bundled_models()
    if not bundled:
        click.echo("no bundled solvers in this installation")
        return
    for name, document in bundled.items():
        info = document.bundled
        click.echo(f"{name:<14} {info.description if info else ''}")
        if info is not None and info.accuracy is not None:
            recipe = document.recipe.reference if document.recipe else None
            seed = document.training.seed if document.training else None
            click.echo(f"{'':<14} {info.accuracy:.1%} exact on {info.eval_set}; recipe {recipe}, seed {seed}")
