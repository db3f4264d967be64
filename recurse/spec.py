"""Validated, serialisable specs for pluggable components, dispatched through a registry by ``kind``.

Each plugin class (a core, a schedule, a halting policy) carries a nested ``Spec`` pydantic model whose
``kind`` is its registry name. A config field typed ``Spec`` accepts a plain dict and validates it against
the ``Spec`` of the plugin that ``kind`` names, so third-party plugins need no change here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, ValidationError, model_serializer

from recurse.registry import Registry, UnknownNameError


class Spec(BaseModel):
    """Base of every plugin spec: forbids unknown keys and carries the registry ``kind``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    # Fields that only say how a dataset is built (ARC's subsets, a generator's clues): left out of the
    # serialised spec while unset, so a spec that never used them reads as it did before they existed.
    build_options: ClassVar[tuple[str, ...]] = ()

    def build(self, *args: Any, **kwargs: Any) -> Any:
        """The plugin this spec describes; each plugin's ``Spec`` overrides it with its own type."""
        raise NotImplementedError(f"{type(self).__name__} does not build a plugin")

    @model_serializer(mode="wrap")
    def _without_unset_build_options(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.build_options and isinstance(data, dict):
            for name in self.build_options:
                if data.get(name) is None:
                    data.pop(name, None)
        return data


def validate_spec(registry: Registry[Any], value: Any) -> Spec:
    """Turn a dict (or a spec) into the ``Spec`` of the plugin its ``kind`` names."""
    if isinstance(value, Spec):
        return value
    if not isinstance(value, dict) or "kind" not in value:
        raise ValueError(f"expected a mapping with a 'kind' (one of: {', '.join(registry.names())})")
    if not isinstance(value["kind"], str):
        raise ValueError(f"kind must be a name, one of: {', '.join(registry.names())}")
    try:
        plugin = registry.get(value["kind"])
        spec: Spec = plugin.Spec.model_validate(value)
        return spec
    except UnknownNameError as error:
        raise ValueError(str(error)) from None
    except ValidationError as error:
        # Re-raised as a ValueError so that pydantic reports it at the enclosing field's location.
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}" if where else first["msg"]) from None
