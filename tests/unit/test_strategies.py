"""Contracts every registered inference strategy and selection rule meets, on a tiny random refiner; the
grammar's errors; greedy is the refinement it always was."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recurse.errors import ConfigError
from recurse.halting import FixedSteps, Threshold
from recurse.inference.refinement import refine
from recurse.inference.selection import SELECTIONS
from recurse.inference.selection.vote import MajorityVote
from recurse.inference.strategies import STRATEGIES
from recurse.inference.strategies.settings import parse_strategy, strategy_spec
from recurse.inference.trajectories import Trajectories
from recurse.model.builder import build_refiner
from tests.helpers import random_batch, small_config

SAMPLES = 4


def _refiner(schedule: str = "trm"):
    config = small_config(schedule=schedule, halting={"kind": "q_halt", "max_steps": 5})
    refiner = build_refiner(config).eval()
    with torch.no_grad():
        refiner.q_head.weight.normal_(0, 2.0)  # some trajectories become confident early, others never
        refiner.q_head.bias.fill_(0.0)
    return config, refiner


def _spec(name: str, **options):
    fields = STRATEGIES.get(name).Spec.model_fields
    if "samples" in fields:
        options.setdefault("samples", SAMPLES)
    if "noise" in fields:
        options.setdefault("noise", 2.0)  # large enough to move the argmax of a random network
    return strategy_spec(name, **options)


def _sum_divisible_by_three(puzzles: torch.Tensor, answers: torch.Tensor) -> torch.Tensor:
    """A stand-in checker that accepts about a third of a random network's answers."""
    return answers.sum(dim=1) % 3 == 0


@pytest.mark.parametrize("name", STRATEGIES.names())
@pytest.mark.parametrize("select", SELECTIONS.names())
def test_every_strategy_answers_every_puzzle_reproducibly(name, select):
    config, refiner = _refiner()
    batch = random_batch(config, batch_size=6)
    options = {"select": select} if "select" in STRATEGIES.get(name).Spec.model_fields else {}
    strategy = _spec(name, **options).build()
    halting = Threshold(max_steps=5, threshold=0.9)

    def run():
        return strategy.run(
            refiner,
            batch["inputs"],
            batch["puzzle_identifiers"],
            halting=halting,
            acceptor=_sum_divisible_by_three,
            keep_logits=True,
        )

    first, again = run(), run()
    count = batch["inputs"].shape[0]
    prediction = first.prediction
    assert prediction.tokens.shape == batch["inputs"].shape
    assert prediction.logits.shape[:2] == batch["inputs"].shape
    assert ((prediction.steps >= 1) & (prediction.steps <= 5)).all()
    assert first.kept.shape == (count,) and ((first.kept >= 0) & (first.kept < first.samples)).all()
    assert (first.sample_steps >= prediction.steps).all() and (first.sample_steps <= 5 * first.samples).all()
    if first.trajectories is not None:
        rows = torch.arange(count)
        assert torch.equal(first.trajectories.tokens[rows, first.kept], prediction.tokens)
    for a, b in zip(
        (first.prediction.tokens, first.prediction.steps, first.kept),
        (again.prediction.tokens, again.prediction.steps, again.kept),
    ):
        assert torch.equal(a, b), "the same puzzles, options and seed give the same answers"


@pytest.mark.parametrize("name", STRATEGIES.names())
def test_sample_zero_is_the_greedy_trajectory(name):
    config, refiner = _refiner()
    batch = random_batch(config, batch_size=5)
    halting = FixedSteps(max_steps=4)
    greedy = refine(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=halting, keep_logits=True)
    options = {"select": "vote"} if "select" in STRATEGIES.get(name).Spec.model_fields else {}
    answers = (
        _spec(name, **options)
        .build()
        .run(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=halting, keep_logits=True)
    )
    every = answers.trajectories
    if every is None:  # greedy itself
        assert torch.equal(answers.prediction.tokens, greedy.tokens)
        return
    assert torch.allclose(every.logits[:, 0].float(), greedy.logits.float(), atol=1e-5)
    assert not torch.allclose(every.logits[:, 1:].float(), greedy.logits[:, None].float(), atol=1e-3), (
        "the other trajectories must differ from the greedy one"
    )


def test_greedy_is_bit_identical_to_refinement():
    config, refiner = _refiner()
    batch = random_batch(config, batch_size=16)
    halting = Threshold(max_steps=5, threshold=0.9)
    before = refine(
        refiner, batch["inputs"], batch["puzzle_identifiers"], halting=halting, trace=True, keep_logits=True
    )
    now = (
        strategy_spec()
        .build()
        .run(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=halting, trace=True, keep_logits=True)
    )
    for name in ("tokens", "steps", "confidence", "q_halt", "logits"):
        assert torch.equal(getattr(now.prediction, name), getattr(before, name)), name
    assert all(torch.equal(a, b) for a, b in zip(now.prediction.trace, before.trace))
    assert now.samples == 1 and (now.kept == 0).all()


