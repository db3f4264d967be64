"""Optimisers, learning-rate shape and EMA against their definitions."""

from __future__ import annotations

import math

import pytest
import torch

from recurse.model.puzzle_embedding import PuzzleEmbedding
from recurse.optim import AdamATan2, SparseSignSGD, warmup_cosine
from recurse.training.ema import EMA


def test_adam_atan2_matches_its_definition():
    torch.manual_seed(0)
    param = torch.nn.Parameter(torch.randn(5))
    reference = param.detach().clone()
    lr, (b1, b2), wd = 0.01, (0.9, 0.95), 0.1
    optimizer = AdamATan2([param], lr=lr, betas=(b1, b2), weight_decay=wd)
    m = torch.zeros(5)
    v = torch.zeros(5)
    for step in range(1, 6):
        grad = torch.randn(5)
        param.grad = grad.clone()
        optimizer.step()
        reference = reference * (1 - lr * wd)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        m_hat, v_hat = m / (1 - b1**step), v / (1 - b2**step)
        reference = reference - lr * torch.atan2(m_hat, v_hat.sqrt())
        torch.testing.assert_close(param.detach(), reference, rtol=1e-6, atol=1e-7)


def test_adam_atan2_update_is_bounded_and_scale_free():
    for scale in (1e-12, 1.0, 1e6):
        param = torch.nn.Parameter(torch.zeros(3))
        param.grad = torch.tensor([1.0, -2.0, 0.5]) * scale
        AdamATan2([param], lr=1.0).step()
        assert param.abs().max() <= math.pi / 2 + 1e-6
        torch.testing.assert_close(param.detach(), torch.full((3,), -math.pi / 4) * torch.tensor([1, -1, 1]))


def test_sparse_sign_sgd_updates_only_seen_rows_once_per_id():
    emb = PuzzleEmbedding(4, 3).train()
    with torch.no_grad():
        emb.weight.fill_(1.0)
    ids = torch.tensor([2, 2, 0])
    rows = emb(ids)
    (rows * torch.tensor([[1.0, -1.0, 0.0], [1.0, -3.0, 0.0], [-1.0, 1.0, 1.0]])).sum().backward()
    SparseSignSGD(emb, lr=0.1, weight_decay=0.5).step()
    decayed = 1.0 * (1 - 0.1 * 0.5)
    torch.testing.assert_close(emb.weight[2], torch.tensor([decayed - 0.1, decayed + 0.1, decayed]))
    torch.testing.assert_close(emb.weight[0], torch.tensor([decayed + 0.1, decayed - 0.1, decayed - 0.1]))
    assert torch.equal(emb.weight[1], torch.ones(3)) and torch.equal(emb.weight[3], torch.ones(3))


def test_warmup_then_cosine():
    kw = dict(base_lr=1.0, warmup_steps=10, total_steps=110)
    assert warmup_cosine(0, **kw) == 0 and warmup_cosine(5, **kw) == 0.5
    assert warmup_cosine(10, **kw) == pytest.approx(1.0)
    assert warmup_cosine(60, **kw, min_ratio=0.1) == pytest.approx(0.55)
    assert warmup_cosine(110, **kw, min_ratio=0.1) == pytest.approx(0.1)
    assert warmup_cosine(500, **kw) == 1.0  # min_ratio 1: constant after warmup (the official default)


def test_ema_tracks_and_swaps_back():
    module = torch.nn.Linear(2, 1)
    with torch.no_grad():
        module.weight.fill_(0.0)
    ema = EMA(module, rate=0.5)
    with torch.no_grad():
        module.weight.fill_(2.0)
    ema.update()
    with ema.averaged():
        torch.testing.assert_close(module.weight, torch.full((1, 2), 1.0))
    torch.testing.assert_close(module.weight, torch.full((1, 2), 2.0), msg="weights restored after the block")


def test_ema_state_saved_and_restored_keeps_averaging(tmp_path):
    from recurse.training.state import load_training_state, save_training_state

    module = torch.nn.Linear(2, 1)
    optimizer = AdamATan2(module.parameters(), lr=1e-3)
    module(torch.ones(1, 2)).sum().backward()
    optimizer.step()  # a state saved at step 1 holds the optimiser moments of that step
    ema = EMA(module, rate=0.5)
    with torch.no_grad():
        ema.shadow["weight"].fill_(4.0)
        module.weight.fill_(0.0)
    save_training_state(
        tmp_path,
        module=module,
        optimizer=optimizer,
        ema=ema,
        carry=None,
        counters={"step": 1, "iteration": 0, "batch_index": 0},
        rank=0,
        is_main=True,
    )
    restored = EMA(module, rate=0.5)
    load_training_state(tmp_path, module=module, optimizer=optimizer, ema=restored, rank=0, device=torch.device("cpu"))
    restored.update()  # must average into the restored shadow, not a stale copy
    torch.testing.assert_close(restored.shadow["weight"], torch.full((1, 2), 2.0))
