"""Validated, serialisable specs for pluggable components, dispatched through a registry by ``kind``.

Each plugin class (a core, a schedule, a halting policy) carries a nested ``Spec`` pydantic model whose
``kind`` is its registry name. A config field typed ``Spec`` accepts a plain dict and validates it against
the ``Spec`` of the plugin that ``kind`` names, so third-party plugins need no change here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from recurse.registry import Registry, UnknownNameError


class Spec(BaseModel):
    """Base of every plugin spec: forbids unknown keys and carries the registry ``kind``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str


def validate_spec(registry: Registry, value: Any) -> Spec:
    """Turn a dict (or a spec) into the ``Spec`` of the plugin its ``kind`` names."""
    if isinstance(value, Spec):
        return value
    if not isinstance(value, dict) or "kind" not in value:
        raise ValueError(f"expected a mapping with a 'kind' (one of: {', '.join(registry.names())})")
    if not isinstance(value["kind"], str):
        raise ValueError(f"kind must be a name, one of: {', '.join(registry.names())}")
    try:
        plugin = registry.get(value["kind"])
        return plugin.Spec.model_validate(value)
    except UnknownNameError as error:
        raise ValueError(str(error)) from None
    except ValidationError as error:
        # Re-raised as a ValueError so that pydantic reports it at the enclosing field's location.
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}" if where else first["msg"]) from None
