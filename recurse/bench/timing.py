"""Timing a call the way the benchmark times everything: warm up, then the best of a few repeats, with the
device synchronised around each one so that a GPU's queued kernels are counted."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def synchronize(device: torch.device) -> None:
    """Wait for ``device``'s queued work (a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def best_seconds(call: Callable[[], object], device: torch.device, repeats: int, warmup: int = 1) -> float:
    """Fastest of ``repeats`` timed calls, after ``warmup`` untimed ones (which pick and cache kernels)."""
    for _ in range(warmup):
        call()
    best = float("inf")
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        call()
        synchronize(device)
        best = min(best, time.perf_counter() - start)
    return best
