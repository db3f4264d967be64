"""The hardware recurse runs on: device names, the device to use, and what it does fast.

bf16 halves memory traffic, but only pays off where matmuls run natively in bf16 (CUDA, CPUs with
AVX-512 BF16 or AMX); elsewhere it falls back to a path far slower than fp32.
"""

from __future__ import annotations

import functools
import re
import time

import torch

from recurse.errors import ConfigError

DEVICE_PATTERN = re.compile(r"auto|cpu|mps|cuda(:\d{1,3})?")


def check_device_name(name: object) -> str:
    """The device name if it is one recurse runs on (``auto``, ``cpu``, ``cuda``, ``cuda:N``, ``mps``)."""
    if not isinstance(name, str) or not DEVICE_PATTERN.fullmatch(name):
        raise ValueError(f"unknown device {name!r}; use auto, cpu, cuda, cuda:N or mps")
    return name


def resolve_device(name: str) -> torch.device:
    """The torch device for a device name; ``auto`` picks CUDA, then MPS, then the CPU."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"runtime.device: unknown device {name!r}; use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError("runtime.device: CUDA was asked for but is not available; use runtime.device=cpu")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("runtime.device: MPS was asked for but is not available; use runtime.device=cpu")
    return device


@functools.cache
def _cpu_bfloat16_is_fast() -> bool:
    size = 256
    a32, b32 = torch.randn(size, size), torch.randn(size, size)
    a16, b16 = a32.bfloat16(), b32.bfloat16()

    def best_time(a, b) -> float:
        torch.mm(a, b)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - start)
        return min(times)

    return best_time(a16, b16) < 0.8 * best_time(a32, b32)


def bfloat16_is_fast(device: torch.device) -> bool:
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        return _cpu_bfloat16_is_fast()
    return False


def resolve_forward_dtype(name: str, device: torch.device) -> str:
    """``auto`` becomes ``bfloat16`` where bf16 matmuls are fast on ``device``, else ``float32``."""
    if name != "auto":
        return name
    return "bfloat16" if bfloat16_is_fast(device) else "float32"
