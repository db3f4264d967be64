"""Recursion schedules: how a supervision step calls the levels. Importing this package registers them."""

from recurse.registry import Registry

SCHEDULES: Registry = Registry("schedule")

from recurse.schedules.base import Schedule, State  # noqa: E402
from recurse.schedules.hier import HierSchedule  # noqa: E402  (registers "hier")
from recurse.schedules.hrm import HRMSchedule  # noqa: E402  (registers "hrm")
from recurse.schedules.none import NoRecursion  # noqa: E402  (registers "none")
from recurse.schedules.single_z import SingleZSchedule  # noqa: E402  (registers "single_z")
from recurse.schedules.trm import TRMSchedule  # noqa: E402  (registers "trm")

__all__ = [
    "SCHEDULES",
    "HRMSchedule",
    "HierSchedule",
    "NoRecursion",
    "Schedule",
    "SingleZSchedule",
    "State",
    "TRMSchedule",
]
