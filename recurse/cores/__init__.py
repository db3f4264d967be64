"""Cores: the token-mixing sublayer of a block. Importing this package registers the built-in ones."""

from recurse.registry import Registry

CORES: Registry = Registry("core")

from recurse.cores.attention import AttentionCore  # noqa: E402  (registers "attention")
from recurse.cores.mlp import MLPCore  # noqa: E402  (registers "mlp")

__all__ = ["CORES", "AttentionCore", "MLPCore"]
