"""Converters from other checkpoint formats to recurse checkpoints."""

from recurse.convert.official import (
    convert_official_checkpoint,
    official_arch_to_config,
    official_name_to_recurse,
    official_state_dict_to_recurse,
)

__all__ = [
    "convert_official_checkpoint",
    "official_arch_to_config",
    "official_name_to_recurse",
    "official_state_dict_to_recurse",
]
