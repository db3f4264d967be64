"""Steerable exact search: every answer passes the checker whatever the prior, unsolvable puzzles are
proven so, and a trained network's distribution cuts the search against smallest-domain-first."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.errors import RecurseError
from recurse.inference.verification import NoExactSolverError, cell_prior, search_problem, verify
from recurse.tasks import Maze, Sudoku
from recurse.tasks.examples.futoshiki import Futoshiki
from recurse.tasks.examples.nqueens import NQueens
from recurse.tasks.search import SOLVED, UNSOLVABLE

seeds = st.integers(min_value=0, max_value=2**32 - 1)
# A well-known hard 9×9 puzzle ("AI Escargot"), which singles alone do not crack.
HARD_9X9 = "1....7.9..3..2...8..96..5....53..9...1..8...26....4...3......1..4......7..7...3.."


def _random_prior(task, rng: np.random.Generator) -> np.ndarray:
    """An arbitrary distribution over each cell's values: right, wrong or flat, the search must cope."""
    return rng.dirichlet(np.full(len(task.alphabet), 0.3), size=task.seq_len)


def _prior_towards(task, solution: np.ndarray, confidence: float) -> np.ndarray:
    prior = np.full((task.seq_len, len(task.alphabet)), (1 - confidence) / (len(task.alphabet) - 1))
    prior[np.arange(task.seq_len), np.asarray(solution).reshape(-1)] = confidence
    return prior


TASKS = {
    "sudoku 4×4": lambda: Sudoku(2, 2),
    "sudoku 6×6": lambda: Sudoku(2, 3),
    "futoshiki 4": lambda: Futoshiki(4),
    "nqueens 6": lambda: NQueens(6),
    "maze 9": lambda: Maze(9, min_path=2, style="perfect"),
    "maze 10 open": lambda: Maze(10, min_path=8),
}


@pytest.mark.parametrize("name", list(TASKS))
@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_every_answer_passes_the_checker(name, seed):
    task = TASKS[name]()
    rng = np.random.default_rng(seed)
    puzzle, solution = task.generate(rng)
    problem = search_problem(task, puzzle)
    for prior in (None, _random_prior(task, rng), _prior_towards(task, solution, 0.9)):
        result = problem.search(prior)
        assert result.status == SOLVED and task.is_solution(puzzle, result.answer)
        assert result.nodes >= 1


@settings(max_examples=30, deadline=None)
@given(seed=seeds, blanks=st.integers(min_value=4, max_value=16))
def test_guided_and_plain_agree_on_whether_a_partial_grid_has_a_solution(seed, blanks):
    """Random givens taken from no solution: whatever the verdict, both orders reach it, and it matches
    a solution count by the independent solver."""
    task = Sudoku(2, 2)
    rng = np.random.default_rng(seed)
    puzzle = np.zeros(16, dtype=np.int64)
    for cell in rng.permutation(16)[: 16 - blanks]:
        puzzle[cell] = rng.integers(1, 5)
    puzzle = puzzle.reshape(4, 4)
    has_solution = bool(task.solver.solve(puzzle, limit=1).solutions)
    problem = search_problem(task, puzzle)
    for prior in (None, _random_prior(task, rng)):
        result = problem.search(prior)
        assert (result.status == SOLVED) == has_solution
        if has_solution:
            assert task.is_solution(puzzle, result.answer)
        else:
            assert result.answer is None


def test_a_contradiction_without_repeated_givens_is_reported_unsolvable():
    task = Sudoku()
    # Row 1 holds 1–8, so its first cell needs 9, which column 1 already has; no group repeats a given.
    puzzle = task.parse(".12345678" + "9........" + "." * 63)
    task.validate_puzzle(puzzle)
    for prior in (None, np.full((81, 10), 0.1)):
        result = search_problem(task, puzzle).search(prior)
        assert result.status == UNSOLVABLE and result.answer is None


def test_a_contradiction_found_only_by_search_is_reported_unsolvable():
    """One extra given on a hard puzzle: singles propagate without a clash, and only trying every branch
    proves there is no solution."""
    task = Sudoku()
    puzzle = task.parse(HARD_9X9[:41] + "5" + HARD_9X9[42:])
    task.validate_puzzle(puzzle)
    assert task.solver.start(puzzle) is not None, "propagation alone must not see the contradiction"
    problem = search_problem(task, puzzle)
    for prior in (None, _random_prior(task, np.random.default_rng(0))):
        result = problem.search(prior)
        assert result.status == UNSOLVABLE and result.answer is None and result.nodes > 6


