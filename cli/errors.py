"""Turning user-facing errors into one line on stderr and a non-zero exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import click

from recurse.errors import RecurseError, one_line

F = TypeVar("F", bound=Callable)

# Exit statuses of every command (docs/cli.md): 0 success, 2 a command line click could not parse.
EXIT_ERROR = 1  # an error: bad input, a file that cannot be read, a model that cannot be loaded
EXIT_INVALID_ANSWER = 3  # `solve --check`: everything ran, but an answer breaks the task's rules


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
