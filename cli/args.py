"""Parsing ``key=value`` command-line arguments into special keys and config overrides."""

from __future__ import annotations

from recurse.errors import ConfigError


def split_assignments(args: tuple[str, ...], special: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Separate ``special`` keys (``recipe=…``, ``resume=…``) from the dotted config overrides."""
    found: dict[str, str] = {}
    overrides: list[str] = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            raise ConfigError(f"argument {arg!r} is not key=value (for example recipe=trm-sudoku-mini training.lr=3e-4)")
        if key in special:
            found[key] = value
        else:
            overrides.append(arg)
    return found, overrides
