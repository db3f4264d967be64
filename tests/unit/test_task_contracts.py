"""The contract every task meets, checked with hypothesis on each registered task that has a generator.

``pytest tests/unit/test_task_contracts.py --task-file my_tasks.py`` runs these tests on the tasks that
``my_tasks.py`` registers instead (see docs/tasks.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recurse.tasks import TASKS
from recurse.tasks.base import MAX_VALUES, PAD_TOKEN
from recurse.tasks.budget import GeneratorStalled, stall_limit
from recurse.tasks.constraint import ConstraintGridTask
from recurse.tasks.differences import differences
from recurse.tasks.interactions import interactions_of
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
# Older hypothesis releases (the declared floor among them) sometimes count the two 32-bit seed draws as
# oversized examples; the data-size health check is about generation, not about the task, so it is off.
CONTRACT_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.data_too_large])


STALLED: dict[str, str] = {}  # task name -> why its generator was stopped (later tests fail at once)


def assert_same(task, expected: np.ndarray, actual: np.ndarray, what: str) -> None:
    """Fail with the positions and values that differ (as the task names them), not two long arrays."""
    found = differences(task, expected, actual)
    assert not found, f"{what}: {found}"


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


@CONTRACT_SETTINGS
@given(seed=seeds)
def test_generated_pairs_are_valid_and_round_trip(task_name, seed):
    task, _, puzzle, solution = generated(task_name, seed)
    assert task.is_solution(puzzle, solution), f"the generated solution breaks: {task.violations(puzzle, solution)}"
    task.validate_puzzle(puzzle)
    assert np.shape(puzzle) == task.shape, f"a puzzle is shaped {np.shape(puzzle)}, the task says {task.shape}"
    assert task.encode(puzzle).shape == (task.seq_len,) and task.encode(puzzle).max() < task.vocab_size
    assert_same(task, puzzle, task.decode(task.encode(puzzle)), "decode(encode(puzzle)) is not the puzzle")
    assert_same(task, solution, task.parse(task.format(solution)), "parse(format(solution)) is not the solution")
    assert_same(task, puzzle, task.parse(task.render(puzzle)), "parse(render(puzzle)) is not the puzzle")
    if task.has_answer_parser():  # what --save-gif reads each step with
        answer = task.parse_answer(puzzle, task.format_answer(solution))
        assert_same(task, solution, answer, "parse_answer(puzzle, format_answer(solution)) is not the solution")
    if isinstance(task, ConstraintGridTask):
        result = task.solve_all(puzzle)
        assert result.unique and np.array_equal(result.solutions[0], solution)
    answers = task.count_answers(puzzle, limit=2)
    if answers is not None:
        # Training compares with one label: a task that does not declare several answers must make one.
        assert answers >= 1 if task.several_answers else answers == 1, f"{answers} answer(s)"
    solved = task.solve(puzzle)
    if solved is not None:
        assert task.is_solution(puzzle, solved), (
            f"solve() gives an answer that breaks: {task.violations(puzzle, solved)}"
        )


def test_the_definition_fits_byte_tokens(task_name):
    """Construction already checks it (TaskDefinitionError); this says so where the contract is listed."""
    task = TASKS.get(task_name).Spec(**SMALL.get(task_name, {})).build()
    assert 1 <= len(task.alphabet) <= MAX_VALUES and task.vocab_size <= 256
    task.check_definition()


@CONTRACT_SETTINGS
@given(seed=seeds)
def test_symmetries_keep_solutions_valid_and_invert(task_name, seed):
    task, rng, puzzle, solution = generated(task_name, seed)
    symmetry = task.random_symmetry(rng)
    moved_puzzle, moved_solution = symmetry.apply(puzzle), symmetry.apply(solution)
    assert task.is_solution(moved_puzzle, moved_solution), (
        f"a symmetry breaks the solution: {task.violations(moved_puzzle, moved_solution)}"
    )
    inverse = symmetry.inverse()
    assert_same(task, puzzle, inverse.apply(moved_puzzle), "inverse().apply(apply(puzzle)) is not the puzzle")
    assert_same(task, solution, inverse.apply(moved_solution), "inverse().apply(apply(solution)) is not the solution")
    # Answer positions stay answer positions: the moved label leaves the same positions unscored.
    assert np.array_equal(task.encode_label(moved_solution) == PAD_TOKEN, task.encode_label(solution) == PAD_TOKEN)


@CONTRACT_SETTINGS
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
    assert task.is_solution(puzzle, answer), f"input-only positions were read: {task.violations(puzzle, answer)}"
    assert_same(task, solution, answer, "answer_of(puzzle, tokens) is not the solution")
    assert task.accepts(task.encode(puzzle), labels)
    assert task.render_answer(task.format_answer(answer)).strip(), "recurse solve can print every answer"


@CONTRACT_SETTINGS
@given(seed=seeds)
def test_interactions_fit_and_follow_the_symmetries(task_name, seed):
    """A task that declares its interactions gives tables of its own shape, and a symmetry moves a puzzle's
    interactions with its positions (else an augmented puzzle would carry another puzzle's structure)."""
    task, rng, puzzle, _ = generated(task_name, seed)
    if not task.has_interactions():
        pytest.skip(f"the {task_name} task declares no interactions")
    interactions = interactions_of(task)  # TaskDefinitionError, one line, when the tables do not fit
    symmetry = task.random_symmetry(rng)
    source = np.asarray(symmetry.source)
    before, after = interactions.between(puzzle) > 0, interactions.between(symmetry.apply(puzzle)) > 0
    moved = before[np.ix_(source, source)]
    if not np.array_equal(after, moved):
        i, j = np.argwhere(after != moved)[0]
        pytest.fail(
            f"after a symmetry, {task.describe_position(int(i))} and {task.describe_position(int(j))} "
            f"{'interact' if after[i, j] else 'do not interact'}, but the positions they came from "
            f"{'do' if moved[i, j] else 'do not'}: interactions() must follow the symmetries",
            pytrace=False,
        )
