"""Turning user-facing errors into one line on stderr and a non-zero exit code."""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

import click

from recurse.errors import RecurseError

F = TypeVar("F", bound=Callable)


def user_errors(func: F) -> F:
    """Report a ``RecurseError`` (or a missing file) as ``Error: …`` and exit 2; let real bugs raise."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RecurseError as error:
            raise click.ClickException(str(error)) from None
        except FileNotFoundError as error:
            raise click.ClickException(f"{error.filename or error}: no such file") from None

    return wrapper  # type: ignore[return-value]
