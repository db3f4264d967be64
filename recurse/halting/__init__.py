"""Halting policies: when a sample stops being refined. Importing this package registers them."""

from recurse.registry import Registry

HALTING: Registry = Registry("halting policy")

from recurse.halting.base import HaltingPolicy  # noqa: E402
from recurse.halting.fixed import FixedSteps  # noqa: E402  (registers "fixed")
from recurse.halting.q_continue import QContinue  # noqa: E402  (registers "q_continue")
from recurse.halting.q_halt import QHalt  # noqa: E402  (registers "q_halt")
from recurse.halting.threshold import Threshold  # noqa: E402  (registers "threshold")



def inference_policy(kind: str, *, max_steps: int, threshold: float | None = None) -> HaltingPolicy:
    """A policy for evaluation or solving by name; ``threshold`` applies to the ``threshold`` policy."""
    from recurse.spec import validate_spec

    spec = {"kind": kind, "max_steps": max_steps}
    if threshold is not None and kind == "threshold":
        spec["threshold"] = threshold
    return validate_spec(HALTING, spec).build()


__all__ = ["HALTING", "inference_policy", "FixedSteps", "HaltingPolicy", "QContinue", "QHalt", "Threshold"]
