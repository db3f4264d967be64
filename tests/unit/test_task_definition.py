"""A task declares its positions and values directly when it is not a grid; a definition that cannot work
fails where it is built, in one line; symmetries may map values per position; and a failing contract test
names the positions and values that differ."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.errors import PuzzleFormatError, RecurseError, TaskDefinitionError
from recurse.plugins import load_plugin_file
from recurse.tasks import TASKS, PositionwiseSymmetry, Sudoku, Task, build_task
from recurse.tasks.differences import differences
from tests.task_files import run_contract_tests

ROOT = Path(__file__).parents[2]
PARITY_FILE = ROOT / "tests" / "fixtures" / "tasks" / "parity_chain.py"


def parity_task(variables: int = 5):
    load_plugin_file(PARITY_FILE)
    return TASKS.get("parity_chain").Spec(variables=variables).build()


class _Bare(Task):
    """The least a task is: a checker and symmetries; positions and values come from the tests."""

    def violations(self, puzzle, answer):
        return []

    def random_symmetry(self, rng):
        return PositionwiseSymmetry.identity(self.seq_len, len(self.alphabet))


def bare(**attributes) -> Task:
    return type("Made", (_Bare,), attributes)()


def test_positions_and_values_declared_directly_make_flat_puzzles_and_their_own_text():
    task = parity_task(4)
    assert task.drawn_as() is None and not task.is_grid() and not hasattr(task, "rows")
    assert task.seq_len == 7 and task.shape == (7,) and task.describe() == "parity_chain of 7 positions"
    puzzle, solution = task.generate(np.random.default_rng(0))
    assert puzzle.shape == (7,) and task.decode(task.encode(puzzle)).shape == (7,)
    text = task.format(puzzle)  # multi-character symbols: one per position, separated by spaces
    assert len(text.split()) == 7 and "^" in text and np.array_equal(task.parse(text), puzzle)
    assert task.render(puzzle) == text, "no rows or cols to draw: one line"
    with pytest.raises(PuzzleFormatError, match="expected 7 cells"):
        task.parse("? ? ?")
    with pytest.raises(PuzzleFormatError, match="unexpected symbol"):
        task.parse(text.replace("?", "maybe", 1))
    assert task.describe_position(1) == "x1" and task.describe_position(5) == "constraint 1"
    assert np.array_equal(task.solve(puzzle), solution)


def test_rows_and_cols_beside_seq_len_only_say_how_to_draw():
    drawn = bare(alphabet="ab", seq_len=6, rows=2, cols=3)
    assert drawn.shape == (6,) and drawn.render(np.array([0, 1, 0, 1, 1, 0])) == "aba\nbba"
    with pytest.raises(TaskDefinitionError, match="rows × cols must equal seq_len"):
        bare(alphabet="ab", seq_len=6, rows=2, cols=2)


def test_grid_tasks_keep_their_shape_and_text():
    sudoku = Sudoku(2, 2)
    assert sudoku.is_grid() and sudoku.shape == (4, 4) and sudoku.describe().startswith("4×4 sudoku")
    assert sudoku.describe_position(5) == "row 2, column 2"
    assert sudoku.format(sudoku.parse("1..." * 4)) == "1..." * 4


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"alphabet": [f"s{i}" for i in range(300)], "seq_len": 4}, "300 values, but tokens are stored as bytes"),
        ({"alphabet": "ab"}, "declares neither seq_len nor rows and cols"),
        ({"alphabet": "ab", "seq_len": 0}, "must be a positive integer"),
        ({"alphabet": "", "seq_len": 3}, "has no values"),
        ({"alphabet": [1, 2], "seq_len": 3}, "a list of strings"),
        ({"alphabet": "ab", "seq_len": 3, "answer_positions": lambda self: np.array([0, 3])}, "outside its 3"),
    ],
)
def test_a_definition_that_cannot_work_fails_when_built_in_one_line(attributes, message):
    with pytest.raises(TaskDefinitionError, match=message) as raised:
        bare(**attributes)
    assert "\n" not in str(raised.value) and isinstance(raised.value, RecurseError)


def test_255_values_are_the_most_a_byte_token_holds():
    task = bare(alphabet=[f"s{i}" for i in range(255)], seq_len=2)
    assert task.vocab_size == 256 and task.encode(np.array([254, 0])).tolist() == [255, 1]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), positions=st.integers(1, 12), values=st.integers(1, 6))
def test_a_positionwise_symmetry_inverts_exactly(seed, positions, values):
    rng = np.random.default_rng(seed)
    maps = np.stack([rng.permutation(values) for _ in range(positions)])
    symmetry = PositionwiseSymmetry(rng.permutation(positions), maps)
    grid = rng.integers(0, values, positions)
    moved = symmetry.apply(grid)
    assert np.array_equal(symmetry.inverse().apply(moved), grid)
    assert np.array_equal(moved, [maps[i, grid[symmetry.source[i]]] for i in range(positions)])


def test_the_example_symmetry_maps_values_per_position():
    task = parity_task(5)
    rng = np.random.default_rng(3)
    puzzle, solution = task.generate(rng)
    symmetry = task.random_symmetry(rng)
    flipped = np.flatnonzero(symmetry.apply(solution)[:5] != solution[:5])
    assert flipped.size and flipped.size < 5, "some variables flip, others keep their value"
    assert task.is_solution(symmetry.apply(puzzle), symmetry.apply(solution))


def test_differences_name_positions_and_values():
    task = parity_task(4)
    puzzle, solution = task.generate(np.random.default_rng(1))
    wrong = solution.copy()
    wrong[2] = 3 - wrong[2]
    found = differences(task, solution, wrong)
    assert found.startswith("1 of 7 positions differ: x2: ") and "expected" in found and "got" in found
    assert differences(task, solution, solution) == ""
    assert "shape" in differences(task, solution, solution[:3])
    many = differences(Sudoku(2, 2), np.zeros((4, 4), dtype=int), np.ones((4, 4), dtype=int))
    assert (
        many.startswith("16 of 16 positions differ: row 1, column 1: 0 '.' expected, 1 '1' got") and "11 more" in many
    )


def test_a_spec_that_builds_a_broken_task_is_one_line():
    load_plugin_file(PARITY_FILE)
    with pytest.raises(RecurseError, match="parity_chain"):
        build_task({"kind": "parity_chain", "variables": 1})


def test_contract_tests_pass_the_non_grid_example_and_show_what_a_broken_format_gets_wrong(tmp_path):
    passed = run_contract_tests("--task-file", str(PARITY_FILE), "-q")
    assert passed.returncode == 0 and "4 passed" in passed.stdout, passed.stdout[-2000:]
    # The same task with a format that writes every '1' as '0': the failure names the variables.
    broken = tmp_path / "broken_parity.py"
    broken.write_text(
        PARITY_FILE.read_text().replace('register("parity_chain")', 'register("broken_parity")')
        + "\n\ndef _format(self, grid):\n"
        + "    return ' '.join('0' if self.alphabet[v] == '1' else self.alphabet[v] for v in grid.reshape(-1))\n\n"
        + "ParityChain.format = _format\n"
    )
    failed = run_contract_tests("--task-file", str(broken), "-q", "-k", "round_trip")
    assert failed.returncode == 1
    assert "parse(format(solution)) is not the solution:" in failed.stdout
    assert "positions differ: x" in failed.stdout and "'1' expected, " in failed.stdout and "'0' got" in failed.stdout


def test_contract_tests_and_construction_refuse_a_300_symbol_alphabet(tmp_path):
    failed = run_contract_tests("--task-file", str(ROOT / "tests" / "fixtures" / "tasks" / "big_alphabet.py"), "-q")
    assert failed.returncode != 0
    assert "the big_alphabet task has 300 values, but tokens are stored as bytes" in failed.stdout + failed.stderr
