"""Halting policies: when a sample stops being refined. Importing this package registers them."""

from recurse.registry import Registry

HALTING: Registry = Registry("halting policy")

# The policies register before the inference entry point that reads them.
# isort: off
from recurse.halting.base import HaltingPolicy  # noqa: E402
from recurse.halting.fixed import FixedSteps  # noqa: E402  (registers "fixed")
from recurse.halting.q_continue import QContinue  # noqa: E402  (registers "q_continue")
from recurse.halting.q_halt import QHalt  # noqa: E402  (registers "q_halt")
from recurse.halting.threshold import Threshold  # noqa: E402  (registers "threshold")
from recurse.halting.inference import inference_halting, inference_policy  # noqa: E402
# isort: on


__all__ = [
    "HALTING",
    "inference_halting",
    "inference_policy",
    "FixedSteps",
    "HaltingPolicy",
    "QContinue",
    "QHalt",
    "Threshold",
]
