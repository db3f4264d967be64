"""A small name → class registry for everything pluggable: cores, schedules, halting policies, tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class UnknownNameError(KeyError):
    """Raised for a name that nothing registered; the message lists the known names."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class Registry(Generic[T]):
    """Maps names to plugins. Plugins register themselves when their module is imported.

    >>> CORES = Registry("core")
    >>> @CORES.register("mlp")
    ... class MLPCore: ...
    >>> CORES.get("mlp") is MLPCore
    True
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = obj
            # The registry key is load-bearing: it is the `kind` in configs and checkpoints.
            try:
                cast(Any, obj).registry_name = name
            except (AttributeError, TypeError):
                pass
            return obj

        return decorator

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise UnknownNameError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)
