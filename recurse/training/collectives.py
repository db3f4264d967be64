"""Summing tensors across the processes of a distributed run, in as few collectives as possible.

A small model's gradients are a dozen or more tensors of a few thousand values each. Summing them one
collective at a time pays a round trip per tensor: on CPU (gloo) 7–20 ms a step for the 12 tensors of
``trm-sudoku-mini``, against 1–2 ms for the same values in one buffer. ``all_reduce_sum`` packs the tensors of
each dtype into one flat buffer, sums it once and copies the sums back. Each element is still the sum of
the same per-process values, so two processes get exactly what one collective per tensor gives.
"""

from __future__ import annotations

import torch
import torch.distributed as dist


def all_reduce_sum(tensors: list[torch.Tensor]) -> None:
    """Replace each tensor, in place, by its sum over the processes: one collective per dtype and device."""
    groups: dict[tuple[torch.dtype, torch.device], list[torch.Tensor]] = {}
    for tensor in tensors:
        groups.setdefault((tensor.dtype, tensor.device), []).append(tensor)
    for group in groups.values():
        flat = torch.cat([tensor.reshape(-1) for tensor in group])
        dist.all_reduce(flat, op=dist.ReduceOp.SUM)
        for tensor, summed in zip(group, flat.split([tensor.numel() for tensor in group])):
            tensor.copy_(summed.view_as(tensor))
