"""Typed parsing of command-line input: ``key=value`` arguments checked against pydantic option models, and
click parameter types for the values recurse options take (devices, probabilities, output files).

Nothing on the command line is converted with a bare ``int()``/``float()``: every value goes through a
pydantic model or a click type, so a bad value ends in one line naming the option.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from recurse.errors import ConfigError, one_line

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


def split_assignments(args: tuple[str, ...], special: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Separate ``special`` keys (``recipe=…``, ``resume=…``) from the dotted config overrides."""
    found: dict[str, str] = {}
    overrides: list[str] = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or not key:
            raise ConfigError(
                f"argument {arg!r} is not key=value (for example recipe=trm-sudoku-mini training.lr=3e-4)"
            )
        if key in special:
            found[key] = value
        else:
            overrides.append(arg)
    return found, overrides


def parse_options(
    args: tuple[str, ...], model: type[M], *, command: str, passthrough: bool = False
) -> tuple[M, list[str]]:
    """Validate the ``key=value`` arguments whose key is a field of ``model``; the others are config overrides
    when ``passthrough`` is set, else an error listing the known keys.

    Values reach pydantic as text and are converted by the field's type (``max_steps=abc`` is refused, as are
    ``nan`` and ``inf`` for a float); the first problem becomes one ``ConfigError`` line.
    """
    from pydantic import ValidationError

    keys = tuple(model.model_fields)
    found, rest = split_assignments(args, keys)
    if rest and not passthrough:
        raise ConfigError(f"{command}: unknown option {rest[0].partition('=')[0]!r}; known: {', '.join(keys)}")
    try:
        return model.model_validate(found), rest
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "(options)"
        shown = f"={found[key]!r}" if key in found else ""
        raise ConfigError(f"{command}: {key}{shown}: {one_line(first['msg'])}") from None


class Device(click.ParamType):
    """``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` (``meta`` and other torch-internal devices are refused)."""

    name = "device"

    def convert(self, value: Any, param, ctx) -> str:
        from recurse.hardware import check_device_name

        try:
            return check_device_name(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class FiniteNumber(click.ParamType):
    """A finite number for which ``accepts`` holds (``nan`` and ``inf`` are refused, unlike ``click.FloatRange``)."""

    def __init__(self, name: str, requirement: str, accepts) -> None:
        self.name, self.requirement, self.accepts = name, requirement, accepts

    def convert(self, value: Any, param, ctx) -> float:
        try:
            number = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or not self.accepts(number):
            self.fail(f"{value!r} must be {self.requirement}", param, ctx)
        return number


class HaltingKind(click.ParamType):
    """The name of a registered halting policy, plugins included; checked when used, so that help needs no torch."""

    name = "policy"

    def convert(self, value: Any, param, ctx) -> str:
        from recurse.halting.inference import kinds

        if value not in kinds():
            self.fail(f"{value!r} is not a halting policy; known: {', '.join(kinds())}", param, ctx)
        return value


class OutputFile(click.ParamType):
    """A file to write later, checked now (suffix, folder exists and is writable) so that a long run does not
    end in an error after its work is done."""

    name = "file"

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix

    def convert(self, value: Any, param, ctx) -> Path:
        path = Path(value)
        if path.suffix.lower() != self.suffix:
            self.fail(f"{value} must end in {self.suffix}", param, ctx)
        if path.is_dir():
            self.fail(f"{value} is a folder", param, ctx)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            self.fail(f"{folder} is not an existing folder", param, ctx)
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            self.fail(f"{value} is not writable", param, ctx)
        return path


DEVICE = Device()
HALTING_KIND = HaltingKind()
PROBABILITY = FiniteNumber("probability", "a number strictly between 0 and 1", lambda x: 0 < x < 1)
POSITIVE_SECONDS = FiniteNumber("seconds", "a number of seconds greater than 0", lambda x: x > 0)
