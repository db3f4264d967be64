"""Answer sets: the answers a task's checker accepts, listed beside the label for tasks with several.

Training against the checker (docs/tasks.md, "Several valid answers") needs, for each example, the valid
answers it may take as its target. At build time a task that declares ``several_answers`` and can list them
(``Task.answers``) has up to ``limit`` of them stored per example as ``all__answers.npy`` ([N, limit, A]
tokens at the task's A answer positions; a row of zeros is no answer) and ``all__answer_positions.npy``
([A]). Augmented copies store their answers moved by the same symmetry as their puzzle. Every other task's
dataset is written exactly as before.
"""

from __future__ import annotations

import numpy as np

from recurse.errors import RecurseError
from recurse.tasks.base import Task

DEFAULT_LIMIT = 64


def list_answers(task: Task, puzzle: np.ndarray, solution: np.ndarray, limit: int) -> list[np.ndarray]:
    """Up to ``limit`` answers of ``puzzle``, the label ``solution`` always among them."""
    found = task.answers(puzzle, limit)
    if found is None:
        raise RecurseError(
            f"the {task.name} task lists answers but listed none for a puzzle; its answers() must "
            "return the valid answers of every puzzle it generates"
        )
    found = [np.asarray(a) for a in found]
    if not any(np.array_equal(a, solution) for a in found):  # a truncated list may miss it
        found = [np.asarray(solution), *found][:limit]
    return found


def answer_tokens(task: Task, answers: list[np.ndarray], limit: int) -> np.ndarray:
    """[limit, A] uint8: each answer's tokens at the answer positions, then rows of zeros (no answer)."""
    positions = task.answer_positions()
    tokens = np.zeros((limit, positions.size), dtype=np.uint8)
    for row, answer in enumerate(answers[:limit]):
        tokens[row] = task.encode(answer)[positions]
    return tokens
