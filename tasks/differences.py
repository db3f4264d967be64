"""Readable differences between two puzzles of a task: which positions differ and what each holds.

A failing contract test (``parse(format(x)) == x`` and the others) says this rather than printing two
long, truncated arrays, so the author sees at once which positions and values their code got wrong.
"""

from __future__ import annotations

import numpy as np

SHOWN = 5  # positions listed in full; the rest are counted


def differences(task, expected: np.ndarray, actual: np.ndarray) -> str:
    """'' when ``actual`` equals ``expected``, else one line: how many positions differ and, for the
    first few, the position as the task names it with the expected and the actual value."""
    expected, actual = np.asarray(expected), np.asarray(actual)
    if expected.shape != actual.shape:
        return f"shape {actual.shape} instead of {expected.shape}"
    where = np.flatnonzero(expected.reshape(-1) != actual.reshape(-1))
    if where.size == 0:
        return ""
    flat_expected, flat_actual = expected.reshape(-1), actual.reshape(-1)
    shown = "; ".join(
        f"{task.describe_position(int(i))}: {_value(task, flat_expected[i])} expected, {_value(task, flat_actual[i])} got"
        for i in where[:SHOWN]
    )
    more = f" (and {where.size - SHOWN} more)" if where.size > SHOWN else ""
    return f"{where.size} of {expected.size} positions differ: {shown}{more}"


def _value(task, value) -> str:
    value = int(value)
    return f"{value} {task.symbol(value)!r}"
