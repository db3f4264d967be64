"""A step's matmuls replayed alone: the time a step would take if nothing but its matmuls cost anything.

At hidden 64–128 a step is more than its matmuls: elementwise passes, copies and framework work sit between
them. ``MatmulRecorder`` notes every call of one step that the FLOP counter counts (matmuls, batched
matmuls, attention kernels; operator, shapes, strides, dtype and the other arguments) and
``replay_seconds`` times the same calls on fresh tensors with nothing in between. Two things follow:

- the matmuls' share of the step, the rest being what fusion could still win;
- the step's FLOPs over that time against the square-matmul peak: the ratio the step would reach with
  everything else free. Small matmuls (a contraction over 64 channels or 36 positions) run well below the
  peak of a 2048² one, so this is the ceiling a fused step can approach, not the peak.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any, NamedTuple

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import TreeSpec, tree_flatten, tree_unflatten
from torch.utils.flop_counter import flop_registry

from recurse.bench.timing import best_seconds


class TensorShape(NamedTuple):
    """What a recorded tensor argument was, enough to make another like it."""

    shape: tuple[int, ...]
    stride: tuple[int, ...]
    dtype: torch.dtype
    device: torch.device


class MatmulCall(NamedTuple):
    """One recorded call: the operator and its flattened arguments, tensors replaced by their
    ``TensorShape``, with the tree that puts the arguments back together."""

    op: Any
    leaves: tuple[Any, ...]
    tree: TreeSpec


class MatmulRecorder(TorchDispatchMode):
    """Counts the FLOP-bearing calls made while it is active (``calls``: call → times made)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[MatmulCall] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func.overloadpacket not in flop_registry:
            # Under inference mode composite ops (aten.matmul) arrive whole: split them into what they call.
            with self:
                result = func.decompose(*args, **kwargs)
            if result is not NotImplemented:
                return result
        else:
            leaves, tree = tree_flatten((args, kwargs))
            self.calls[MatmulCall(func, tuple(_describe(leaf) for leaf in leaves), tree)] += 1
        return func(*args, **kwargs)

    def replay_seconds(self, repeats: int = 5) -> float:
        """Seconds the recorded calls take, each timed alone (best of ``repeats``, as the peak is) times its
        count: the floor the step's matmuls could run at."""
        total = 0.0
        with torch.no_grad():
            for call, count in self.calls.items():
                args, kwargs = tree_unflatten([_make(leaf) for leaf in call.leaves], call.tree)
                device = next(
                    (leaf.device for leaf in call.leaves if isinstance(leaf, TensorShape)), torch.device("cpu")
                )
                total += count * best_seconds(partial(call.op, *args, **kwargs), device, repeats)
        return total


def _describe(leaf: Any) -> Any:
    if isinstance(leaf, torch.Tensor):
        return TensorShape(tuple(leaf.shape), tuple(leaf.stride()), leaf.dtype, leaf.device)
    return leaf


def _make(leaf: Any) -> Any:
    """A tensor with ``leaf``'s shape, strides and dtype (random floats; zeros otherwise), or ``leaf``."""
    if not isinstance(leaf, TensorShape):
        return leaf
    extent = 1 + sum((size - 1) * stride for size, stride in zip(leaf.shape, leaf.stride)) if all(leaf.shape) else 0
    if leaf.dtype.is_floating_point:
        storage = torch.randn(extent, device=leaf.device).to(leaf.dtype)
    else:
        storage = torch.zeros(extent, dtype=leaf.dtype, device=leaf.device)
    return storage.as_strided(leaf.shape, leaf.stride)
