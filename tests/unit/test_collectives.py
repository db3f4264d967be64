"""``all_reduce_sum`` over two real gloo processes: every tensor becomes the sum of the ranks' tensors."""

from __future__ import annotations

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from recurse.training.collectives import all_reduce_sum


def _rank_tensors(rank: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(rank)
    return [
        torch.randn(3, 4, generator=g),
        torch.randn(5, generator=g, dtype=torch.float64),  # another dtype: its own collective
        torch.randn((), generator=g),
        torch.randn(4, 3, generator=g).t(),  # not contiguous
        torch.randn(7, generator=g, dtype=torch.float64),
    ]


def _worker(rank: int, init_file: str, out_file: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
    try:
        tensors = _rank_tensors(rank)
        all_reduce_sum(tensors)
        if rank == 0:
            torch.save(tensors, out_file)
    finally:
        dist.destroy_process_group()


def test_two_processes_sum_every_tensor_in_place(tmp_path):
    out_file = tmp_path / "summed.pt"
    mp.spawn(_worker, args=(str(tmp_path / "init"), str(out_file)), nprocs=2, join=True)
    summed = torch.load(out_file, weights_only=True)
    expected = [a + b for a, b in zip(_rank_tensors(0), _rank_tensors(1))]
    assert len(summed) == len(expected)
    for got, want in zip(summed, expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert torch.equal(got, want), "each element is the sum of the same two values"
