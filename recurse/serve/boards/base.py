"""A board draws one task's puzzles on the page: a step of the refinement as HTML, and the editor a person
uses to enter a puzzle (or none, where the task's text format is the editor).

``Frame`` is what every board draws: the puzzle, the answer at this step and at the step before, and the
network's confidence in each answer position.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from recurse.tasks import Task

# Colours shared by every board and the legend (the GIF of ``recurse solve --save-gif`` uses the same roles).
GIVEN = "#c7d6ed"  # a clue of the puzzle
CHANGED = "#f59e0b"  # an answer position this step changed (an outline)
BROKEN = "#ef4444"  # a given the network overwrote
CONFIDENT = (46, 160, 67)  # the shade of a filled position; its depth is the network's confidence


@dataclass
class Frame:
    """One step of a refinement as a board draws it (``index`` 0 is the puzzle before any step)."""

    puzzle: str  # the task's one-line text of the puzzle
    answer: str | None  # the answer text at this step (None for the puzzle itself)
    previous: str | None  # the answer text one step earlier (None at the first step)
    confidence: list[float] | None  # per answer position, at this step
    index: int
    total: int
    title: str | None = None  # what the caption says instead of "step i of n"


def confidence_shade(confidence: float) -> str:
    """The background of a filled position: pale when the network is unsure, deep when it is sure."""
    alpha = 0.12 + 0.63 * min(max(float(confidence), 0.0), 1.0)
    r, g, b = CONFIDENT
    return f"rgba({r},{g},{b},{alpha:.2f})"


def caption(frame: Frame) -> str:
    if frame.title:
        return frame.title
    if frame.index == 0:
        return "the puzzle"
    return f"step {frame.index} of {frame.total}"


def escape(text: str) -> str:
    return html.escape(text, quote=True)


class Board:
    """Draws a task's frames; boards without an editor leave puzzle entry to the text box."""

    editor_kind: str | None = None  # the page's JavaScript editor for this board: "cells", "maze" or None

    def render(self, task: Task, frame: Frame) -> str:
        raise NotImplementedError

    def legend(self) -> list[tuple[str, str]]:
        """(swatch CSS, meaning) of each colour the board uses; the swatch "confidence" is the shading scale."""
        return [
            (f"background:{GIVEN}", "given"),
            ("confidence", "filled by the network: pale unsure, deep sure"),
            (f"box-shadow:inset 0 0 0 3px {CHANGED}", "changed at this step"),
            (f"background:{BROKEN}", "a given the network overwrote"),
        ]

    def editor_value(self, task: Task, text: str) -> dict | None:
        """The editor's state for puzzle ``text`` (None: this board has no editor, or the text is not a puzzle)."""
        return None

    def text_of(self, task: Task, value: dict) -> str:
        """The puzzle text of an editor state (the task's own text format)."""
        raise NotImplementedError


def answer_confidence(task: Task, confidence: list[float] | None) -> np.ndarray:
    """[seq_len] confidence at every position, NaN at input-only positions (and everywhere when unknown)."""
    full = np.full(task.seq_len, np.nan)
    if confidence is not None:
        positions = task.answer_positions()
        if len(confidence) == len(positions):
            full[positions] = confidence
    return full
