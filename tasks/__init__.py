"""Puzzle tasks: tokens, checker, symmetries and generator of each, registered by name."""

from recurse.registry import Registry

TASKS: Registry = Registry("task")

__all__ = ["TASKS"]
