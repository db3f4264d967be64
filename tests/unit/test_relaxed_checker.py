"""The relaxed checker: on one-hot answers it counts exactly the rules the checker sees broken, and as a
loss term it pushes the distribution towards answers that break none."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.config import ModelConfig
from recurse.errors import ConfigError
from recurse.losses.relaxed_checker import RelaxedCheckerLoss
from recurse.tasks import build_task

TASKS = {
    "sat": {"kind": "sat", "variables": 8, "clauses": 30},
    "colouring-edges": {"kind": "colouring", "vertices": 8, "max_edges": 14, "unique": False, "layout": "edges"},
    "colouring-adjacency": {"kind": "colouring", "vertices": 6, "max_edges": 10},
    "colouring-rows": {"kind": "colouring", "vertices": 6, "max_edges": 10, "layout": "rows"},
}


def broken_rules(task, puzzle: np.ndarray, answer: np.ndarray) -> int:
    """Unsatisfied clauses, or edges whose two ends share a colour, counted from the puzzle's own text form."""
    if task.name == "sat":
        values = np.asarray(answer).reshape(-1)[: task.n]
        literals = task.literals(puzzle)
        truth = np.where(literals > 0, values[np.abs(literals) - 1] == 2, values[np.abs(literals) - 1] == 1)
        return int((~truth.any(-1)).sum())
    colours = np.asarray(answer).reshape(-1)[task.answer_positions()]
    return sum(colours[u] == colours[w] for u, w in task.edges(puzzle))


@pytest.mark.parametrize("name", sorted(TASKS))
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31))
def test_one_hot_answers_count_the_broken_rules(name, seed):
    task = build_task(TASKS[name])
    rng = np.random.default_rng(seed)
    puzzle, solution = task.generate(rng)
    answer = np.array(solution, copy=True).reshape(-1)
    positions = task.answer_positions()
    values = [2, 1] if name == "sat" else list(range(1, task.k + 1))  # 'T'/'F', or the colours
    # Random values at the positions to fill; the givens (colours given with the puzzle) stay.
    blank = positions[np.asarray(puzzle).reshape(-1)[positions] == task.blank]
    answer[blank] = rng.choice(values, size=blank.size)
    tokens = torch.as_tensor(task.encode(puzzle)).long()[None]
    for candidate, expected in ((solution, 0), (answer, broken_rules(task, puzzle, answer))):
        onehot = torch.nn.functional.one_hot(torch.as_tensor(task.encode(candidate)).long(), task.vocab_size)
        broken = task.relaxed_violations(tokens, onehot.float()[None])
        assert broken.sum().item() == pytest.approx(expected)
    assert (broken_rules(task, puzzle, answer) == 0) == task.is_solution(puzzle, answer.reshape(np.shape(puzzle)))


def test_the_term_moves_a_distribution_towards_a_valid_answer():
    task = build_task(TASKS["sat"])
    puzzle, _ = task.generate(np.random.default_rng(3))
    tokens = torch.as_tensor(task.encode(puzzle)).long()[None]
    logits = torch.zeros(1, task.seq_len, task.vocab_size, requires_grad=True)
    term = RelaxedCheckerLoss(task)
    optimiser = torch.optim.Adam([logits], lr=0.3)

    class Carry:
        batch = {"inputs": tokens}

    class Outputs:
        pass

    outputs = Outputs()
    first = None
    for _ in range(200):
        outputs.logits = logits
        loss = term(Carry(), outputs).loss
        first = loss.item() if first is None else first
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    answer = task.decode(np.asarray(logits.argmax(-1)[0])).copy()
    answer[task.n :] = puzzle[task.n :]
    assert loss.item() < first / 10 and task.is_solution(puzzle, answer)


def test_a_task_without_a_relaxation_is_one_line():
    config = ModelConfig()
    with pytest.raises(ConfigError, match="relaxed_violations"):
        RelaxedCheckerLoss.from_spec(
            RelaxedCheckerLoss.Spec(), task=build_task({"kind": "sudoku"}), model_config=config
        )
