"""Attention restricted to a task's interaction structure (``model.interactions: task``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recurse.config import ModelConfig
from recurse.errors import ConfigError, TaskDefinitionError
from recurse.model.builder import build_refiner
from recurse.model.interaction_graph import GLOBAL, NONE, SELF
from recurse.tasks import build_task
from recurse.tasks.interactions import Interactions, interactions_of, pairs_from_groups

SAT = {"kind": "sat", "variables": 5, "clauses": 6}


def sat_refiner(prefix_len: int = 1, **overrides) -> tuple:
    task = build_task(SAT)
    interactions = interactions_of(task)
    config = ModelConfig(
        hidden_size=16,
        expansion=2.0,
        core={"kind": "attention", "num_heads": 2, "positions": "none"},
        learned_positions=True,
        schedule={"kind": "trm", "latent_steps": 1, "deep_steps": 1, "layers": 1},
        halting={"kind": "q_halt", "max_steps": 2},
        puzzle_embedding={"dim": 0, "prefix_len": prefix_len},
        forward_dtype="float32",
        interactions="task",
        **overrides,
    ).with_data(
        vocab_size=task.vocab_size, seq_len=task.seq_len, num_puzzle_ids=1, interaction_kinds=interactions.kinds
    )
    torch.manual_seed(0)
    refiner = build_refiner(config)
    refiner.interactions.load_structure(interactions)
    return task, refiner


def sat_puzzle(task, seed: int = 0) -> np.ndarray:
    puzzle, _ = task.generate(np.random.default_rng(seed))
    return puzzle


def test_pairs_from_groups_joins_every_two_members_with_the_largest_kind():
    pairs = pairs_from_groups(4, [(1, [0, 1, 2]), (2, [2, 3])])
    assert pairs[0, 1] == pairs[1, 0] == 1 and pairs[2, 3] == 2 and pairs[0, 3] == 0
    assert pairs[2, 2] == 2  # the largest kind of the groups a position is in


def test_the_bias_blocks_exactly_the_pairs_that_do_not_interact():
    task, refiner = sat_refiner()
    puzzle = sat_puzzle(task)
    tokens = torch.as_tensor(task.encode(puzzle)).long()[None]
    kinds = refiner.interactions.kinds_between(tokens)[0]
    bias = refiner.interactions(tokens, torch.float32)[0]  # [heads, 1 + L, 1 + L]
    expected = interactions_of(task).between(puzzle) > 0
    inner = kinds[1:, 1:]
    off_diagonal = ~torch.eye(task.seq_len, dtype=torch.bool)
    assert torch.equal((inner != NONE)[off_diagonal], torch.as_tensor(expected)[off_diagonal])
    assert (inner.diagonal() == SELF).all()
    assert (kinds[0] == GLOBAL).all() and (kinds[:, 0] == GLOBAL).all()  # the prefix sees and is seen by all
    assert torch.equal(torch.isinf(bias), (kinds == NONE).expand_as(bias))
    assert torch.equal(kinds, kinds.T)


def test_a_position_is_deaf_to_positions_it_does_not_interact_with():
    """One attention call: changing what a non-interacting position holds leaves a position's output alone."""
    task, refiner = sat_refiner(prefix_len=0)
    puzzle = sat_puzzle(task)
    tokens = torch.as_tensor(task.encode(puzzle)).long()[None]
    kinds = refiner.interactions.kinds_between(tokens)[0]
    core = refiner.schedule.level.blocks[0].mixer
    h = torch.randn(1, task.seq_len, 16)
    bias = refiner.interactions(tokens, torch.float32)
    out = core(h, bias)
    for i in range(task.seq_len):
        far = torch.nonzero(kinds[i] == NONE).flatten()
        if not far.numel():
            continue
        changed = h.clone()
        changed[0, far] += torch.randn(far.numel(), 16)
        assert torch.allclose(core(changed, bias)[0, i], out[0, i], atol=1e-6)
        near = torch.nonzero((kinds[i] != NONE) & (torch.arange(task.seq_len) != i)).flatten()
        if near.numel():
            nudged = h.clone()
            nudged[0, near] += torch.randn(near.numel(), 16)
            assert not torch.allclose(core(nudged, bias)[0, i], out[0, i], atol=1e-6)


def test_the_structure_is_saved_with_the_weights(tmp_path):
    task, refiner = sat_refiner()
    refiner.save_pretrained(tmp_path / "model")
    from recurse.model.checkpoint import load_checkpoint

    loaded = load_checkpoint(tmp_path / "model").refiner
    assert torch.equal(loaded.interactions.pairs, refiner.interactions.pairs)
    assert torch.equal(loaded.interactions.links, refiner.interactions.links)
    tokens = torch.as_tensor(task.encode(sat_puzzle(task))).long()[None]
    with torch.no_grad():
        state = refiner.initial_state(1, task.seq_len)
        ours = refiner(state, tokens).logits
        theirs = loaded(loaded.initial_state(1, task.seq_len), tokens).logits
    assert torch.equal(ours, theirs)


def test_training_learns_the_kind_biases():
    task, refiner = sat_refiner()
    tokens = torch.as_tensor(np.stack([task.encode(sat_puzzle(task, s)) for s in range(3)])).long()
    out = refiner(refiner.initial_state(3, task.seq_len), tokens)
    out.logits.float().square().mean().backward()
    grad = refiner.interactions.kind_bias.grad
    assert grad is not None and grad[SELF].abs().sum() > 0 and grad[NONE].abs().sum() == 0


def test_a_core_that_does_not_attend_is_refused():
    with pytest.raises(ValueError, match="does not attend"):
        ModelConfig(core={"kind": "mlp"}, interactions="task")


def test_a_task_without_interactions_is_one_line():
    config = ModelConfig(interactions="task")
    with pytest.raises(ConfigError, match="declares no interactions"):
        config.with_data(vocab_size=5, seq_len=4, num_puzzle_ids=1, interaction_kinds=None)


def test_a_model_config_without_interactions_serialises_as_before():
    assert "interactions" not in ModelConfig().model_dump() and "interaction_kinds" not in ModelConfig().model_dump()


@pytest.mark.parametrize(
    "interactions, message",
    [
        (Interactions(names=("a",), pairs=np.zeros((3, 3), dtype=int)), "shape"),
        (Interactions(names=("a",), pairs=np.full((4, 4), 2)), "outside 0..1"),
        (Interactions(names=("a",), pairs=np.zeros((4, 4)), links=None), "whole numbers"),
        (Interactions(names=("a",), pairs=np.zeros((4, 4), dtype=int), links=np.zeros((2, 4), dtype=int)), "shape"),
        (Interactions(names=(), pairs=np.zeros((4, 4), dtype=int)), "kinds of interaction"),
    ],
)
def test_tables_that_do_not_fit_the_task_are_one_line(interactions, message):
    with pytest.raises(TaskDefinitionError, match=message):
        interactions.check(seq_len=4, values=3, task="toy")
