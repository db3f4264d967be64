"""recurse: recursive reasoners that refine an answer by recursing on a latent state."""

from recurse.builder import build_halting, build_model, build_refiner, build_training_model
from recurse.carry import Carry, DeepSupervision
from recurse.config import ModelConfig
from recurse.cores import CORES
from recurse.errors import (
    CheckpointError,
    ConfigError,
    ConversionError,
    InputFileError,
    PuzzleFormatError,
    RecurseError,
    ResourceError,
)
from recurse.halting import HALTING
from recurse.refiner import RecursiveRefiner
from recurse.registry import Registry
from recurse.schedules import SCHEDULES

__version__ = "0.1.0"

__all__ = [
    "CORES",
    "HALTING",
    "SCHEDULES",
    "Carry",
    "CheckpointError",
    "ConfigError",
    "ConversionError",
    "DeepSupervision",
    "InputFileError",
    "ModelConfig",
    "PuzzleFormatError",
    "RecurseError",
    "RecursiveRefiner",
    "Registry",
    "ResourceError",
    "__version__",
    "build_halting",
    "build_model",
    "build_refiner",
    "build_training_model",
]
