"""``recurse tasks``: the registered puzzle tasks."""

from __future__ import annotations

import sys
from typing import Any

import click

from recurse.cli.listing import echo_json, json_option


@click.group()
def tasks() -> None:
    """Puzzle tasks known to recurse."""


@tasks.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the registered tasks with their parameters."""
    from recurse.tasks import TASKS

    listed: list[dict[str, Any]] = []
    for name in TASKS.names():
        task_cls = TASKS.get(name)
        defaults = {k: v.default for k, v in task_cls.Spec.model_fields.items() if k != "kind"}
        doc = (sys.modules[task_cls.__module__].__doc__ or "").strip().splitlines()
        summary = doc[0].split(":", 1)[-1].strip() if doc else ""
        listed.append({"name": name, "summary": summary, "parameters": defaults})
    if as_json:
        echo_json("tasks", listed)
        return
    for task in listed:
        fields = ", ".join(f"{k}={v!r}" for k, v in task["parameters"].items())
        click.echo(f"{task['name']:<10} {task['summary']}")
        click.echo(f"{'':<10} parameters: {fields or 'none'}")
