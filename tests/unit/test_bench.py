"""The benchmark's memory and step-time accounting."""

from __future__ import annotations

import time

import torch

from recurse.bench import PhaseClock, benchmark, saved_activation_bytes
from recurse.recipe import load_recipe


def test_saved_activations_count_what_backward_keeps_but_not_weights():
    layer = torch.nn.Linear(8, 16)
    x = torch.randn(4, 8)

    def step() -> None:
        torch.relu(layer(x)).sum().backward()

    # Linear keeps its input (4×8 floats), ReLU its output (4×16 floats); the weight is excluded.
    assert saved_activation_bytes(step, list(layer.parameters())) == (4 * 8 + 4 * 16) * 4


def test_phase_clock_charges_each_interval_to_the_phase_it_closes():
    clock = PhaseClock(torch.device("cpu"))
    for _ in range(2):
        clock.start()
        time.sleep(0.01)
        clock.mark("forward")
        time.sleep(0.03)
        clock.mark("backward")
        clock.mark("optimizer")
    per_step = clock.milliseconds_per_step(2)
    assert list(per_step) == ["forward", "backward", "optimizer"]
    assert 10 <= per_step["forward"] < per_step["backward"] and per_step["backward"] >= 30
    assert 0 <= per_step["optimizer"] < per_step["forward"]


def test_benchmark_splits_the_training_step_into_forward_backward_and_optimiser():
    config = load_recipe(
        "trm-sudoku-mini",
        ["model.hidden_size=16", "model.schedule.layers=1", "model.forward_dtype=float32", "runtime.threads=1"],
    )
    threads = torch.get_num_threads()
    try:
        result = benchmark(config, batch_size=4, steps=3, eval_steps=2, warmup=1)
    finally:
        torch.set_num_threads(threads)
    assert result["threads"] == 1, "runtime.threads applies to the benchmark as to training"
    phases = result["train_step_ms"]
    assert set(phases) == {"forward", "backward", "optimizer"} and all(ms > 0 for ms in phases.values())
    step_ms = 1000 * result["batch"] / result["train_samples_per_s"]
    # The phases cover the step: together they are its time, less only the loop's own bookkeeping.
    assert 0.8 * step_ms <= sum(phases.values()) <= step_ms * 1.01 + 0.05
    # The step's matmuls replayed alone take part of its time, and would reach a higher share of the peak.
    assert 0 < result["train_matmul_ms"] and 0 < result["train_matmul_share"]
    assert result["train_matmul_peak_ratio"] > 0 and result["eval_matmul_peak_ratio"] > 0
