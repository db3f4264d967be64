"""Selection rules: which of a puzzle's trajectories gives its answer. Importing this package registers them."""

from recurse.registry import Registry

SELECTIONS: Registry = Registry("selection rule")

from recurse.inference.selection.base import Selection  # noqa: E402
from recurse.inference.selection.checker import FirstValid  # noqa: E402  (registers "checker")
from recurse.inference.selection.confidence import HighestConfidence  # noqa: E402  (registers "confidence")
from recurse.inference.selection.vote import MajorityVote  # noqa: E402  (registers "vote")

__all__ = ["SELECTIONS", "Selection", "FirstValid", "HighestConfidence", "MajorityVote"]
