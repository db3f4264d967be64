"""Verified solving with a trained solver: checked answers, proven dead ends, and fewer search nodes
than the plain search thanks to the network's distribution (the bundled ``sudoku-6x6``)."""

from __future__ import annotations

import numpy as np

from recurse.solver import Solver
from recurse.tasks import Sudoku

# Minimal 6×6 puzzles (generated, seed 2024) on which singles alone stall, so the search must guess.
NEEDS_SEARCH = [
    ".....2.2.5..6.3....5...3..2..14..3..",
    "4..2......5...5.......2..613.5....1.",
    "..4...36........65...2..6...1...3..4",
    ".5..6..1.2.3....14...6...6......3...",
    "6...15.1.....2....4.3.......6.2..3.1",
    "...1......2.6...3..5.4....2....1...5",
    ".....65...1........2..5...63.44.....",
    "..42.1...46..3....1.......1..5...6..",
    "....5.6.....2.63.....1..1.......5.6.",
    "..2..65....1..6.....5.2....5.......3",
    "...5....6..4..56..1.......42..3.....",
    "2...3......6.3.51.5.......4...32..6.",
]
# Row 1 holds 1–5, so its first cell needs 6, which column 1 already has; no group repeats a given.
UNSOLVABLE = ".123456....." + "." * 24


def test_network_guidance_needs_fewer_nodes_than_plain_search():
    solver = Solver.from_pretrained("sudoku-6x6", device="cpu")
    task = solver.task
    results = solver.solve_many(NEEDS_SEARCH, verify=True)
    for result in results:
        assert result.valid and result.verification.status == "solved"
        assert task.is_solution(task.parse(result.puzzle), task.parse(result.answer))
    guided = [r.verification.nodes for r in results]
    plain = [r.verification.plain_nodes for r in results]
    assert min(plain) > 1, "every puzzle of the set needs search"
    assert sum(guided) < sum(plain)
    assert np.median(np.array(guided) / np.array(plain)) < 1


def test_an_unsolvable_puzzle_is_reported_as_such():
    solver = Solver.from_pretrained("sudoku-6x6", device="cpu")
    result = solver.solve(UNSOLVABLE, verify=True)
    assert result.verification.status == "unsolvable"
    assert not result.valid and result.answer == ""
    record = result.to_json()
    assert record["status"] == "unsolvable" and record["nodes"] >= 1
    assert "no solution" in result.verification.describe()


def test_without_verify_nothing_changes():
    solver = Solver.from_pretrained("sudoku-6x6", device="cpu")
    plain, checked = solver.solve(NEEDS_SEARCH[0]), solver.solve(NEEDS_SEARCH[0], verify=True)
    assert plain.verification is None and "nodes" not in plain.to_json()
    assert plain.to_json()["status"] == ("solved" if plain.valid else "invalid")
    assert checked.verification.network_answer == plain.answer
    assert checked.verification.network_valid == Sudoku(2, 3).is_solution(
        Sudoku(2, 3).parse(plain.puzzle), Sudoku(2, 3).parse(plain.answer)
    )


NORVIG = ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."


def test_verified_solving_gives_up_within_its_limits_and_says_so():
    solver = Solver.from_pretrained("sudoku-9x9", device="cpu")
    result = solver.solve(NORVIG, verify=True, verify_nodes=300)
    assert (result.status, result.answer, result.valid) == ("gave_up", "", False)
    assert result.verification.nodes <= 300 and result.verification.plain_nodes <= 300
    assert "gave up after" in result.violations[0] and result.candidate
    assert result.to_json()["status"] == "gave_up"


def test_the_time_limit_stops_a_search():
    from recurse.tasks.search import GAVE_UP, SearchLimits

    problem = Sudoku(3, 3).search_problem(Sudoku(3, 3).parse(NORVIG))
    result = problem.search(None, SearchLimits(max_nodes=None, max_seconds=0.05))
    assert result.status == GAVE_UP and result.answer is None and result.nodes > 1


def test_abstaining_never_returns_an_invalid_answer():
    solver = Solver.from_pretrained("sudoku-9x9", device="cpu")
    rng = np.random.default_rng(4242)
    puzzles = [solver.task.format(solver.task.generate(rng)[0]) for _ in range(24)]  # some beyond the network
    given = solver.solve_many(puzzles, abstain=True)
    plain = solver.solve_many(puzzles)
    assert any(not p.valid for p in plain), "the test needs puzzles the network gets wrong"
    for answer, reference in zip(given, plain):
        if answer.answer:
            assert answer.valid and answer.status == "solved" and answer.answer == reference.answer
        else:
            assert answer.status == "abstained" and answer.candidate == reference.answer and answer.violations
