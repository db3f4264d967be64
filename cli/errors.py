"""Turning user-facing errors into one line on stderr and a non-zero exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import click

from recurse.errors import RecurseError, one_line

F = TypeVar("F", bound=Callable)


def user_errors(func: F) -> F:
    """Report a ``RecurseError``, a user's file that cannot be read, or input that is not UTF-8 as
    ``Error: …`` and exit 1. Anything else is a bug and keeps its traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RecurseError as error:
            raise click.ClickException(one_line(error, 1000)) from None
        except UnicodeDecodeError as error:
            raise click.ClickException(
                f"input is not UTF-8 text (byte {error.object[error.start]:#04x} at "
                f"position {error.start}); convert it to UTF-8"
            ) from None
        except FileNotFoundError as error:
            raise click.ClickException(f"{error.filename or error}: no such file") from None
        except OSError as error:
            # Only errors about a named file are the user's (a folder given as a file, no permission, disk
            # full); an OSError without a file name is not about their input and stays visible.
            if error.filename is None:
                raise
            raise click.ClickException(f"{error.filename}: {error.strerror or one_line(error)}") from None

    return wrapper  # type: ignore[return-value]
