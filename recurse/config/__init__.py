"""Validated configuration: pydantic models with ``extra="forbid"``, built once where data enters."""

from recurse.config.model import DTYPES, ModelConfig, PuzzleEmbeddingConfig

__all__ = ["DTYPES", "ModelConfig", "PuzzleEmbeddingConfig"]
