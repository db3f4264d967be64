"""Puzzles for the page: a few examples and a "new puzzle" from the task's generator, with the number of
givens as the difficulty where the task has one (Sudoku's ``clues``)."""

from __future__ import annotations

import numpy as np

from recurse.errors import RecurseError
from recurse.tasks import Task, build_task

EXAMPLE_SEEDS = (0, 1, 2)  # seeded, so the examples of a model are the same on every page
DIFFICULTY_FIELD = "clues"  # a task parameter the generator stops at: fewer givens, a harder puzzle


def examples(task: Task) -> list[str]:
    """A few puzzles of the task in its text format (none for a task without a generator)."""
    if not task.has_generator():
        return []
    return [task.format(task.generate(np.random.default_rng(seed))[0]) for seed in EXAMPLE_SEEDS]


def givens_range(task: Task) -> tuple[int, int] | None:
    """(fewest, most) givens a person may ask the generator for, or None when the task has no such knob."""
    spec = getattr(type(task), "Spec", None)
    if not task.has_generator() or spec is None or DIFFICULTY_FIELD not in spec.model_fields:
        return None
    return 0, task.seq_len - 1


def new_puzzle(task: Task, seed: int, givens: int | None = None) -> str:
    """A fresh puzzle from the generator; ``givens`` (0 or None: as few as keep one answer) where supported."""
    if not task.has_generator():
        raise RecurseError(f"the {task.name} task has no generator; type a puzzle or pick an example")
    if givens and givens_range(task) is not None:
        task = build_task({**task.spec(), DIFFICULTY_FIELD: int(givens)})
    return task.format(task.generate(np.random.default_rng(seed))[0])
