"""Shell completion of the names a user would otherwise look up: recipes, tasks and bundled models.

Click calls these while the shell completes a word (``_RECURSE_COMPLETE=bash_source recurse`` prints the
script to install). They read only the package's own files, so completing stays quick.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from click.shell_completion import CompletionItem


def recipe_names() -> list[str]:
    from recurse.recipe import recipe_names as names

    return names()


def task_names() -> list[str]:
    from recurse.tasks import TASKS

    return list(TASKS.names())


def model_names() -> list[str]:
    from recurse.hub.zoo import bundled_names

    return list(bundled_names())


def _matching(names: list[str], incomplete: str, prefix: str = "") -> list[CompletionItem]:
    return [CompletionItem(prefix + name) for name in names if (prefix + name).startswith(incomplete)]


def complete_recipe(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A shipped recipe name (``recurse recipes show NAME``)."""
    return _matching(recipe_names(), incomplete)


def complete_model(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A bundled model name; paths and Hub repo ids are the user's to type (the shell completes paths)."""
    return _matching(model_names(), incomplete)


def assignments_completer(*, recipes: bool = False, tasks: bool = False) -> Callable:
    """Completion for ``KEY=VALUE`` arguments: ``recipe=`` offers recipe names, a bare word task names."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        items = []
        if recipes:
            items += _matching(recipe_names(), incomplete, prefix="recipe=")
        if tasks and "=" not in incomplete:
            items += _matching(task_names(), incomplete)
        return items

    return complete
