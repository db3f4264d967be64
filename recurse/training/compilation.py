"""``runtime.compile``: the whole recursion of a supervision step as one compiled graph.

Compiling the schedule (every level call of the T−1 no-grad recursions and of the gradient-carrying one,
forward and backward) rather than each block lets the compiler fuse each block's elementwise chain (the
SwiGLU gate, the residual add and RMSNorm, and their gradients) into single passes between the matmuls.
At hidden 64–128 those passes, not the matmuls, are where an eager step spends much of its time.

The module is compiled in place, so checkpoint keys carry no compile wrapper. Low-precision intermediates
are rounded as eager rounds them (``emulate_precision_casts``), so a bf16 run computes what the eager one
does up to the order of fp32 rounding inside a fused kernel.
"""

from __future__ import annotations

import shutil

import torch

from recurse.errors import ConfigError
from recurse.model.refiner import RecursiveRefiner

_CPU_COMPILERS = ("g++", "c++", "clang++")


def compile_recursion(refiner: RecursiveRefiner, device: torch.device) -> None:
    """Compile ``refiner``'s schedule in place with ``torch.compile``.

    On a CPU the compiler writes C++ kernels, so a C++ compiler must be on ``PATH``; without one this
    raises ``ConfigError`` before any step runs instead of failing inside the first step.
    """
    if device.type == "cpu" and not any(shutil.which(name) for name in _CPU_COMPILERS):
        raise ConfigError(
            "runtime.compile=true needs a C++ compiler (g++ or clang++) on PATH for its CPU kernels: "
            "install one or set runtime.compile=false"
        )
    refiner.schedule.compile(options={"emulate_precision_casts": True})
