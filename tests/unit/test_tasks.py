"""Task-specific rules and generators (Sudoku, Maze), and the official data's labels."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.tasks import Maze, PuzzleFormatError, Sudoku

DATA = Path(__file__).parents[1] / "fixtures" / "data"
seeds = st.integers(min_value=0, max_value=2**32 - 1)
# The properties every task meets (generated pairs, symmetries, answer positions) are in
# test_task_contracts.py.


@settings(max_examples=20, deadline=None)
@given(seed=seeds, box=st.sampled_from([(2, 2), (2, 3), (3, 2)]))
def test_sudoku_generator_is_minimal_and_checker_catches_changes(seed, box):
    task = Sudoku(*box)
    rng = np.random.default_rng(seed)
    puzzle, solution = task.generate(rng)
    for cell in np.flatnonzero(puzzle.reshape(-1)):  # minimal: every given is needed
        weaker = puzzle.reshape(-1).copy()
        weaker[cell] = 0
        assert not task.solve_all(weaker.reshape(puzzle.shape)).unique
    broken = solution.copy()
    r, c = np.argwhere(puzzle == 0)[0]
    broken[r, c] = broken[r, c] % task.n + 1
    assert not task.is_solution(puzzle, broken)


def test_sudoku_generator_honours_clue_target_and_seed():
    task = Sudoku(3, 3)
    a, _ = task.generate(np.random.default_rng(7), clues=40)
    b, _ = task.generate(np.random.default_rng(7), clues=40)
    assert np.array_equal(a, b) and (a > 0).sum() == 40


def test_sudoku_parses_common_formats():
    task = Sudoku(2, 2)
    grid = task.parse("1.3.\n.2.4\n3...\n....")
    assert grid[0, 0] == 1 and grid[0, 1] == 0
    assert np.array_equal(task.parse("1030020430000000"), grid)
    assert np.array_equal(task.parse("1 . | 3 .\n. 2 | . 4\n----+----\n3 . | . .\n. . | . ."), grid)
    with pytest.raises(PuzzleFormatError, match="expected 16 cells"):
        task.parse("123")
    with pytest.raises(PuzzleFormatError, match="unexpected symbol"):
        task.parse("x" * 16)
    with pytest.raises(PuzzleFormatError, match="repeat a value in row 1"):
        task.validate_puzzle(task.parse("11.............."))


def test_sudoku_extreme_solves_to_its_labels():
    task = Sudoku()
    rows = list(csv.DictReader(open(DATA / "sudoku-extreme-1k.csv")))
    assert len(rows) == 1000
    for row in rows[::20]:  # 50 puzzles here; all 1000 in the slow test below
        result = task.solve_all(task.parse(row["question"]))
        assert result.unique and task.format(result.solutions[0]) == row["answer"]
    # The rating counts guesses: extreme puzzles need them, a grid missing a few digits does not.
    extreme = task.parse(rows[0]["question"])
    easy = task.parse(rows[0]["answer"])
    easy[0, :3] = 0
    assert task.rating(extreme) > 0 and task.rating(easy) == 0


@pytest.mark.slow
def test_sudoku_extreme_all_1000():
    task = Sudoku()
    for row in csv.DictReader(open(DATA / "sudoku-extreme-1k.csv")):
        result = task.solve_all(task.parse(row["question"]))
        assert result.unique and task.format(result.solutions[0]) == row["answer"]


def test_maze_bfs_rule_reproduces_official_labels():
    task = Maze()
    rows = list(csv.DictReader(open(DATA / "maze-hard-100.csv")))
    assert len(rows) == 100
    for row in rows:
        puzzle = task.parse(row["question"])
        assert task.format(task.solve(puzzle)) == row["answer"]
        report = task.path_report(puzzle, task.parse(row["answer"]))
        assert report == {"valid_path": True, "shortest": True}


def test_maze_checker_distinguishes_valid_and_shortest():
    task = Maze(4, min_path=2)
    puzzle = task.parse("S  G" + " " * 12)
    shortest = task.parse("SooG" + " " * 12)
    detour = task.parse("S  G" + "oooo" + " " * 8)  # down, along the second row, and up into G
    broken = task.parse("So G" + " " * 12)
    assert task.path_report(puzzle, shortest) == {"valid_path": True, "shortest": True}
    assert task.path_report(puzzle, detour) == {"valid_path": True, "shortest": False}
    assert task.path_report(puzzle, broken)["valid_path"] is False
    assert task.path_report(puzzle, puzzle)["valid_path"] is False
    assert np.array_equal(task.parse("S..G" + "." * 12), puzzle), "'.' reads as an open cell"
    generated, label = task.generate(np.random.default_rng(3))
    assert task.path_report(generated, label) == {"valid_path": True, "shortest": True}


def test_generated_mazes_are_hard():
    task = Maze()
    puzzle, solution = task.generate(np.random.default_rng(0))
    assert len(task.shortest_path(puzzle)) >= 110
    assert task.is_solution(puzzle, solution)


@settings(max_examples=20, deadline=None)
@given(seed=seeds, size=st.sampled_from([5, 7, 11]))
def test_perfect_mazes_are_spanning_trees(seed, size):
    task = Maze(size, min_path=size, style="perfect")
    puzzle, solution = task.generate(np.random.default_rng(seed))
    rooms = (size - 1) // 2
    open_cells = puzzle != 0  # everything but walls
    # A tree over rooms² rooms has rooms² - 1 corridors, each one opened wall cell.
    assert open_cells.sum() == 2 * rooms**2 - 1
    start = tuple(np.argwhere(puzzle == 2)[0])
    assert (task._distances(puzzle, start)[open_cells] >= 0).all()  # connected
    assert task.is_solution(puzzle, solution) and len(task.shortest_path(puzzle)) >= size


def test_perfect_mazes_need_an_odd_size():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="odd size"):
        Maze.Spec(size=10, style="perfect")
