"""Planted 3-SAT, the shipped task whose puzzles have several answers: its enumeration, text, symmetries and
exact search."""

from __future__ import annotations

import numpy as np
import pytest

from recurse.inference.verification import verify
from recurse.tasks import PuzzleFormatError
from recurse.tasks.examples.sat import FALSE, TRUE, PlantedSat


def _brute_force(task: PlantedSat, puzzle: np.ndarray) -> set[bytes]:
    """Every satisfying assignment, by trying all 2^n."""
    values = ((np.arange(1 << task.n)[:, None] >> np.arange(task.n)) & 1) + FALSE
    literals = task.literals(puzzle)
    true = np.where(literals > 0, values[:, np.abs(literals) - 1] == TRUE, values[:, np.abs(literals) - 1] == FALSE)
    return {row.astype(np.int64).tobytes() for row in values[true.any(-1).all(-1)]}


def test_answers_are_every_satisfying_assignment():
    task, rng = PlantedSat(10, 40), np.random.default_rng(3)
    for _ in range(10):
        puzzle, solution = task.generate(rng)
        listed = task.answers(puzzle, limit=1 << 10)
        assert {a[: task.n].tobytes() for a in listed} == _brute_force(task, puzzle)
        assert solution[: task.n].tobytes() in _brute_force(task, puzzle), "the planted assignment satisfies it"
        assert len(task.answers(puzzle, limit=2)) == min(2, len(listed))


def test_sign_flips_move_the_answers_with_the_formula():
    task, rng = PlantedSat(8, 30), np.random.default_rng(4)
    puzzle, solution = task.generate(rng)
    symmetry = task.random_symmetry(rng)
    moved = {a[: task.n].tobytes() for a in task.answers(symmetry.apply(puzzle), limit=256)}
    assert moved == {symmetry.apply(a)[: task.n].tobytes() for a in task.answers(puzzle, limit=256)}
    assert not np.array_equal(symmetry.apply(puzzle), puzzle)


def test_text_is_one_line_or_dimacs():
    task = PlantedSat(3, 2)
    puzzle = task.parse("???|1 -2 3,-1 2 -3")
    assert task.format(puzzle) == "???|1 -2 3,-1 2 -3"
    assert task.render(puzzle) == "c assignment ???\np cnf 3 2\n1 -2 3 0\n-1 2 -3 0"
    assert np.array_equal(task.parse("p cnf 3 2\n1 -2 3 0\n-1 2 -3 0\n"), puzzle)
    answer = task.solve(puzzle)
    assert task.is_solution(puzzle, answer) and len(task.format_answer(answer)) == 3
    assert np.array_equal(task.parse_answer(puzzle, task.format_answer(answer)), answer)
    with pytest.raises(PuzzleFormatError, match="'\\?FT' as an answer"):
        task.parse_answer(puzzle, "TF")


@pytest.mark.parametrize(
    "text, message",
    [
        ("???|1 -2 3", "expected 2 clauses"),
        ("???|1 1 3,-1 2 -3", "three distinct variables"),
        ("???|1 2 4,-1 2 -3", "three distinct variables"),
        ("??X|1 -2 3,-1 2 -3", "'?FT'"),
        ("p cnf 3 2\n1 -2 3\n-1 2 -3 0", "ends with 0"),
    ],
)
def test_bad_formulas_get_one_line(text, message):
    with pytest.raises(PuzzleFormatError, match=message):
        PlantedSat(3, 2).parse(text)


def test_an_unsatisfiable_formula_is_refused_and_proven_so():
    task = PlantedSat(3, 8)
    # All eight sign patterns over the same three variables: no assignment satisfies them all.
    clauses = ",".join(
        " ".join(str(s * v) for s, v in zip(signs, (1, 2, 3)))
        for signs in np.array(np.meshgrid([1, -1], [1, -1], [1, -1])).T.reshape(-1, 3)
    )
    puzzle = task.parse("???|" + clauses)
    assert task.answers(puzzle, limit=4) == [] and task.solve(puzzle) is None
    with pytest.raises(PuzzleFormatError, match="no satisfying assignment"):
        task.validate_puzzle(puzzle)


def test_the_network_prior_steers_the_exact_search():
    task, rng = PlantedSat(12, 48), np.random.default_rng(5)
    puzzle, solution = task.generate(rng)
    # A prior that believes the planted assignment: the guided search reaches it without a wrong turn.
    prior = np.full((task.seq_len, len(task.alphabet)), 0.01)
    prior[np.arange(task.n), solution[: task.n]] = 0.99
    result = task.search_problem(puzzle).search(prior)
    assert np.array_equal(result.answer, solution) and result.nodes <= 1 + task.n
    tokens = np.zeros((task.seq_len, task.vocab_size))
    tokens[np.arange(task.seq_len), task.encode(solution)] = 1.0
    checked = verify(task, puzzle, tokens, solution)
    assert checked.status == "solved" and task.is_solution(puzzle, checked.answer)
