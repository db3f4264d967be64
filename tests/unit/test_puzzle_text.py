"""The text columns of a published dataset: each example's puzzle and answer as its task writes them.

Every built-in task's texts read back (``parse`` and ``parse_answer``) to the puzzle and solution the
tokens encode, augmented copies included; the one-array-operation path taken for tasks that keep Task's
own conventions writes exactly what the task's methods write, for any tokens.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.data import puzzle_text
from recurse.data.puzzle_text import example_texts
from recurse.tasks import Sudoku, build_task

SPECS = [
    {"kind": "sudoku", "box_rows": 2, "box_cols": 2},
    {"kind": "sudoku", "box_rows": 2, "box_cols": 3},
    {"kind": "maze"},
    {"kind": "nqueens"},
    {"kind": "futoshiki"},
    {"kind": "colouring"},
    {"kind": "sat"},
]


def _examples(task, count: int = 3) -> tuple[np.ndarray, np.ndarray, list]:
    rng = np.random.default_rng(7)
    inputs, labels, pairs = [], [], []
    for _ in range(count):
        puzzle, solution = task.generate(rng)
        symmetry = task.random_symmetry(rng)  # an augmented copy is a puzzle of the task too
        for p, s in ((puzzle, solution), (symmetry.apply(puzzle), symmetry.apply(solution))):
            inputs.append(task.encode(p))
            labels.append(task.encode_label(s))
            pairs.append((p, s))
    return np.stack(inputs), np.stack(labels), pairs


def _general(task, inputs, labels):
    """The texts through the task's own methods, row by row."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(puzzle_text, "_writes_like_the_base", lambda task: False)
        return example_texts(task, inputs, labels)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: "-".join(map(str, spec.values())))
def test_each_task_texts_read_back_to_the_examples_puzzle_and_answer(spec):
    task = build_task(spec)
    inputs, labels, pairs = _examples(task)
    puzzles, answers = example_texts(task, inputs, labels)
    assert len(puzzles) == len(answers) == len(pairs)
    for (puzzle, solution), puzzle_line, answer_line in zip(pairs, puzzles, answers):
        assert puzzle_line == task.format(puzzle) and np.array_equal(task.parse(puzzle_line), puzzle)
        assert answer_line == task.format_answer(solution)
        assert np.array_equal(task.parse_answer(puzzle, answer_line), solution)
    assert (puzzles, answers) == _general(task, inputs, labels)


def test_nothing_to_write_for_no_examples():
    task = build_task(SPECS[0])
    empty = np.zeros((0, task.seq_len), dtype=np.uint8)
    assert example_texts(task, empty, empty) == ([], [])


class _HalfAnswered(Sudoku):
    """Task's own text and tokens, but only the first half of the positions are answered."""

    def answer_positions(self) -> np.ndarray:
        return np.arange(self.seq_len // 2)


@pytest.mark.parametrize("task", [build_task(SPECS[0]), _HalfAnswered(box_rows=2, box_cols=2)], ids=["all", "half"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_array_path_writes_what_the_tasks_methods_write_for_any_tokens(task, data):
    assert puzzle_text._writes_like_the_base(task)
    rows = data.draw(st.integers(1, 6))
    tokens = st.lists(st.integers(0, task.vocab_size - 1), min_size=task.seq_len, max_size=task.seq_len)
    inputs = np.array([data.draw(tokens) for _ in range(rows)], dtype=np.uint8)
    labels = np.array([data.draw(tokens) for _ in range(rows)], dtype=np.uint8)  # padding (0) included
    assert example_texts(task, inputs, labels) == _general(task, inputs, labels)
