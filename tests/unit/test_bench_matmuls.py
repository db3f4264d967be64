"""The step's matmuls replayed alone (``recurse.bench.matmuls``): what is recorded and how it is replayed."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from recurse.bench.matmuls import MatmulRecorder, TensorShape, _make


def test_records_every_call_the_flop_counter_counts_with_its_layout():
    layer = torch.nn.Linear(8, 16)
    x = torch.randn(4, 8, requires_grad=True)
    with FlopCounterMode(display=False) as counter, MatmulRecorder() as recorder:
        layer(x).sum().backward()
    counted = {op for op, flops in counter.get_flop_counts()["Global"].items() if flops}
    assert {call.op.overloadpacket for call in recorder.calls} == counted
    # Forward addmm, then the input's and the weight's gradients: three calls, each made once.
    assert sum(recorder.calls.values()) == 3
    forward = next(call for call in recorder.calls if call.op.overloadpacket is torch.ops.aten.addmm)
    weight = next(leaf for leaf in forward.leaves if isinstance(leaf, TensorShape) and leaf.shape == (8, 16))
    assert weight.stride == (1, 8), "the transposed weight is recorded as the view it was"


def test_composite_matmul_is_seen_under_inference_mode():
    a = torch.randn(6, 5)
    with torch.inference_mode(), MatmulRecorder() as recorder:
        for _ in range(3):
            a @ a.T
    assert len(recorder.calls) == 1 and sum(recorder.calls.values()) == 3
    assert next(iter(recorder.calls)).op.overloadpacket is torch.ops.aten.mm


def test_replay_times_each_distinct_call_once_and_weighs_it_by_its_count(monkeypatch):
    a, b = torch.randn(64, 64), torch.randn(32, 64)
    with MatmulRecorder() as recorder:
        for _ in range(50):
            a @ a
        b @ a
    timed = []

    def fake_best_seconds(call, device, repeats):
        timed.append(call())  # the replayed call runs and gives a result of the recorded shape
        return 0.001 * len(timed)

    monkeypatch.setattr("recurse.bench.matmuls.best_seconds", fake_best_seconds)
    assert sorted(recorder.calls.values()) == [1, 50]
    seconds = recorder.replay_seconds()
    assert sorted(tuple(t.shape) for t in timed) == [(32, 64), (64, 64)], "each distinct call is timed once"
    counts = list(recorder.calls.values())  # in the order replay_seconds walks them
    assert seconds == pytest.approx(0.001 * counts[0] + 0.002 * counts[1])


def test_replay_of_a_real_call_takes_time():
    a = torch.randn(64, 64)
    with MatmulRecorder() as recorder:
        a @ a
    assert recorder.replay_seconds(repeats=2) > 0


def test_replayed_tensors_keep_shape_strides_and_dtype():
    expanded = TensorShape((3, 4, 5), (0, 5, 1), torch.bfloat16, torch.device("cpu"))
    made = _make(expanded)
    assert made.shape == (3, 4, 5) and made.stride() == (0, 5, 1) and made.dtype == torch.bfloat16
    assert torch.isfinite(made.float()).all()
    assert _make(TensorShape((0, 7), (7, 1), torch.float32, torch.device("cpu"))).shape == (0, 7)
    assert _make(3) == 3
