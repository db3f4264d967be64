"""The text of a dataset's examples: each puzzle and its answer written as the task writes them.

A published dataset carries these beside the token ids (``puzzle_text`` and ``answer_text``) so a person
browsing it on the Hub reads puzzles, not numbers, and so a row's puzzle can be handed to ``recurse
solve`` as it is. The puzzle is ``task.format`` of the decoded inputs; the answer is
``task.format_answer`` of the solution the labels give that puzzle (``task.answer_of``: input-only
positions keep the puzzle's values), which is what ``recurse solve`` prints for a correct answer.
"""

from __future__ import annotations

import numpy as np

from recurse.tasks.base import Task

TEXT_COLUMNS = ("puzzle_text", "answer_text")


def _writes_like_the_base(task: Task) -> bool:
    """Whether the task keeps Task's own token and text conventions, which one array operation can apply
    to all rows at once (one character per value, value v is token v + 1, every position an answer)."""
    kind = type(task)
    inherited = all(
        getattr(kind, name) is getattr(Task, name) for name in ("decode", "format", "format_answer", "answer_of")
    )
    return inherited and task.single_character_symbols()


def _base_texts(task: Task, tokens: np.ndarray) -> list[str]:
    symbols = np.array(list(task.alphabet), dtype="<U1")
    values = np.clip(tokens.astype(np.int64) - 1, 0, len(symbols) - 1)
    cells = np.ascontiguousarray(symbols[values])
    return cells.view(f"<U{tokens.shape[1]}").reshape(-1).tolist()


def example_texts(task: Task, inputs: np.ndarray, labels: np.ndarray) -> tuple[list[str], list[str]]:
    """The puzzle and answer text of each example (rows of ``inputs`` and ``labels`` token ids)."""
    inputs, labels = np.asarray(inputs), np.asarray(labels)
    if len(inputs) == 0:
        return [], []
    if _writes_like_the_base(task):
        positions = task.answer_positions()
        if positions.size == task.seq_len:
            return _base_texts(task, inputs), _base_texts(task, labels)
        answer_tokens = np.array(inputs, copy=True)  # input-only positions keep the puzzle's values
        answer_tokens[:, positions] = labels[:, positions]
        return _base_texts(task, inputs), _base_texts(task, answer_tokens)
    puzzles: list[str] = []
    answers: list[str] = []
    for input_tokens, label_tokens in zip(inputs, labels):
        puzzle = task.decode(input_tokens)
        puzzles.append(task.format(puzzle))
        answers.append(task.format_answer(task.answer_of(puzzle, label_tokens)))
    return puzzles, answers
