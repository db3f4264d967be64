"""recurse: recursive reasoners that refine an answer by recursing on a latent state.

The names below load on first use, so ``import recurse`` (and with it every ``recurse --help``) does not
import torch; ``from recurse import build_model`` works as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The library's errors are light (no torch) and are what callers catch, so they load at once.
from recurse.errors import (
    CheckpointError,
    ConfigError,
    ConversionError,
    DatasetError,
    InputFileError,
    PuzzleFormatError,
    RecurseError,
    ResourceError,
)

# Public name -> the module that defines it.
_EXPORTS = {
    "build_halting": "recurse.model.builder",
    "build_model": "recurse.model.builder",
    "build_refiner": "recurse.model.builder",
    "build_training_model": "recurse.training.step",
    "Carry": "recurse.model.carry",
    "DeepSupervision": "recurse.model.carry",
    "ModelConfig": "recurse.config",
    "CORES": "recurse.cores",
    "HALTING": "recurse.halting",
    "RecursiveRefiner": "recurse.model.refiner",
    "Registry": "recurse.registry",
    "SCHEDULES": "recurse.schedules",
}

# Written out (not computed from _EXPORTS) so that linters and type checkers can read it; a test checks
# that it names every lazy export.
__all__ = [
    "CORES",
    "Carry",
    "CheckpointError",
    "ConfigError",
    "ConversionError",
    "DatasetError",
    "DISTRIBUTION",
    "DeepSupervision",
    "HALTING",
    "InputFileError",
    "ModelConfig",
    "PuzzleFormatError",
    "RecurseError",
    "RecursiveRefiner",
    "Registry",
    "ResourceError",
    "SCHEDULES",
    "__version__",
    "build_halting",
    "build_model",
    "build_refiner",
    "build_training_model",
]

DISTRIBUTION = "recurse-reasoners"  # the name on the package index (pip install recurse-reasoners)

if TYPE_CHECKING:
    from recurse.config import ModelConfig
    from recurse.cores import CORES
    from recurse.halting import HALTING
    from recurse.model.builder import build_halting, build_model, build_refiner
    from recurse.model.carry import Carry, DeepSupervision
    from recurse.model.refiner import RecursiveRefiner
    from recurse.registry import Registry
    from recurse.schedules import SCHEDULES
    from recurse.training.step import build_training_model

    __version__: str


def _package_version() -> str:
    """The installed distribution's version: pyproject.toml is the one place it is written."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"  # run from a source tree that was never installed


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _package_version()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'recurse' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS, "__version__"])
