"""Old module paths that moved into packages: shims that warn once and forward every name, and the lazy names
of a package that took the place of a module of its name."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any


def moved(old: str, new: str) -> Callable[[str], Any]:
    """Warn that ``old`` is deprecated in favour of ``new``; returns the shim's module ``__getattr__``."""
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; import from {new} instead",
        DeprecationWarning,
        stacklevel=3,
    )

    def forward(name: str) -> Any:
        return getattr(importlib.import_module(new), name)

    return forward


def names_of(package: str, module: str, names: tuple[str, ...]) -> tuple[Callable[[str], Any], Callable[[], list]]:
    """``__getattr__`` and ``__dir__`` for a package that took the place of a module of its name: ``names``
    of ``module`` (a submodule) load from there on first use, so the package itself stays light."""

    def forward(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def listing() -> list[str]:
        return sorted([*vars(importlib.import_module(package)), *names])

    return forward, listing
