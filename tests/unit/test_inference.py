"""Adaptive halting with batch compaction."""

from __future__ import annotations

import torch

from recurse.halting import FixedSteps, Threshold
from recurse.inference.refinement import refine
from recurse.model.builder import build_refiner
from tests.helpers import random_batch, small_config


def _refiner_with_varied_confidence():
    config = small_config(halting={"kind": "q_halt", "max_steps": 6})
    refiner = build_refiner(config).eval()
    with torch.no_grad():
        refiner.q_head.weight.normal_(0, 2.0)  # some samples become confident early, others never
        refiner.q_head.bias.fill_(0.0)
    return config, refiner


def test_samples_that_run_to_the_limit_match_fixed_steps():
    config, refiner = _refiner_with_varied_confidence()
    batch = random_batch(config, batch_size=32)
    fixed = refine(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=FixedSteps(max_steps=6), trace=True)
    adaptive = refine(
        refiner, batch["inputs"], batch["puzzle_identifiers"], halting=Threshold(max_steps=6, threshold=0.9)
    )
    early, full = adaptive.steps < 6, adaptive.steps == 6
    assert early.any() and full.any(), "the test needs both early halts and full runs"
    assert torch.equal(adaptive.tokens[full], fixed.tokens[full])
    # A sample that halted early holds the prediction of its halting step.
    for i in torch.nonzero(early).flatten().tolist():
        assert torch.equal(adaptive.tokens[i], fixed.trace[int(adaptive.steps[i]) - 1][i])
    assert (fixed.steps == 6).all()


def test_fixed_steps_never_compacts():
    config, refiner = _refiner_with_varied_confidence()
    batch = random_batch(config, batch_size=8)
    prediction = refine(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=FixedSteps(max_steps=3))
    assert (prediction.steps == 3).all()


def test_solver_answers_with_the_named_puzzles_embedding():
    """``solve_many(..., puzzle_id=…)`` runs every puzzle with that puzzle's embedding row."""
    import numpy as np

    from recurse.solver import Solver
    from recurse.tasks import Sudoku

    task = Sudoku(2, 2)
    config = small_config(vocab_size=task.vocab_size, seq_len=task.seq_len)
    refiner = build_refiner(config).eval()
    with torch.no_grad():
        refiner.embedding.puzzle.weight.normal_(0, 3.0)  # rows far apart, so the answers differ
    fixed = FixedSteps(max_steps=2)
    solver = Solver(refiner, task, halting=fixed, puzzle_names=["<blank>", "first", "second"])
    rng = np.random.default_rng(0)
    puzzles = [task.generate(rng)[0] for _ in range(3)]
    inputs = torch.from_numpy(np.stack([task.encode(p) for p in puzzles]).astype(np.int64))
    answers = {}
    for index, name in ((1, "first"), (2, "second")):
        expected = refine(refiner, inputs, torch.full((3,), index), halting=fixed).tokens.numpy()
        answers[name] = [s.answer for s in solver.solve_many(puzzles, puzzle_id=name)]
        assert answers[name] == [task.format(task.decode(row)) for row in expected]
    assert answers["first"] != answers["second"], "the embedding rows must matter for this test to mean anything"