def test_unsolvable_mazes_and_boards():
    maze = Maze(6, min_path=2)
    walled = maze.parse("S.#.....#...###.............G.......")
    assert search_problem(maze, walled).search(None).status == UNSOLVABLE
    queens = NQueens(6)
    two_in_a_row = np.zeros((6, 6), dtype=np.int64)
    two_in_a_row[0, 0] = two_in_a_row[0, 3] = 1
    assert search_problem(queens, two_in_a_row).search(None).status == UNSOLVABLE


def test_hard_9x9_solves_in_well_under_a_second():
    task = Sudoku()
    puzzle = task.parse(HARD_9X9)
    start = time.perf_counter()
    result = search_problem(task, puzzle).search(None)
    assert time.perf_counter() - start < 0.5
    assert result.status == SOLVED and task.is_solution(puzzle, result.answer)
    assert result.nodes > 1, "the puzzle needs guessing, so it exercises the search"
    guided = search_problem(task, puzzle).search(_prior_towards(task, result.answer, 0.6))
    assert guided.status == SOLVED and guided.nodes <= result.nodes


def test_a_prior_that_knows_the_answer_never_backtracks():
    task = Sudoku()
    puzzle = task.parse(HARD_9X9)
    solution = task.solve(puzzle)
    result = search_problem(task, puzzle).search(_prior_towards(task, solution, 0.6))
    # One node per branching cell, none wasted: every first choice is right.
    assert np.array_equal(result.answer, solution)
    plain = search_problem(task, puzzle).search(None)
    assert result.nodes < plain.nodes


def test_a_task_without_an_exact_solver_cannot_be_verified():
    from recurse.tasks import TASKS as REGISTRY

    arc = REGISTRY.get("arc").Spec().build()
    with pytest.raises(NoExactSolverError, match="no exact solver"):
        search_problem(arc, np.zeros((arc.rows, arc.cols), dtype=np.int64))
    assert issubclass(NoExactSolverError, RecurseError)
    # What model cards read to decide whether to show --verify: a steerable search or a plain solve counts.
    colouring = REGISTRY.get("colouring").Spec().build()  # solve only, no steerable search
    assert not arc.has_exact_solver() and Sudoku(2, 2).has_exact_solver() and colouring.has_exact_solver()


def test_verify_reports_the_network_answer_beside_the_search():
    task = Sudoku(2, 2)
    puzzle, solution = task.generate(np.random.default_rng(3))
    wrong = solution.copy()
    wrong[puzzle == 0] = 1  # a network answer that breaks the rules
    tokens = np.zeros((16, 6))
    tokens[:, 1:] = _prior_towards(task, solution, 0.7)
    report = verify(task, puzzle, tokens, wrong)
    assert report.status == SOLVED and np.array_equal(report.answer, solution)
    assert not report.network_valid and report.network_answer == task.format_answer(wrong)
    assert report.nodes >= 1 and report.plain_nodes >= 1
    assert set(report.to_json()) >= {"status", "nodes", "plain_nodes", "search_ms", "plain_ms", "network_valid"}
    assert cell_prior(task, tokens).shape == (16, 5)


def test_a_valid_network_answer_is_kept_and_a_solve_only_task_reports_its_solver():
    from recurse.tasks import TASKS as REGISTRY

    # Open colouring: no colour given, every colour permutation is an answer; the task has only solve().
    task = REGISTRY.get("colouring").Spec(vertices=6, max_edges=8, unique=False).build()
    puzzle, planted = task.generate(np.random.default_rng(4))
    vertices = task.answer_positions()
    solved = task.solve(puzzle)
    renamed = solved.copy()
    renamed[vertices] = np.array([0, 2, 3, 1])[solved[vertices]]  # valid, and not what solve() returns
    assert task.is_solution(puzzle, renamed) and not np.array_equal(renamed, solved)
    tokens = np.full((task.seq_len, task.vocab_size), 1 / task.vocab_size)
    kept = verify(task, puzzle, tokens, renamed)
    assert np.array_equal(kept.answer, renamed) and kept.method == "network" and kept.network_valid
    assert "network's answer" in kept.describe() and "uncounted" not in kept.describe()
    # A network answer the checker rejects: the solver answers, and the report says it counted no nodes.
    broken = puzzle.copy()
    fixed = verify(task, puzzle, tokens, broken)
    assert fixed.method == "solver" and np.array_equal(fixed.answer, solved) and fixed.nodes is None
    assert "exact solver" in fixed.describe() and "no nodes to count" in fixed.describe()
    # A steerable search keeps a valid network answer too, and still reports its nodes.
    sudoku = Sudoku(2, 2)
    puzzle, solution = sudoku.generate(np.random.default_rng(3))
    report = verify(sudoku, puzzle, np.full((16, 6), 0.2), solution)
    assert report.method == "guided" and np.array_equal(report.answer, solution) and report.nodes >= 1
