"""Inference strategies: how many trajectories answer a puzzle and how they differ (``greedy``, ``sample``,
``restart``), beside cores, schedules and halting policies. Importing this package registers them."""

from recurse.registry import Registry

STRATEGIES: Registry = Registry("inference strategy")

from recurse.inference.strategies.base import Answers, Strategy  # noqa: E402
from recurse.inference.strategies.greedy import Greedy  # noqa: E402  (registers "greedy")
from recurse.inference.strategies.restart import Restart  # noqa: E402  (registers "restart")
from recurse.inference.strategies.sample import Sample  # noqa: E402  (registers "sample")

__all__ = ["STRATEGIES", "Answers", "Strategy", "Greedy", "Restart", "Sample"]