@pytest.mark.parametrize("name", ["sample", "restart"])
def test_checker_keeps_a_valid_answer_whenever_a_trajectory_finds_one(name):
    config, refiner = _refiner()
    batch = random_batch(config, batch_size=12)
    answers = (
        _spec(name, samples=8, select="checker")
        .build()
        .run(
            refiner,
            batch["inputs"],
            batch["puzzle_identifiers"],
            halting=FixedSteps(max_steps=4),
            acceptor=_sum_divisible_by_three,
        )
    )
    every = answers.trajectories
    found = every.valid.any(dim=1)
    assert found.any() and (~every.valid[:, 0]).any(), "the test needs valid answers the greedy one misses"
    kept_valid = every.valid[torch.arange(12), answers.kept]
    assert torch.equal(kept_valid, found)
    assert bool((answers.prediction.tokens[found].sum(dim=1) % 3 == 0).all())
    # A puzzle stops once it has a valid answer: none of its trajectories runs past that step.
    for puzzle in torch.nonzero(found).flatten().tolist():
        first_valid = int(every.steps[puzzle][every.valid[puzzle]].min())
        assert int(every.steps[puzzle].max()) <= first_valid


def test_seeds_change_the_trajectories_and_chunks_do_not_lose_puzzles():
    config, refiner = _refiner()
    batch = random_batch(config, batch_size=7)
    run = lambda **o: (
        _spec("sample", select="vote", **o)
        .build()
        .run(  # noqa: E731
            refiner, batch["inputs"], batch["puzzle_identifiers"], halting=FixedSteps(max_steps=3), keep_logits=True
        )
    )
    zero, one = run(seed=0), run(seed=1)
    assert not torch.equal(zero.trajectories.logits, one.trajectories.logits)
    chunked = run(seed=0, max_batch=SAMPLES * 2)  # four chunks of at most two puzzles
    assert (chunked.trajectories.steps == 3).all() and chunked.prediction.tokens.shape == zero.prediction.tokens.shape


def test_vote_keeps_the_majority_answer_and_breaks_ties_by_confidence():
    a, b, c = [1, 1, 1], [2, 2, 2], [3, 3, 3]
    tokens = torch.tensor([[a, b, b, c], [a, b, c, a]])
    confidence = torch.tensor([[0.9, 0.1, 0.2, 0.99], [0.2, 0.9, 0.1, 0.3]])
    trajectories = Trajectories(
        tokens=tokens,
        steps=torch.ones(2, 4, dtype=torch.int32),
        confidence=confidence,
        q_halt=confidence,
        halted_early=torch.zeros(2, 4, dtype=torch.bool),
        valid=None,
        logits=None,
    )
    assert MajorityVote().choose(trajectories).tolist() == [1, 0]  # b has two votes; a ties nothing in row 2


def test_noise_on_names_a_state_of_the_schedule():
    config, refiner = _refiner()
    batch = random_batch(config, batch_size=2)
    strategy = _spec("sample", noise_every="step", noise_on="high").build()
    with pytest.raises(ConfigError, match="not a state of the trm schedule; it has y, z"):
        strategy.run(refiner, batch["inputs"], batch["puzzle_identifiers"], halting=FixedSteps(max_steps=2))


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["samples=4"], "strategy greedy has no option 'samples'"),
        (["strategy=beam"], "strategy must be one of greedy, restart, sample, got 'beam'"),
        (["strategy=sample", "samples=0"], "samples='0': Input should be greater than or equal to 1"),
        (["strategy=sample", "noise=nan"], "noise='nan': Input should be a finite number"),
        (["strategy=restart", "select=best"], "'best' is not a selection rule; known: checker, confidence, vote"),
        (["strategy=restart", "noise=0.3"], "strategy restart has no option 'noise'"),
        (["strategy=sample", "seed=1", "seed=2"], "the strategy option seed is given twice"),
    ],
)
def test_grammar_errors_are_one_line(words, message):
    with pytest.raises(ConfigError) as error:
        parse_strategy(words)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_grammar_reads_words_and_leaves_the_rest():
    spec, rest = parse_strategy(["strategy=sample", "samples=32", "noise=0.3", "select=checker", "seed=0", "...."])
    assert rest == ["...."]
    assert (spec.kind, spec.samples, spec.noise, spec.select, spec.seed) == ("sample", 32, 0.3, "checker", 0)
    assert parse_strategy(["1.2.", "halting=fixed"]) == (None, ["1.2.", "halting=fixed"])
    assert strategy_spec(spec, samples=8).samples == 8 and strategy_spec().kind == "greedy"
    assert np.isfinite(spec.noise)


def test_the_observer_sees_every_step_of_every_trajectory():
    from recurse.inference.trajectories import run_trajectories

    config, refiner = _refiner()
    batch = random_batch(config, batch_size=3)
    seen = []
    strategy = _spec("restart", samples=2).build()
    every = run_trajectories(
        refiner,
        batch["inputs"],
        batch["puzzle_identifiers"],
        samples=2,
        halting=FixedSteps(max_steps=3),
        perturbation=strategy.perturbation(refiner),
        acceptor=_sum_divisible_by_three,
        max_batch=4,
        observer=lambda step, p, k, tokens, conf, valid: seen.extend(
            (step, int(a), int(b), bool(v)) for a, b, v in zip(p, k, valid)
        ),
    )
    assert sorted((s, p, k) for s, p, k, _ in seen) == [
        (s, p, k) for s in (1, 2, 3) for p in range(3) for k in range(2)
    ]
    last = {(p, k): v for s, p, k, v in seen if s == 3}
    assert all(last[p, k] == bool(every.valid[p, k]) for p, k in last)
