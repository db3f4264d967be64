"""``recurse tasks``: the registered puzzle tasks."""

from __future__ import annotations

import sys

import click


@click.group()
def tasks() -> None:
    """Puzzle tasks known to recurse."""


@tasks.command("list")
def list_() -> None:
    """List the registered tasks with their parameters."""
    from recurse.tasks import TASKS

    for name in TASKS.names():
        task_cls = TASKS.get(name)
        fields = ", ".join(f"{k}={v.default!r}" for k, v in task_cls.Spec.model_fields.items() if k != "kind")
        doc = (sys.modules[task_cls.__module__].__doc__ or "").strip().splitlines()
        summary = doc[0].split(":", 1)[-1].strip() if doc else ""
        click.echo(f"{name:<10} {summary}")
        click.echo(f"{'':<10} parameters: {fields or 'none'}")
