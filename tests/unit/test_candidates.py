"""Candidate sets: the batched propagation is exactly the solver's, round by round, and follows the symmetries."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.tasks import build_task
from recurse.tasks.examples.colouring import GraphColouring
from recurse.tasks.solver import AllDifferentSolver


def _puzzles(task, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pairs = [task.generate(rng) for _ in range(count)]
    return np.stack([p for p, _ in pairs]), np.stack([s for _, s in pairs])


def _solver_bits(task, puzzle: np.ndarray) -> np.ndarray:
    cand, _ = task.solver.start(puzzle)
    return np.array(cand)


def _as_bits(candidates: np.ndarray) -> np.ndarray:
    return (candidates.astype(np.int64) << np.arange(candidates.shape[-1])).sum(-1)


@pytest.mark.parametrize("boxes", [(2, 2), (2, 3), (3, 3)])
def test_fixed_point_is_the_solvers_propagated_root(boxes):
    task = build_task({"kind": "sudoku", "box_rows": boxes[0], "box_cols": boxes[1]})
    puzzles, solutions = _puzzles(task, 6, seed=sum(boxes))
    batch = task.batch_candidates(puzzles)
    assert batch.shape == (6, task.seq_len, len(task.alphabet))
    for puzzle, solution, candidates in zip(puzzles, solutions, batch):
        assert np.array_equal(_as_bits(candidates), _solver_bits(task, puzzle))
        assert np.array_equal(candidates, task.candidates(puzzle))
        flat = solution.reshape(-1)
        assert candidates[np.arange(flat.size), flat].all()  # the answer is always still possible
        assert not candidates[:, 0].any()  # the blank never is


def test_inequalities_prune_like_the_solver():
    rng = np.random.default_rng(3)
    n = 5
    rows = [[r * n + c for c in range(n)] for r in range(n)]
    cols = [[r * n + c for r in range(n)] for c in range(n)]
    solution = ((np.add.outer(np.arange(n), np.arange(n)) % n) + 1)[rng.permutation(n)][:, rng.permutation(n)]
    flat = solution.reshape(-1)
    pairs = []
    while len(pairs) < 8:
        a, b = (int(x) for x in rng.choice(n * n, 2, replace=False))
        if flat[a] != flat[b]:
            pairs.append((a, b) if flat[a] < flat[b] else (b, a))
    solver = AllDifferentSolver(n, rows + cols, pairs, num_cells=n * n)
    from recurse.tasks.propagation import BatchedPropagation

    givens = np.where(rng.random((20, n * n)) < 0.7, 0, flat)
    bits = BatchedPropagation(solver).bitmasks(givens)
    for row, puzzle in zip(bits, givens):
        assert np.array_equal(row, np.array(solver.start(puzzle)[0]))


def test_rounds_shrink_the_sets_towards_the_fixed_point():
    task = build_task({"kind": "sudoku", "box_rows": 2, "box_cols": 3})
    puzzles, _ = _puzzles(task, 4, seed=7)
    previous = task.batch_candidates(puzzles, rounds=0)
    assert np.array_equal(previous[puzzles.reshape(4, -1) == 0][:, 1:], np.ones((int((puzzles == 0).sum()), 6), bool))
    for rounds in range(1, 40):
        current = task.batch_candidates(puzzles, rounds=rounds)
        assert not (current & ~previous).any()  # a round only removes
        previous = current
    assert np.array_equal(previous, task.batch_candidates(puzzles))


def test_each_puzzle_may_have_its_own_round_count():
    task = build_task({"kind": "sudoku", "box_rows": 2, "box_cols": 2})
    puzzles, _ = _puzzles(task, 5, seed=11)
    rounds = np.array([0, 1, 2, 3, 50])
    together = task.batch_candidates(puzzles, rounds=rounds)
    for puzzle, count, candidates in zip(puzzles, rounds, together):
        assert np.array_equal(candidates, task.candidates(puzzle, rounds=int(count)))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rounds=st.sampled_from([1, 2, 4, None]))
def test_candidate_sets_follow_the_augmentation(seed, rounds):
    """Propagating an augmented puzzle gives the augmented candidate sets: data-time augmentation and
    targets computed from each sample's own givens agree."""
    task = build_task({"kind": "sudoku", "box_rows": 2, "box_cols": 2})
    rng = np.random.default_rng(seed)
    puzzle, _ = task.generate(rng)
    symmetry = task.random_symmetry(rng)
    original = task.candidates(puzzle, rounds)
    moved = task.candidates(symmetry.apply(puzzle), rounds)
    expected = np.zeros_like(original)
    expected[:, symmetry.value_map] = original[symmetry.source]  # cell i ← source[i], value v ← value_map[v]
    assert np.array_equal(moved, expected)


def test_tasks_without_propagation_opt_out():
    task = GraphColouring(vertices=6)
    assert not task.has_candidates()
    assert task.candidates(np.zeros(task.seq_len, dtype=np.int64)) is None
    assert build_task({"kind": "sudoku"}).has_candidates()
