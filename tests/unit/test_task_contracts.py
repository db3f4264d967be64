"""The contract every task meets, checked with hypothesis on each registered task that has a generator.

``pytest tests/unit/test_task_contracts.py --task-file my_tasks.py`` runs these tests on the tasks that
``my_tasks.py`` registers instead (see docs/tasks.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.tasks import TASKS
from recurse.tasks.base import PAD_TOKEN
from recurse.tasks.budget import GeneratorStalled, stall_limit
from recurse.tasks.constraint import ConstraintGridTask
from tests.task_files import tasks_in_file

STALL_SECONDS = [60.0]  # set from pytest's --stall-seconds

# Small instances keep generation fast; a task not listed here is tested with its default spec.
SMALL = {
    "sudoku": {"box_rows": 2, "box_cols": 2},
    "maze": {"size": 8, "min_path": 6},
    "nqueens": {"size": 6},
    "futoshiki": {"size": 4},
    "colouring": {"vertices": 8, "max_edges": 14},
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "task_name" not in metafunc.fixturenames:
        return
    files = metafunc.config.getoption("task_file")
    STALL_SECONDS[0] = metafunc.config.getoption("stall_seconds")
    # Tasks whose data come only from files (ARC) have their own tests of the same properties.
    names = (
        [n for f in files for n in tasks_in_file(f)]
        if files
        else [n for n in TASKS.names() if TASKS.get(n).has_generator()]
    )
    metafunc.parametrize("task_name", names)


seeds = st.integers(min_value=0, max_value=2**32 - 1)


STALLED: dict[str, str] = {}  # task name -> why its generator was stopped (later tests fail at once)


def generated(name: str, seed: int):
    """A small instance of task ``name``, a generator seeded with ``seed``, and one generated pair.

    A generator that returns nothing for ``--stall-seconds`` fails the test with one line (a plugin's
    ``generate()`` may loop for ever), and every later test of that task fails at once with the same line.
    """
    task = TASKS.get(name).Spec(**SMALL.get(name, {})).build()
    if not task.has_generator():
        pytest.skip(f"the {name} task has no generator")
    if name not in STALLED:
        rng = np.random.default_rng(seed)
        try:
            with stall_limit(f"the generator of {task.describe()}", STALL_SECONDS[0]):
                return task, rng, *task.generate(rng)
        except GeneratorStalled as error:
            STALLED[name] = str(error)
    pytest.fail(STALLED[name], pytrace=False)  # one place, so hypothesis sees one failure, not several


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_generated_pairs_are_valid_and_round_trip(task_name, seed):
    task, _, puzzle, solution = generated(task_name, seed)
    assert task.is_solution(puzzle, solution)
    task.validate_puzzle(puzzle)
    assert task.encode(puzzle).shape == (task.seq_len,) and task.encode(puzzle).max() < task.vocab_size
    assert np.array_equal(task.decode(task.encode(puzzle)), puzzle)
    assert np.array_equal(task.parse(task.format(solution)), solution)
    assert np.array_equal(task.parse(task.render(puzzle)), puzzle)
    if isinstance(task, ConstraintGridTask):
        result = task.solve_all(puzzle)
        assert result.unique and np.array_equal(result.solutions[0], solution)
    answers = task.count_answers(puzzle, limit=2)
    if answers is not None:
        # Training compares with one label: a task that does not declare several answers must make one.
        assert answers >= 1 if task.several_answers else answers == 1, f"{answers} answer(s)"
    solved = task.solve(puzzle)
    if solved is not None:
        assert task.is_solution(puzzle, solved)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_symmetries_keep_solutions_valid_and_invert(task_name, seed):
    task, rng, puzzle, solution = generated(task_name, seed)
    symmetry = task.random_symmetry(rng)
    moved_puzzle, moved_solution = symmetry.apply(puzzle), symmetry.apply(solution)
    assert task.is_solution(moved_puzzle, moved_solution)
    inverse = symmetry.inverse()
    assert np.array_equal(inverse.apply(moved_puzzle), puzzle)
    assert np.array_equal(inverse.apply(moved_solution), solution)
    # Answer positions stay answer positions: the moved label leaves the same positions unscored.
    assert np.array_equal(task.encode_label(moved_solution) == PAD_TOKEN, task.encode_label(solution) == PAD_TOKEN)


@settings(max_examples=15, deadline=None)
@given(seed=seeds, noise=seeds)
def test_only_answer_positions_are_labelled_and_read(task_name, seed, noise):
    task, _, puzzle, solution = generated(task_name, seed)
    positions = task.answer_positions()
    labels, tokens = task.encode_label(solution), task.encode(solution)
    assert positions.size and np.array_equal(labels[positions], tokens[positions])
    assert (np.delete(labels, positions) == PAD_TOKEN).all(), "input-only positions carry the ignore label"
    # Whatever a model writes at input-only positions is never read back: the answer is still right.
    scrambled = tokens.copy()
    others = np.setdiff1d(np.arange(task.seq_len), positions)
    scrambled[others] = np.random.default_rng(noise).integers(0, task.vocab_size, others.size)
    answer = task.answer_of(puzzle, scrambled)
    assert task.is_solution(puzzle, answer) and np.array_equal(answer, solution)
    assert task.accepts(task.encode(puzzle), labels)
    assert task.render_answer(task.format_answer(answer)).strip(), "recurse solve can print every answer"
