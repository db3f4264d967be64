"""recurse: recursive reasoners that refine an answer by recursing on a latent state."""

from recurse.builder import build_halting, build_model, build_refiner, build_training_model
from recurse.carry import Carry, DeepSupervision
from recurse.config import ModelConfig
from recurse.cores import CORES
from recurse.halting import HALTING
from recurse.refiner import RecursiveRefiner
from recurse.registry import Registry
from recurse.schedules import SCHEDULES

DISTRIBUTION = "recurse-reasoners"  # the name on the package index (pip install recurse-reasoners)


def _installed_version() -> str:
    """The version of the installed distribution: pyproject.toml is the one place it is written."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


__version__ = _installed_version()

__all__ = [
    "CORES",
    "DISTRIBUTION",
    "HALTING",
    "SCHEDULES",
    "Carry",
    "DeepSupervision",
    "ModelConfig",
    "RecursiveRefiner",
    "Registry",
    "__version__",
    "build_halting",
    "build_model",
    "build_refiner",
    "build_training_model",
]
