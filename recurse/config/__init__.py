"""Validated configuration: pydantic models with ``extra="forbid"``, built once where data enters."""

from recurse.config.expected import ExpectedResult
from recurse.config.model import DTYPES, ModelConfig, PuzzleEmbeddingConfig
from recurse.config.overrides import apply_overrides, validate_config
from recurse.config.run import (
    DataBuildConfig,
    DataConfig,
    EvaluationConfig,
    LoggingConfig,
    RunConfig,
    RuntimeConfig,
    TrainingConfig,
)

__all__ = [
    "DTYPES",
    "DataBuildConfig",
    "DataConfig",
    "EvaluationConfig",
    "ExpectedResult",
    "LoggingConfig",
    "ModelConfig",
    "PuzzleEmbeddingConfig",
    "RunConfig",
    "RuntimeConfig",
    "TrainingConfig",
    "apply_overrides",
    "validate_config",
]
