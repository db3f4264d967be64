"""Dotted ``key=value`` overrides applied to a raw config dict before validation."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from recurse.errors import ConfigError, one_line

M = TypeVar("M", bound=BaseModel)


def parse_value(text: str) -> Any:
    """YAML scalars and flow collections: ``3``, ``1e-4``, ``true``, ``null``, ``[1, 2]``, ``{kind: mlp}``."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of ``raw`` with each ``a.b.c=value`` set (creating intermediate mappings)."""
    result = copy.deepcopy(raw)
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"override {item!r} is not of the form key=value (for example training.lr=3e-4)")
        parts = key.split(".")
        if not all(part.isidentifier() for part in parts):
            raise ConfigError(f"override key {key!r} is not a dotted name (for example training.lr)")
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"cannot set {key}: {'.'.join(parts[: depth + 1])} is not a mapping")
            node = child
        node[parts[-1]] = parse_value(value)
    return result


def validate_config(model: type[M], raw: dict[str, Any], *, source: str = "config") -> M:
    """Validate, turning the first pydantic error into one line that names the dotted key."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-")) or "(top level)"
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key {one_line(location, 120)}") from None
        raise ConfigError(f"{source}: {one_line(location, 120)}: {one_line(first['msg'])}") from None
