"""What the hardware does fast. bf16 halves memory traffic, but only pays off where matmuls run natively
in bf16 (CUDA, CPUs with AVX-512 BF16 or AMX); elsewhere it falls back to a path far slower than fp32."""

from __future__ import annotations

import functools
import time

import torch


@functools.lru_cache(maxsize=None)
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
