"""Building blocks shared by cores and schedules: linear layers, norms, SwiGLU, rotary positions.

``block`` (a post-norm block and a level: a stack of blocks with input injection) is imported from
``recurse.layers.block``; it builds on the layers below and is not re-exported here.
"""

from recurse.layers.init import trunc_normal_
from recurse.layers.linear import CastedEmbedding, CastedLinear
from recurse.layers.norm import rms_norm
from recurse.layers.precision import cast_to, weight_cast_scope
from recurse.layers.rotary import RotaryEmbedding, apply_rotary
from recurse.layers.swiglu import SwiGLU, swiglu_width

__all__ = [
    "CastedEmbedding",
    "CastedLinear",
    "RotaryEmbedding",
    "SwiGLU",
    "apply_rotary",
    "cast_to",
    "rms_norm",
    "swiglu_width",
    "trunc_normal_",
    "weight_cast_scope",
]
